// The Node HAL's HTTP(S) client (Blynk.Air downloads) against local http/https servers.
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeTestPki, type TestPki } from '../../../tools/certs';
import { createNodeHal, type NodeHal } from '../../../hal/node';
import type { HttpRequestEvents, HttpResponseHead } from '../../../hal/interfaces';
import { settleTurns } from './recorder';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

let pki: TestPki;
let otherPki: TestPki;
const hals: NodeHal[] = [];
const servers: http.Server[] = [];

beforeAll(async () => {
  pki = await makeTestPki();
  otherPki = await makeTestPki(['localhost', '127.0.0.1'], 'some other CA');
});

afterEach(async () => {
  for (const h of hals.splice(0)) h.dispose();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

function hal(options: Parameters<typeof createNodeHal>[0] = {}): NodeHal {
  const h = createNodeHal({ log: () => {}, ...options });
  hals.push(h);
  return h;
}

async function serve(handler: Handler, tls?: TestPki): Promise<string> {
  const server = tls ? https.createServer({ cert: tls.certPem, key: tls.keyPem }, handler) : http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Records the request's callbacks; `ended` resolves at onDone/onError. */
class Download implements HttpRequestEvents {
  calls: string[] = [];
  head: HttpResponseHead | undefined;
  body = Buffer.alloc(0);
  error: string | undefined;
  private finish!: () => void;
  readonly ended = new Promise<void>((resolve) => (this.finish = resolve));
  onResponse(head: HttpResponseHead): void {
    this.calls.push(`response ${head.status}`);
    this.head = head;
  }
  onData(chunk: Uint8Array): void {
    if (this.calls.at(-1) !== 'data') this.calls.push('data');
    expect(chunk).toBeInstanceOf(Uint8Array);
    this.body = Buffer.concat([this.body, chunk]);
  }
  onDone(): void {
    this.calls.push('done');
    this.finish();
  }
  onError(detail: string): void {
    this.calls.push('error');
    this.error = detail;
    this.finish();
  }
}

const image = Buffer.alloc(100_000, 0x5a);

it('downloads a body with Content-Length and headers', async () => {
  const url = await serve((_req, res) => {
    res.writeHead(200, { 'Content-Length': image.length, 'X-MD5': 'abc123', 'Content-Type': 'application/octet-stream' });
    res.end(image);
  });
  const d = new Download();
  hal().http.get(`${url}/fw.bin`, d);
  await d.ended;
  expect(d.calls).toEqual(['response 200', 'data', 'done']);
  expect(d.head?.length).toBe(image.length);
  expect(d.head?.header('x-md5')).toBe('abc123');
  expect(d.head?.header('X-MD5')).toBe('abc123');
  expect(d.head?.header('x-missing')).toBeUndefined();
  expect(d.body.equals(image)).toBe(true);
});

it('downloads a chunked body (no length)', async () => {
  const url = await serve((_req, res) => {
    res.write(image.subarray(0, 10));
    res.end(image.subarray(10));
  });
  const d = new Download();
  hal().http.get(url, d);
  await d.ended;
  expect(d.head?.length).toBeUndefined();
  expect(d.calls.at(-1)).toBe('done');
  expect(d.body.length).toBe(image.length);
});

it('reports a body shorter than its Content-Length as onError, not onDone', async () => {
  const url = await serve((_req, res) => {
    res.writeHead(200, { 'Content-Length': 1000 });
    res.write(Buffer.alloc(300));
    setImmediate(() => res.socket?.destroy());
  });
  const d = new Download();
  hal().http.get(url, d);
  await d.ended;
  await settleTurns();
  expect(d.calls).toEqual(['response 200', 'data', 'error']);
  expect(d.error).toMatch(/300 of 1000/);
});

it('does not follow redirects', async () => {
  const url = await serve((_req, res) => {
    res.writeHead(302, { Location: '/elsewhere', 'Content-Length': 0 });
    res.end();
  });
  const d = new Download();
  hal().http.get(url, d);
  await d.ended;
  expect(d.calls).toEqual(['response 302', 'done']);
  expect(d.head?.header('location')).toBe('/elsewhere');
});

it('abort() stops the download: no callback follows', async () => {
  let peerGone!: Promise<unknown>;
  let served!: () => void;
  const sent = new Promise<void>((resolve) => (served = resolve));
  const url = await serve((_req, res) => {
    peerGone = new Promise((resolve) => res.socket!.once('close', resolve));
    res.writeHead(200, { 'Content-Length': 1_000_000 });
    res.write(Buffer.alloc(1000), () => served());
  });
  const d = new Download();
  const req = hal().http.get(url, d);
  await sent;
  req.abort();
  req.abort();
  await peerGone; // the server saw the connection go away
  await settleTurns();
  expect(d.calls).not.toContain('done');
  expect(d.calls).not.toContain('error');
});

it('abort() from inside onData stops further callbacks', async () => {
  let sendRest!: () => void;
  const rest = new Promise<void>((resolve) => (sendRest = resolve));
  let peerGone!: Promise<unknown>;
  const url = await serve((_req, res) => {
    peerGone = new Promise((resolve) => res.socket!.once('close', resolve));
    res.writeHead(200, { 'Content-Length': 3000 });
    res.write(Buffer.alloc(1000));
    void rest.then(() => res.end(Buffer.alloc(2000)));
  });
  const d = new Download();
  let chunks = 0;
  const h = hal();
  const req = h.http.get(url, {
    onResponse: (x) => d.onResponse(x),
    onData: (x) => {
      chunks++;
      d.onData(x);
      req.abort();
      sendRest();
    },
    onDone: () => d.onDone(),
    onError: (x) => d.onError(x),
  });
  await rest;
  await peerGone;
  await settleTurns(10);
  expect(d.calls).toEqual(['response 200', 'data']);
  expect(chunks).toBe(1);
});

it('reports a refused connection and a bad URL through onError, asynchronously', async () => {
  const url = await serve(() => {});
  servers.pop()!.close();
  const h = hal();
  for (const target of [url, 'ftp://example/fw.bin', 'not a url']) {
    const d = new Download();
    let returned = false;
    h.http.get(target, {
      ...d,
      onResponse: (x) => d.onResponse(x),
      onData: (x) => d.onData(x),
      onDone: () => d.onDone(),
      onError: (detail) => {
        expect(returned).toBe(true); // never from inside get()
        d.onError(detail);
      },
    });
    returned = true;
    await d.ended;
    expect(d.calls).toEqual(['error']);
  }
});

it('downloads over https with the configured CA and refuses an untrusted server', async () => {
  const good = await serve((_req, res) => res.end('ok'), pki);
  const d = new Download();
  hal({ ca: pki.caPem }).http.get(good, d);
  await d.ended;
  expect(d.calls).toEqual(['response 200', 'data', 'done']);

  const bad = await serve((_req, res) => res.end('ok'), otherPki);
  const e = new Download();
  hal({ ca: pki.caPem }).http.get(bad, e);
  await e.ended;
  expect(e.calls).toEqual(['error']);
  expect(e.error).toMatch(/CERT|certificate/i);
});

it('dispose() aborts downloads in flight', async () => {
  let started!: () => void;
  const inFlight = new Promise<void>((resolve) => (started = resolve));
  const url = await serve((_req, res) => {
    res.writeHead(200, { 'Content-Length': 10 });
    res.write('12345');
    started();
  });
  const d = new Download();
  const h = hal();
  h.http.get(url, d);
  await inFlight;
  h.dispose();
  await settleTurns(10);
  expect(d.calls).not.toContain('done');
  expect(d.calls).not.toContain('error');
});
