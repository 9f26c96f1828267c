// The HTTP client on the classic Request: status, headers, fragments, completion, abort, errors.
import { CaChooser } from '../../../hal/moddable/connector';
import { ModdableHttpClient, parseHttpUrl } from '../../../hal/moddable/http';
import type { HttpRequestEvents, HttpResponseHead } from '../../../hal/interfaces';
import { makeFakes, recordingLog, type Fakes } from './fakes/modules';
import { FakeRequest } from './fakes/http';
import { FakeSecureSocket } from './fakes/socket';

let f: Fakes;
function client(certificates?: ArrayBuffer[]) {
  const log = recordingLog();
  return new ModdableHttpClient({ ...f.modules, Request: FakeRequest }, new CaChooser({ certificates }, f.modules, log), log);
}

function recorder(hooks: Partial<HttpRequestEvents> = {}) {
  const r = { log: [] as string[], heads: [] as HttpResponseHead[], body: [] as number[] };
  const e: HttpRequestEvents = {
    onResponse: (h) => {
      r.log.push(`response ${h.status}`);
      r.heads.push(h);
      hooks.onResponse?.(h);
    },
    onData: (c) => {
      r.log.push(`data ${c.length}`);
      r.body.push(...c);
      hooks.onData?.(c);
    },
    onDone: () => r.log.push('done'),
    onError: (d) => r.log.push(`error ${d}`),
  };
  return { r, e };
}

beforeEach(() => {
  f = makeFakes();
});

describe('parseHttpUrl', () => {
  it('splits scheme, host, port and path+query', () => {
    expect(parseHttpUrl('https://fra1.blynk.cloud/static/fw.bin?token=abc')).toEqual({ secure: true, host: 'fra1.blynk.cloud', port: 443, path: '/static/fw.bin?token=abc' });
    expect(parseHttpUrl('http://127.0.0.1:8080')).toEqual({ secure: false, host: '127.0.0.1', port: 8080, path: '/' });
    expect(parseHttpUrl('http://h?x=1')).toEqual({ secure: false, host: 'h', port: 80, path: '/?x=1' });
    expect(parseHttpUrl('ftp://h/x')).toBeUndefined();
    expect(parseHttpUrl('http://h:0/')).toBeUndefined();
  });
});

describe('ModdableHttpClient', () => {
  it('GET over https: status and headers (x-md5, Content-Length) then streamed fragments', () => {
    const { r, e } = recorder();
    const ca = Uint8Array.of(1).buffer;
    client([ca]).get('https://blynk.cloud/static/fw.bin?token=t', e);
    const req = FakeRequest.last();
    expect(req.options).toMatchObject({ host: 'blynk.cloud', port: 443, path: '/static/fw.bin?token=t', method: 'GET', Socket: FakeSecureSocket });
    expect(req.options.secure).toEqual({ certificate: ca, protocolVersion: 0x303, verify: true });
    req.status(200);
    req.header('Content-Length', '6');
    req.header('X-MD5', 'abc123');
    req.headersDone();
    expect(r.heads[0]!.status).toBe(200);
    expect(r.heads[0]!.length).toBe(6);
    expect(r.heads[0]!.header('x-md5')).toBe('abc123');
    expect(r.heads[0]!.header('X-Sha256')).toBeUndefined();
    req.fragment([1, 2, 3, 4]);
    req.fragment([5, 6]);
    req.complete();
    expect(r.log).toEqual(['response 200', 'data 4', 'data 2', 'done']);
    expect(r.body).toEqual([1, 2, 3, 4, 5, 6]);
    expect(req.closed).toBeGreaterThan(0);
  });

  it('plain http uses the default socket; a missing Content-Length is undefined', () => {
    const { r, e } = recorder();
    client().get('http://127.0.0.1:8080/fw', e);
    const req = FakeRequest.last();
    expect(req.options.Socket).toBeUndefined();
    req.status(404);
    req.headersDone();
    expect(r.heads[0]!.length).toBeUndefined();
    expect(r.heads[0]!.status).toBe(404);
  });

  it('abort stops everything: no callback follows, the request is closed', () => {
    const { r, e } = recorder();
    const h = client().get('http://h/fw', e);
    const req = FakeRequest.last();
    req.status(200);
    req.headersDone();
    h.abort();
    h.abort();
    expect(req.closed).toBe(1);
    req.fragment([1]);
    req.complete();
    req.error();
    expect(r.log).toEqual(['response 200']);
  });

  it('abort from inside onData works', () => {
    let h!: ReturnType<ModdableHttpClient['get']>;
    const { r, e } = recorder({ onData: () => h.abort() });
    h = client().get('http://h/fw', e);
    const req = FakeRequest.last();
    req.status(200);
    req.headersDone();
    req.fragment([1, 2]);
    req.fragment([3]);
    expect(r.log).toEqual(['response 200', 'data 2']);
  });

  it('errors: a dropped connection, a bad URL and a throwing constructor come through onError once, later', () => {
    const a = recorder();
    client().get('http://h/fw', a.e);
    FakeRequest.last().status(200);
    FakeRequest.last().error();
    FakeRequest.last().error();
    expect(a.r.log.filter((l) => l.startsWith('error')).length).toBe(1);

    const b = recorder();
    client().get('nonsense', b.e);
    expect(b.r.log).toEqual([]);
    f.timer.advance(0);
    expect(b.r.log[0]).toMatch(/^error not an http/);

    FakeRequest.throwOnCreate = 'no memory';
    const c = recorder();
    client().get('http://h/', c.e);
    expect(c.r.log).toEqual([]);
    f.timer.advance(0);
    expect(c.r.log[0]).toContain('no memory');
  });

  it('an exception inside the SDK request (its socket callback) or in a handler becomes onError', () => {
    const a = recorder();
    client().get('http://h/fw', a.e);
    const req = FakeRequest.last();
    req.garbled = true; // http.js throws from its socket callback on a garbled status line
    expect(() => req.socket.callback(2, 10)).not.toThrow();
    expect(a.r.log).toEqual(['error http: Error: unexpected status format']);
    expect(req.closed).toBe(1);

    const b = recorder({
      onData: () => {
        throw new Error('disk full');
      },
    });
    client().get('http://h/fw', b.e);
    const req2 = FakeRequest.last();
    req2.status(200);
    req2.headersDone();
    expect(() => req2.fragment([1])).not.toThrow();
    expect(b.r.log.at(-1)).toContain('disk full');
    req2.complete();
    expect(b.r.log.filter((l) => l === 'done')).toEqual([]);
  });
});
