// Attack on the Moddable HAL's data path after stream.ts read the socket inline and
// transport.ts merged data() into bytes(view, unframed) (issue 14). A socket that hands its
// bytes over in pieces (several reads per callback), WebSocket frames fragmented and split
// anywhere with pings between the fragments, a core whose onData throws or closes the transport
// in the middle of a chunk. The model: onData sees exactly the MQTT bytes in order (plain: the
// socket's bytes unchanged; ws: the frames' payloads), and nothing at all once close() was called.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { CaChooser, ModdableConnector } from '../../hal/moddable/connector';
import type { Transport, TransportEvents } from '../../hal/interfaces';
import { makeFakes, recordingLog, type Fakes } from '../hal/moddable/fakes/modules';
import { FakeSocket } from '../hal/moddable/fakes/socket';

const SEED = Number(process.env.TEST_SEED ?? 505002);
const sha1 = (b: Uint8Array) => new Uint8Array(createHash('sha1').update(b).digest());
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
let rnd = 7;
const random = () => ((rnd = (rnd * 16807) % 2147483647) / 2147483647);

/** A socket whose read() hands over at most `piece` bytes: the transport must loop inside one callback. */
class PieceSocket extends FakeSocket {
  static piece = 1;
  static reads = 0;
  override read(): number;
  override read(type: typeof ArrayBuffer, count?: number): ArrayBuffer | undefined;
  override read(type?: typeof ArrayBuffer, count?: number): number | ArrayBuffer | undefined {
    if (type === undefined) return super.read();
    PieceSocket.reads++;
    return super.read(type, Math.min(count ?? Infinity, PieceSocket.piece));
  }
}

function response101(request: string): number[] {
  const key = /Sec-WebSocket-Key: (.*)\r\n/.exec(request)![1]!;
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  return [...Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n`)];
}

function frame(payload: number[], opcode: number, fin: boolean): number[] {
  const head = [(fin ? 0x80 : 0) | opcode];
  if (payload.length < 126) head.push(payload.length);
  else head.push(126, payload.length >> 8, payload.length & 255);
  return [...head, ...payload];
}

/** Cut `bytes` at the given points (as fractions), in order. */
function cut(bytes: number[], at: number[]): number[][] {
  const points = [...new Set(at.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
  const out: number[][] = [];
  let from = 0;
  for (const p of points) {
    if (p > from) out.push(bytes.slice(from, p));
    from = Math.max(from, p);
  }
  if (from < bytes.length) out.push(bytes.slice(from));
  return out;
}

interface Run {
  got: number[];
  callsAfterClose: number;
  /** Socket reads after close() (a close that lingers for queued bytes: the socket stays open). */
  readsAfterClose: number;
  closes: string[];
}

function drive(f: Fakes, scheme: 'mqtt' | 'ws', build: (request: string) => number[], chunks: number[], closeAt: number | null, throwAt: number | null, linger = false): Run {
  const log = recordingLog();
  const connector = new ModdableConnector(f.modules, new CaChooser({}, f.modules, log), { maxQueuedBytes: 1 << 16, lingerMs: 1000, log }, { random, sha1 });
  const run: Run = { got: [], callsAfterClose: 0, readsAfterClose: 0, closes: [] };
  let readsAtClose = -1;
  let closed = false;
  let thrown = false;
  let t: Transport | undefined;
  const e: TransportEvents = {
    onOpen: () => {},
    onData: (b) => {
      if (closed) run.callsAfterClose++;
      run.got.push(...b);
      if (closeAt !== null && !closed && run.got.length >= closeAt) {
        closed = true;
        if (linger) t!.write(new Uint8Array(64)); // cannot go out (no room): close() lingers for it
        readsAtClose = PieceSocket.reads;
        t!.close();
      }
      if (throwAt !== null && !thrown && run.got.length >= throwAt) {
        thrown = true;
        throw new Error('the core broke');
      }
    },
    onDrain: () => {},
    onClose: (failure) => void run.closes.push(failure),
  };
  t = connector.open(scheme === 'ws' ? { scheme: 'ws', host: 'h', port: 80, path: '/mqtt' } : { scheme: 'mqtt', host: 'h', port: 1883, path: '' }, e);
  const s = FakeSocket.last();
  s.connect();
  const stream = build(Buffer.from(s.takeSent()).toString());
  if (linger) s.free = 0;
  for (const c of cut(stream, chunks)) {
    if (s.closed) break; // the SDK delivers nothing to a closed socket
    s.receive(c);
  }
  if (readsAtClose >= 0) run.readsAfterClose = PieceSocket.reads - readsAtClose;
  f.timer.advance(5000);
  if (throwAt !== null && thrown) expect(log.lines.some((l) => l.includes('transport onData threw'))).toBe(true);
  return run;
}

const mqtt = fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 400 });
const fractions = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 });
const stop = fc.option(fc.integer({ min: 1, max: 400 }), { nil: null });

function check(payload: number[], run: Run, closeAt: number | null): void {
  expect(run.callsAfterClose).toBe(0);
  expect(run.readsAfterClose).toBe(0);
  if (closeAt === null || closeAt > payload.length) {
    expect(run.got).toEqual(payload);
  } else {
    expect(run.got.length).toBeGreaterThanOrEqual(closeAt);
    expect(run.got).toEqual(payload.slice(0, run.got.length));
    expect(run.closes).toEqual(['closed']);
  }
  expect(run.closes.length).toBeLessThanOrEqual(1);
}

describe('Moddable transport data path (attack5)', () => {
  test(`plain MQTT: the socket's bytes in pieces, unchanged, none after close(), no read after it even while it lingers (seed ${SEED})`, () => {
    fc.assert(
      fc.property(mqtt, fractions, fc.integer({ min: 1, max: 64 }), stop, stop, fc.boolean(), (payload, chunks, piece, closeAt, throwAt, linger) => {
        PieceSocket.piece = piece;
        const f = makeFakes();
        (f.modules as { Socket: unknown }).Socket = PieceSocket;
        const run = drive(f, 'mqtt', () => payload, chunks, closeAt, throwAt, linger);
        check(payload, run, closeAt);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  test(`WebSocket: fragmented frames split anywhere, pings between fragments, the 101 in the same chunk; none after close(), no read after it even while it lingers (seed ${SEED})`, () => {
    const message = fc.tuple(mqtt, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }), fc.array(fc.boolean(), { maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 3 }), fractions, fc.integer({ min: 1, max: 64 }), stop, stop, fc.boolean(), (messages, chunks, piece, closeAt, throwAt, linger) => {
        PieceSocket.piece = piece;
        const f = makeFakes();
        (f.modules as { Socket: unknown }).Socket = PieceSocket;
        const payload: number[] = [];
        const frames: number[] = [];
        for (const [bytes, at, pings] of messages) {
          payload.push(...bytes);
          const parts = cut(bytes, at);
          parts.forEach((p, i) => {
            frames.push(...frame(p, i === 0 ? 2 : 0, i === parts.length - 1));
            if (pings[i] && i < parts.length - 1) frames.push(...frame([1, 2, 3], 9, true));
          });
        }
        const run = drive(f, 'ws', (req) => [...response101(req), ...frames], chunks, closeAt, throwAt, linger);
        check(payload, run, closeAt);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  test('plain MQTT bytes that look like a WebSocket frame are not unframed', () => {
    const f = makeFakes();
    const payload = frame([0x20, 2, 0, 0], 2, true);
    const run = drive(f, 'mqtt', () => payload, [], null, null);
    expect(run.got).toEqual(payload);
  });
});
