// mqtt:// and mqtts:// transports of the Node HAL against local TCP/TLS servers.
import type * as net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { freePort, type PeerServer, startStreamServer, transportFixtures } from './servers';
import { settleTurns, TransportRecorder } from './recorder';
import type { NodeHal } from '../../../hal/node';
import { resetSocket } from '../../../tools/net/reset';

const fx = transportFixtures();
const hal = fx.hal;

async function server(opts: Parameters<typeof startStreamServer>[0]): Promise<PeerServer<net.Socket>> {
  return fx.track(await startStreamServer(opts));
}

/** Open, exchange bytes both ways, close: the common life of a transport. */
async function roundTrip(h: NodeHal, scheme: 'mqtt' | 'mqtts', port: number, host = '127.0.0.1'): Promise<TransportRecorder> {
  const rec = new TransportRecorder();
  rec.open(h.transport, { scheme, host, port, path: '' });
  await rec.untilOpen();
  expect(rec.write(Uint8Array.of(0x10, 0x02, 0xaa, 0xbb))).toBe(true);
  await rec.untilReceived(4);
  expect([...rec.received]).toEqual([0x10, 0x02, 0xaa, 0xbb]);
  rec.close();
  rec.close(); // idempotent
  await rec.untilClosed();
  await settleTurns();
  expect(rec.closes).toEqual([{ failure: 'closed', detail: expect.any(String) }]);
  expect(rec.violations).toEqual([]);
  return rec;
}

