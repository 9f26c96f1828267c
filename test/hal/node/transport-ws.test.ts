// ws:// and wss:// transports of the Node HAL against a local `ws` WebSocketServer.
import { freePort, type PeerServer, startStreamServer, startWsServer, type WsPeer, transportFixtures } from './servers';
import { settleTurns, TransportRecorder } from './recorder';
import { resetSocket } from '../../../tools/net/reset';

const fx = transportFixtures();
const hal = fx.hal;

async function wsServer(opts: Parameters<typeof startWsServer>[0]): Promise<PeerServer<WsPeer>> {
  return fx.track(await startWsServer(opts));
}

describe.each([
  ['ws', () => ({})],
  ['wss', () => ({ tls: { cert: fx.pki.certPem, key: fx.pki.keyPem } })],
] as const)('%s://', (scheme, serverTls) => {
  it('opens with subprotocol mqtt on the given path, carries binary frames, closes', async () => {
    const s = await wsServer({ ...serverTls(), echo: true });
    const rec = new TransportRecorder();
    rec.open(hal({ ca: fx.pki.caPem }).transport, { scheme, host: '127.0.0.1', port: s.port, path: '/mqtt/x?y=1' });
    await rec.untilOpen();
    const peer = s.connections[0]!;
    expect(peer.ws.protocol).toBe('mqtt');
    expect(peer.req.headers['sec-websocket-protocol']).toBe('mqtt');
    expect(peer.req.url).toBe('/mqtt/x?y=1');
    const frames: boolean[] = [];
    peer.ws.on('message', (_data, isBinary) => frames.push(isBinary));
    expect(rec.write(Uint8Array.of(0x10, 0x00))).toBe(true);
    await rec.untilReceived(2);
    expect([...rec.received]).toEqual([0x10, 0x00]);
    expect(frames).toEqual([true]);
    const peerClosed = new Promise<number>((resolve) => peer.ws.on('close', resolve));
    rec.close();
    rec.close();
    await rec.untilClosed();
    expect(await peerClosed).toBe(1000); // a proper close frame, not a dropped socket
    await settleTurns();
    expect(rec.calls).toEqual(['onOpen', 'onData', 'onClose(closed)']);
    expect(rec.violations).toEqual([]);
  });

  it('sends bytes written before the upgrade finished, in order', async () => {
    const s = await wsServer({ ...serverTls(), echo: true });
    const rec = new TransportRecorder();
    rec.open(hal({ ca: fx.pki.caPem }).transport, { scheme, host: '127.0.0.1', port: s.port, path: '/mqtt' });
    expect(rec.write(Uint8Array.of(1, 2))).toBe(true);
    expect(rec.write(Uint8Array.of(3))).toBe(true);
    await rec.untilReceived(3);
    expect([...rec.received]).toEqual([1, 2, 3]);
  });

  it('reports a refused port as onClose(refused)', async () => {
    const rec = new TransportRecorder();
    rec.open(hal({ ca: fx.pki.caPem }).transport, { scheme, host: '127.0.0.1', port: await freePort(), path: '/mqtt' });
    await rec.untilClosed();
    await settleTurns();
    expect(rec.calls).toEqual(['onClose(refused)']);
    expect(rec.violations).toEqual([]);
  });

  it('reports a refused upgrade (wrong path) as onClose(websocket)', async () => {
    const s = await wsServer({ ...serverTls(), path: '/mqtt' });
    const rec = new TransportRecorder();
    rec.open(hal({ ca: fx.pki.caPem }).transport, { scheme, host: '127.0.0.1', port: s.port, path: '/other' });
    await rec.untilClosed();
    expect(rec.calls).toEqual(['onClose(websocket)']);
    expect(rec.closed?.detail).toMatch(/400/);
  });

  it('reports a server that does not agree to subprotocol mqtt as onClose(websocket)', async () => {
    const s = await wsServer({ ...serverTls(), acceptProtocol: false });
    const rec = new TransportRecorder();
    rec.open(hal({ ca: fx.pki.caPem }).transport, { scheme, host: '127.0.0.1', port: s.port, path: '/mqtt' });
    await rec.untilClosed();
    expect(rec.calls).toEqual(['onClose(websocket)']);
  });

  it('closes on a text frame with onClose(websocket)', async () => {
    const s = await wsServer({ ...serverTls() });
    const rec = new TransportRecorder();
    rec.open(hal({ ca: fx.pki.caPem }).transport, { scheme, host: '127.0.0.1', port: s.port, path: '/mqtt' });
    await rec.untilOpen();
    s.connections[0]!.ws.send('text', { binary: false });
    await rec.untilClosed();
    expect(rec.calls).toEqual(['onOpen', 'onClose(websocket)']);
  });

  it('reports the peer closing normally as onClose(closed)', async () => {
    const s = await wsServer({ ...serverTls() });
    const rec = new TransportRecorder();
    rec.open(hal({ ca: fx.pki.caPem }).transport, { scheme, host: '127.0.0.1', port: s.port, path: '/mqtt' });
    await rec.untilOpen();
    s.connections[0]!.ws.close(1000, 'bye');
    await rec.untilClosed();
    expect(rec.closes).toEqual([{ failure: 'closed', detail: 'WebSocket closed (1000: bye)' }]);
  });

  it('reports the peer ending the stream without a close frame as onClose(closed)', async () => {
    const s = await wsServer({ ...serverTls() });
    const rec = new TransportRecorder();
    rec.open(hal({ ca: fx.pki.caPem }).transport, { scheme, host: '127.0.0.1', port: s.port, path: '/mqtt' });
    await rec.untilOpen();
    s.connections[0]!.ws.terminate();
    await rec.untilClosed();
    expect(rec.closes).toEqual([{ failure: 'closed', detail: 'WebSocket closed (1006: no close frame)' }]);
  });

  it('reports a TCP reset as onClose(reset)', async () => {
    const s = await wsServer({ ...serverTls() });
    const rec = new TransportRecorder();
    rec.open(hal({ ca: fx.pki.caPem }).transport, { scheme, host: '127.0.0.1', port: s.port, path: '/mqtt' });
    await rec.untilOpen();
    // resetSocket resets the TCP connection under TLS itself; handing it the TCP socket under a
    // TLS one would hide an ended TLS side from it (tools/net/reset.ts).
    resetSocket(s.connections[0]!.req.socket as import('node:net').Socket);
    await rec.untilClosed();
    expect(rec.calls).toEqual(['onOpen', 'onClose(reset)']);
  });

  it('can be closed before it opens: onClose(closed) once, no onOpen', async () => {
    const s = await wsServer({ ...serverTls() });
    const h = hal({ ca: fx.pki.caPem });
    for (const port of [s.port, await freePort()]) {
      const rec = new TransportRecorder();
      rec.open(h.transport, { scheme, host: '127.0.0.1', port, path: '/mqtt' });
      rec.close();
      await rec.untilClosed();
      await settleTurns();
      expect(rec.calls).toEqual(['onClose(closed)']);
      expect(rec.violations).toEqual([]);
    }
  });

  it('applies back-pressure: write returns false without taking bytes, onDrain follows', async () => {
    const s = await wsServer({ ...serverTls() });
    const rec = new TransportRecorder();
    rec.open(hal({ ca: fx.pki.caPem }).transport, { scheme, host: '127.0.0.1', port: s.port, path: '/mqtt' });
    await rec.untilOpen();
    const peer = s.connections[0]!;
    peer.req.socket.pause(); // the server stops reading
    const chunk = Buffer.alloc(64 * 1024, 1);
    let accepted = 0;
    while (rec.write(chunk)) {
      accepted += chunk.length;
      if (accepted > 512 * 1024 * 1024) throw new Error('no back-pressure');
    }
    let got = 0;
    const all = new Promise<void>((resolve) =>
      peer.ws.on('message', (data: Buffer) => {
        got += data.length;
        if (got === accepted + 1) resolve();
      }),
    );
    peer.req.socket.resume();
    await rec.until(() => rec.drains === 1, 'onDrain');
    expect(rec.write(Uint8Array.of(9))).toBe(true);
    await all;
    expect(got).toBe(accepted + 1);
    expect(rec.violations).toEqual([]);
  });
});

