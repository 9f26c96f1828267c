// MQTT over WebSocket: the codec on its own, and ws/wss transports over the fake sockets.
import { createHash } from 'node:crypto';
import { CaChooser, ModdableConnector } from '../../../hal/moddable/connector';
import { base64, WsCodec, type WsSink } from '../../../hal/moddable/websocket';
import { encodeText } from '../../../hal/text';
import type { TransportEvents, TransportFailure } from '../../../hal/interfaces';
import { makeFakes, recordingLog, type Fakes } from './fakes/modules';
import { FakeSecureSocket, FakeSocket } from './fakes/socket';

const sha1 = (b: Uint8Array) => new Uint8Array(createHash('sha1').update(b).digest());
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function acceptFor(request: string): string {
  const key = /Sec-WebSocket-Key: (.*)\r\n/.exec(request)![1]!;
  return createHash('sha1').update(key + GUID).digest('base64');
}

function response101(request: string, extra = 'Sec-WebSocket-Protocol: mqtt\r\n'): Uint8Array {
  return encodeText(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(request)}\r\n${extra}\r\n`);
}

/** A server frame (unmasked unless a mask is given). */
function serverFrame(payload: number[] | Uint8Array, opcode = 2, fin = true, mask?: number[]): Uint8Array {
  const p = Uint8Array.from(payload);
  const head: number[] = [(fin ? 0x80 : 0) | opcode];
  const m = mask ? 0x80 : 0;
  if (p.length < 126) head.push(m | p.length);
  else if (p.length < 65536) head.push(m | 126, p.length >> 8, p.length & 255);
  else head.push(m | 127, 0, 0, 0, 0, (p.length >>> 24) & 255, (p.length >> 16) & 255, (p.length >> 8) & 255, p.length & 255);
  if (mask) head.push(...mask);
  const body = mask ? p.map((b, i) => b ^ mask[i & 3]!) : p;
  return Uint8Array.from([...head, ...body]);
}

/** Decodes the client's masked frames. */
function clientFrames(bytes: Uint8Array): { opcode: number; payload: number[] }[] {
  const out: { opcode: number; payload: number[] }[] = [];
  let i = 0;
  while (i < bytes.length) {
    const opcode = bytes[i]! & 15;
    expect(bytes[i + 1]! & 0x80).toBe(0x80); // clients always mask
    let len = bytes[i + 1]! & 127;
    i += 2;
    if (len === 126) {
      len = (bytes[i]! << 8) | bytes[i + 1]!;
      i += 2;
    } else if (len === 127) {
      len = (bytes[i + 4]! << 24) | (bytes[i + 5]! << 16) | (bytes[i + 6]! << 8) | bytes[i + 7]!;
      i += 8;
    }
    const mask = bytes.subarray(i, i + 4);
    i += 4;
    out.push({ opcode, payload: [...bytes.subarray(i, i + len)].map((b, k) => b ^ mask[k & 3]!) });
    i += len;
  }
  return out;
}

function sinkRecorder() {
  const events: string[] = [];
  const data: number[] = [];
  const sent: Uint8Array[] = [];
  const sink: WsSink = {
    open: () => events.push('open'),
    data: (v) => data.push(...v),
    send: (b) => sent.push(b),
    closed: (code) => events.push(`closed ${code}`),
    fail: (d) => events.push(`fail ${d}`),
  };
  return { events, data, sent, sink };
}

let seed = 1;
const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);

describe('WsCodec', () => {
  it('asks for the mqtt subprotocol on the target path with a Host header', () => {
    const c = new WsCodec('blynk.cloud', 443, '/mqtt', true, { random });
    const text = Buffer.from(c.request()).toString();
    expect(text.startsWith('GET /mqtt HTTP/1.1\r\nHost: blynk.cloud\r\n')).toBe(true);
    expect(text).toContain('Sec-WebSocket-Protocol: mqtt\r\n');
    expect(text).toContain('Sec-WebSocket-Version: 13\r\n');
    expect(text.endsWith('\r\n\r\n')).toBe(true);
    const c2 = new WsCodec('127.0.0.1', 9001, '/mqtt', false, { random });
    expect(Buffer.from(c2.request()).toString()).toContain('Host: 127.0.0.1:9001\r\n');
  });

  it('opens on a 101 split across reads, checks the accept key, and passes the bytes after it on', () => {
    const c = new WsCodec('h', 80, '/mqtt', false, { random, sha1 });
    const req = Buffer.from(c.request()).toString();
    const r = sinkRecorder();
    const all = Uint8Array.from([...response101(req), ...serverFrame([0x20, 2, 0, 0])]);
    c.receive(all.slice(0, 10), r.sink);
    c.receive(all.slice(10, 60), r.sink);
    expect(r.events).toEqual([]);
    c.receive(all.slice(60), r.sink);
    expect(r.events).toEqual(['open']);
    expect(r.data).toEqual([0x20, 2, 0, 0]);
  });

  it('refuses a non-101 answer, a wrong accept key and another subprotocol', () => {
    const bad = (resp: (req: string) => Uint8Array) => {
      const c = new WsCodec('h', 80, '/mqtt', false, { random, sha1 });
      const r = sinkRecorder();
      c.receive(resp(Buffer.from(c.request()).toString()), r.sink);
      return r.events;
    };
    expect(bad(() => encodeText('HTTP/1.1 404 Not Found\r\n\r\n'))[0]).toMatch(/^fail WebSocket upgrade refused: HTTP\/1.1 404/);
    expect(bad(() => encodeText('HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: xx\r\n\r\n'))[0]).toMatch(/Accept/);
    expect(bad((req) => response101(req, 'Sec-WebSocket-Protocol: chat\r\n'))[0]).toMatch(/subprotocol "chat"/);
    expect(bad((req) => response101(req, ''))).toEqual(['open']); // no protocol header: accepted
  });

  it('streams payload bytes of frames split anywhere, including 16-bit, 64-bit and masked frames', () => {
    const c = new WsCodec('h', 80, '/', false, { random });
    const r = sinkRecorder();
    c.receive(encodeText('HTTP/1.1 101 x\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\n\r\n'), r.sink);
    const big = new Uint8Array(70000).map((_, i) => i & 255);
    const mid = new Uint8Array(1030).map((_, i) => (i * 7) & 255);
    const stream = Uint8Array.from([
      ...serverFrame(mid),
      ...serverFrame([1, 2, 3], 2, false),
      ...serverFrame([4, 5], 0, true), // continuation
      ...serverFrame([9, 9, 9, 9, 9], 2, true, [1, 2, 3, 4]),
      ...serverFrame(big),
    ]);
    for (let i = 0; i < stream.length; i += 997) c.receive(stream.slice(i, i + 997), r.sink);
    expect(r.events).toEqual(['open']);
    expect(r.data.length).toBe(1030 + 5 + 5 + 70000);
    expect(r.data.slice(0, 1030)).toEqual([...mid]);
    expect(r.data.slice(1030, 1040)).toEqual([1, 2, 3, 4, 5, 9, 9, 9, 9, 9]);
    expect(r.data.slice(1040)).toEqual([...big]);
  });

  it('answers a ping with a pong and reports a close frame', () => {
    const c = new WsCodec('h', 80, '/', false, { random });
    const r = sinkRecorder();
    c.receive(encodeText('HTTP/1.1 101 x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'), r.sink);
    c.receive(Uint8Array.from([...serverFrame([7, 8], 9), ...serverFrame([], 10), ...serverFrame([0x03, 0xe8], 8), ...serverFrame([1])]), r.sink);
    expect(clientFrames(r.sent[0]!)).toEqual([{ opcode: 10, payload: [7, 8] }]);
    expect(r.events).toEqual(['open', 'closed 1000']);
    expect(r.data).toEqual([]); // nothing after the close frame
  });

  it('fails on reserved bits, unknown opcodes and oversized control frames', () => {
    for (const frame of [Uint8Array.of(0xc2, 0), serverFrame([], 3), Uint8Array.of(0x89, 126, 0, 200)]) {
      const c = new WsCodec('h', 80, '/', false, { random });
      const r = sinkRecorder();
      c.receive(encodeText('HTTP/1.1 101 x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'), r.sink);
      c.receive(frame, r.sink);
      expect(r.events[1]).toMatch(/^fail /);
    }
  });

  it('masks outgoing binary frames with 7-, 16- and 64-bit lengths', () => {
    const c = new WsCodec('h', 80, '/', false, { random });
    for (const n of [0, 125, 126, 65535, 65536]) {
      const payload = new Uint8Array(n).map((_, i) => i & 255);
      const [frame] = clientFrames(c.frame(payload));
      expect(frame!.opcode).toBe(2);
      expect(frame!.payload).toEqual([...payload]);
    }
  });

  it('base64 and utf8 helpers', () => {
    expect(base64(Uint8Array.of())).toBe('');
    expect(base64(Uint8Array.of(1, 2, 3, 4))).toBe(Buffer.from([1, 2, 3, 4]).toString('base64'));
    expect([...encodeText('aé€😀')]).toEqual([...Buffer.from('aé€😀')]);
  });
});

describe('ws / wss transports', () => {
  let f: Fakes;
  let log: ReturnType<typeof recordingLog>;
  beforeEach(() => {
    f = makeFakes();
    log = recordingLog();
  });

  function events() {
    const r = { log: [] as string[], data: [] as number[], closes: [] as [TransportFailure, string | undefined][] };
    const e: TransportEvents = {
      onOpen: () => r.log.push('open'),
      onData: (b) => r.data.push(...b),
      onDrain: () => r.log.push('drain'),
      onClose: (failure, detail) => {
        r.log.push(`close ${failure}`);
        r.closes.push([failure, detail]);
      },
    };
    return { r, e };
  }

  function connector(): ModdableConnector {
    return new ModdableConnector(f.modules, new CaChooser({}, f.modules, log), { maxQueuedBytes: 4096, lingerMs: 1000, log }, { random, sha1 });
  }

  it('ws: upgrade, then MQTT bytes in binary frames both ways; close sends a close frame', () => {
    const { r, e } = events();
    const t = connector().open({ scheme: 'ws', host: 'localhost', port: 8080, path: '/mqtt' }, e);
    const s = FakeSocket.last();
    s.connect();
    const req = Buffer.from(s.takeSent()).toString();
    expect(req).toMatch(/^GET \/mqtt HTTP\/1.1\r\nHost: localhost:8080\r\n/);
    expect(t.write(Uint8Array.of(0x10, 0))).toBe(true); // before the 101: held back
    expect(s.sent).toEqual([]);
    s.receive(response101(req));
    expect(r.log).toEqual(['open']);
    expect(clientFrames(s.takeSent())).toEqual([{ opcode: 2, payload: [0x10, 0] }]);
    s.receive(serverFrame([0x20, 2, 0, 0]));
    expect(r.data).toEqual([0x20, 2, 0, 0]);
    t.write(Uint8Array.of(0xe0, 0));
    t.close();
    expect(clientFrames(s.takeSent()).map((x) => x.opcode)).toEqual([2, 8]);
    f.timer.advance(0);
    expect(r.closes).toEqual([['closed', 'closed by the device']]);
  });

  it('a refused upgrade is "websocket"; a connection dropped during it too', () => {
    const a = events();
    connector().open({ scheme: 'ws', host: 'h', port: 80, path: '/mqtt' }, a.e);
    const s = FakeSocket.last();
    s.connect();
    s.receive(encodeText('HTTP/1.1 400 Bad Request\r\n\r\n'));
    f.timer.advance(0);
    expect(a.r.closes[0]![0]).toBe('websocket');
    expect(s.closed).toBe(1);

    const b = events();
    connector().open({ scheme: 'ws', host: 'h', port: 80, path: '/mqtt' }, b.e);
    const s2 = FakeSocket.last();
    s2.connect();
    s2.disconnect();
    f.timer.advance(0);
    expect(b.r.closes[0]![0]).toBe('websocket');
  });

  it('a close frame from the server is answered and ends with "closed"', () => {
    const { r, e } = events();
    connector().open({ scheme: 'ws', host: 'h', port: 80, path: '/mqtt' }, e);
    const s = FakeSocket.last();
    s.connect();
    s.receive(response101(Buffer.from(s.takeSent()).toString()));
    s.receive(serverFrame([0x03, 0xe9], 8));
    expect(clientFrames(s.takeSent()).map((x) => x.opcode)).toEqual([8]);
    f.timer.advance(0);
    expect(r.closes[0]).toEqual(['closed', 'the server closed the WebSocket (1001)']);
  });

  it('wss: the upgrade runs over SecureSocket after the TLS handshake', () => {
    const { r, e } = events();
    connector().open({ scheme: 'wss', host: 'blynk.cloud', port: 443, path: '/mqtt' }, e);
    const s = FakeSecureSocket.lastSecure();
    s.sock.connect();
    expect(s.sent).toEqual([]);
    s.handshake();
    const req = Buffer.from(s.takeSent()).toString();
    expect(req).toContain('Host: blynk.cloud\r\n');
    s.receive(response101(req));
    expect(r.log).toEqual(['open']);
  });

  it('a frame larger than the free send buffer goes out in pieces', () => {
    const { e } = events();
    const t = connector().open({ scheme: 'ws', host: 'h', port: 80, path: '/mqtt' }, e);
    const s = FakeSocket.last();
    s.connect();
    s.receive(response101(Buffer.from(s.takeSent()).toString()));
    s.free = 1024;
    const msg = new Uint8Array(1024).fill(5); // a max-size Blynk packet: frame = 1032 bytes
    expect(t.write(msg)).toBe(true);
    expect(s.sent.length).toBe(1024);
    s.writable(1024);
    const [frame] = clientFrames(s.takeSent());
    expect(frame!.payload).toEqual([...msg]);
  });
});