describe('mqtt:// (TCP)', () => {
  it('opens, carries bytes both ways and closes with onClose(closed) once', async () => {
    const s = await server({ echo: true });
    await roundTrip(hal(), 'mqtt', s.port);
  });

  it('hands the core a Uint8Array view of what arrived', async () => {
    const s = await server({});
    const rec = new TransportRecorder();
    let got: Uint8Array | undefined;
    const record = rec.onData.bind(rec);
    rec.onData = (bytes) => {
      got = bytes;
      record(bytes);
    };
    rec.open(hal().transport, { scheme: 'mqtt', host: '127.0.0.1', port: s.port, path: '' });
    const peer = await s.nextConnection();
    await rec.untilOpen();
    peer.write(Buffer.from([1, 2, 3]));
    await rec.until(() => got !== undefined);
    expect(got).toBeInstanceOf(Uint8Array);
    expect([...got!]).toEqual([1, 2, 3]);
  });

  it('copies written bytes: the caller may reuse its buffer', async () => {
    const s = await server({ echo: true });
    const rec = new TransportRecorder();
    rec.open(hal().transport, { scheme: 'mqtt', host: '127.0.0.1', port: s.port, path: '' });
    await rec.untilOpen();
    const buf = Uint8Array.of(1, 2, 3);
    rec.write(buf);
    buf.fill(9);
    rec.write(buf);
    await rec.untilReceived(6);
    expect([...rec.received]).toEqual([1, 2, 3, 9, 9, 9]);
  });

  it('reports a refused port as onClose(refused), never onOpen', async () => {
    const rec = new TransportRecorder();
    rec.open(hal().transport, { scheme: 'mqtt', host: '127.0.0.1', port: await freePort(), path: '' });
    await rec.untilClosed();
    await settleTurns();
    expect(rec.calls).toEqual(['onClose(refused)']);
    expect(rec.violations).toEqual([]);
  });

  it('reports the peer closing as onClose(closed) and a reset as onClose(reset)', async () => {
    const s = await server({});
    const h = hal();
    const a = new TransportRecorder();
    a.open(h.transport, { scheme: 'mqtt', host: '127.0.0.1', port: s.port, path: '' });
    (await s.nextConnection()).end();
    await a.untilClosed();
    expect(a.calls).toEqual(['onOpen', 'onClose(closed)']);

    const b = new TransportRecorder();
    b.open(h.transport, { scheme: 'mqtt', host: '127.0.0.1', port: s.port, path: '' });
    const peer = await s.nextConnection();
    await b.untilOpen();
    resetSocket(peer);
    await b.untilClosed();
    await settleTurns();
    expect(b.calls).toEqual(['onOpen', 'onClose(reset)']);
    expect([...a.violations, ...b.violations]).toEqual([]);
  });

  it('can be closed before it opens: onClose(closed) once, no onOpen', async () => {
    const s = await server({});
    const h = hal();
    for (const port of [s.port, await freePort()]) {
      const rec = new TransportRecorder();
      rec.open(h.transport, { scheme: 'mqtt', host: '127.0.0.1', port, path: '' });
      rec.close();
      await rec.untilClosed();
      await settleTurns();
      expect(rec.calls).toEqual(['onClose(closed)']);
      expect(rec.violations).toEqual([]);
    }
  });

  it('flushes queued bytes on close() before ending the stream', async () => {
    const s = await server({});
    const rec = new TransportRecorder();
    rec.open(hal().transport, { scheme: 'mqtt', host: '127.0.0.1', port: s.port, path: '' });
    const peer = await s.nextConnection();
    await rec.untilOpen();
    const payload = Buffer.alloc(200_000, 7);
    rec.write(payload);
    rec.close();
    expect(rec.write(Uint8Array.of(1))).toBe(false); // closing: takes nothing more
    let got = 0;
    peer.on('data', (d) => (got += d.length));
    await new Promise((resolve) => peer.on('end', resolve));
    expect(got).toBe(payload.length);
    await rec.untilClosed();
    expect(rec.closes.map((c) => c.failure)).toEqual(['closed']);
  });

  it('destroys a stream whose peer never finishes closing (close timeout)', async () => {
    const s = await server({ allowHalfOpen: true }); // the peer never ends its side
    const rec = new TransportRecorder();
    rec.open(hal({ closeTimeoutMs: 50 }).transport, { scheme: 'mqtt', host: '127.0.0.1', port: s.port, path: '' });
    const peer = await s.nextConnection();
    let peerSawEnd = false;
    peer.on('end', () => (peerSawEnd = true));
    await rec.untilOpen();
    rec.close();
    await rec.untilClosed();
    expect(rec.calls).toEqual(['onOpen', 'onClose(closed)']);
    expect(peerSawEnd).toBe(true);
    expect(peer.writableEnded).toBe(false); // so only the timeout can have ended it
  });

  it('applies back-pressure: write returns false without taking bytes, onDrain follows', async () => {
    const s = await server({});
    const rec = new TransportRecorder();
    rec.open(hal({ writeHighWater: 16 * 1024 }).transport, { scheme: 'mqtt', host: '127.0.0.1', port: s.port, path: '' });
    const peer = await s.nextConnection();
    peer.pause(); // the peer stops reading: kernel buffers fill, then Node's
    await rec.untilOpen();
    const chunk = Buffer.alloc(64 * 1024, 1);
    let accepted = 0;
    while (rec.write(chunk)) {
      accepted += chunk.length;
      if (accepted > 512 * 1024 * 1024) throw new Error('no back-pressure');
    }
    expect(rec.drains).toBe(0);
    let got = 0;
    peer.on('data', (d) => (got += d.length));
    peer.resume();
    await rec.until(() => rec.drains === 1, 'onDrain');
    expect(rec.write(Uint8Array.of(5))).toBe(true);
    accepted += 1;
    await new Promise<void>((resolve) => {
      const check = (): void => (got >= accepted ? resolve() : void peer.once('data', check));
      check();
    });
    expect(got).toBe(accepted); // the refused chunk was not taken
    expect(rec.violations).toEqual([]);
  });

  it('dispose() hard-closes open transports; each still gets onClose once', async () => {
    const s = await server({});
    const h = hal();
    const rec = new TransportRecorder();
    rec.open(h.transport, { scheme: 'mqtt', host: '127.0.0.1', port: s.port, path: '' });
    await rec.untilOpen();
    h.dispose();
    await rec.untilClosed();
    const late = new TransportRecorder();
    late.open(h.transport, { scheme: 'mqtt', host: '127.0.0.1', port: s.port, path: '' });
    await late.untilClosed();
    await settleTurns();
    expect(rec.calls).toEqual(['onOpen', 'onClose(closed)']);
    expect(late.calls).toEqual(['onClose(error)']);
  });

  it('reports a bad port number through onClose, not a throw (and makes no socket)', async () => {
    const rec = new TransportRecorder();
    expect(() => rec.open(hal().transport, { scheme: 'mqtt', host: '127.0.0.1', port: 70000, path: '' })).not.toThrow();
    await rec.untilClosed();
    expect(rec.calls).toEqual(['onClose(error)']);
    expect(rec.violations).toEqual([]);
  });
});