describe('wss:// certificates', () => {
  it('rejects a server certificate from an untrusted CA: onClose(tls), never onOpen', async () => {
    const s = await wsServer({ tls: { cert: fx.otherPki.certPem, key: fx.otherPki.keyPem } });
    const rec = new TransportRecorder();
    rec.open(hal({ ca: fx.pki.caPem }).transport, { scheme: 'wss', host: '127.0.0.1', port: s.port, path: '/mqtt' });
    await rec.untilClosed();
    await settleTurns();
    expect(rec.calls).toEqual(['onClose(tls)']);
    expect(rec.violations).toEqual([]);
  });

  it('sends SNI for a DNS name', async () => {
    const s = await wsServer({ tls: { cert: fx.pki.certPem, key: fx.pki.keyPem } });
    const rec = new TransportRecorder();
    rec.open(hal({ ca: fx.pki.caDer }).transport, { scheme: 'wss', host: 'localhost', port: s.port, path: '/mqtt' });
    await rec.untilOpen();
    const socket = s.connections[0]!.req.socket as import('node:tls').TLSSocket;
    expect(socket.servername).toBe('localhost');
  });

  it('reports a plain-TCP peer on a wss:// endpoint as onClose(tls)', async () => {
    const plain = fx.track(await startStreamServer({}));
    const rec = new TransportRecorder();
    rec.open(hal({ ca: fx.pki.caPem }).transport, { scheme: 'wss', host: '127.0.0.1', port: plain.port, path: '/mqtt' });
    (await plain.nextConnection()).end('HTTP/1.1 400 Bad Request\r\n\r\n');
    await rec.untilClosed();
    expect(rec.calls).toEqual(['onClose(tls)']);
  });
});