describe('mqtts:// (TLS)', () => {
  it('opens with a CA given as PEM, carries bytes, closes', async () => {
    const s = await server({ tls: { cert: fx.pki.certPem, key: fx.pki.keyPem }, echo: true });
    await roundTrip(hal({ ca: fx.pki.caPem }), 'mqtts', s.port);
  });

  it('accepts the CA as DER bytes, or in a list with others', async () => {
    const s = await server({ tls: { cert: fx.pki.certPem, key: fx.pki.keyPem }, echo: true });
    await roundTrip(hal({ ca: fx.pki.caDer }), 'mqtts', s.port);
    await roundTrip(hal({ ca: [fx.otherPki.caDer, fx.pki.caPem] }), 'mqtts', s.port);
  });

  it('sends SNI for a DNS name and none for an IP address', async () => {
    const s = await server({ tls: { cert: fx.pki.certPem, key: fx.pki.keyPem }, echo: true });
    const h = hal({ ca: fx.pki.caPem });
    await roundTrip(h, 'mqtts', s.port, 'localhost');
    await roundTrip(h, 'mqtts', s.port, '127.0.0.1');
    const names = (s.connections as TLSSocket[]).map((c) => c.servername);
    expect(names).toEqual(['localhost', false]);
  });

  it('rejects a server certificate from an untrusted CA: onClose(tls), never onOpen', async () => {
    const s = await server({ tls: { cert: fx.otherPki.certPem, key: fx.otherPki.keyPem } });
    const rec = new TransportRecorder();
    rec.open(hal({ ca: fx.pki.caPem }).transport, { scheme: 'mqtts', host: '127.0.0.1', port: s.port, path: '' });
    await rec.untilClosed();
    await settleTurns();
    expect(rec.calls).toEqual(['onClose(tls)']);
    expect(rec.closed?.detail).toMatch(/CERT|certificate/i);
    expect(rec.violations).toEqual([]);
  });

  it('verifies against the system roots by default (a private CA is refused)', async () => {
    const s = await server({ tls: { cert: fx.pki.certPem, key: fx.pki.keyPem } });
    const rec = new TransportRecorder();
    rec.open(hal().transport, { scheme: 'mqtts', host: '127.0.0.1', port: s.port, path: '' });
    await rec.untilClosed();
    expect(rec.calls).toEqual(['onClose(tls)']);
  });

  it('connects to an untrusted server only with the explicit insecure opt-out', async () => {
    const s = await server({ tls: { cert: fx.otherPki.certPem, key: fx.otherPki.keyPem }, echo: true });
    const lines: string[] = [];
    const h = hal({ insecure: true, log: (level, message) => lines.push(`${level} ${message}`) });
    await roundTrip(h, 'mqtts', s.port);
    expect(lines.some((l) => l.startsWith('warn') && /verification is OFF/.test(l))).toBe(true);
  });

  it('reports a peer that does not speak TLS as onClose(tls)', async () => {
    const s = await server({});
    const rec = new TransportRecorder();
    rec.open(hal({ ca: fx.pki.caPem }).transport, { scheme: 'mqtts', host: '127.0.0.1', port: s.port, path: '' });
    (await s.nextConnection()).end('HTTP/1.1 400 Bad Request\r\n\r\n');
    await rec.untilClosed();
    expect(rec.calls).toEqual(['onClose(tls)']);
  });

  it('reports a refused port as onClose(refused)', async () => {
    const rec = new TransportRecorder();
    rec.open(hal({ ca: fx.pki.caPem }).transport, { scheme: 'mqtts', host: '127.0.0.1', port: await freePort(), path: '' });
    await rec.untilClosed();
    expect(rec.calls).toEqual(['onClose(refused)']);
  });

  it('can be closed during the handshake', async () => {
    const s = await server({}); // accepts TCP, never answers the ClientHello
    const rec = new TransportRecorder();
    rec.open(hal({ ca: fx.pki.caPem }).transport, { scheme: 'mqtts', host: '127.0.0.1', port: s.port, path: '' });
    await new Promise((resolve) => s.nextConnection().then((peer) => peer.once('data', resolve)));
    rec.close();
    await rec.untilClosed();
    await settleTurns();
    expect(rec.calls).toEqual(['onClose(closed)']);
    expect(rec.violations).toEqual([]);
  });
});
