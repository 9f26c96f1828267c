// Fuzzing the framer (C-LIMITS-3: malformed input never throws and never grows memory): seeded
// random and mutated frames, fed in random fragment sizes to a small (64) and the default (1024)
// receive buffer. Checked on every step: nothing but typed statuses comes out, the ring stays
// within its capacity, the framer makes progress, and the same bytes cut differently give the
// same results. FUZZ_SEED picks the seed, FUZZ_ITERATIONS the number of streams.

import mqttPacket from 'mqtt-packet';
import { BlynkError, ErrorCode } from '../../src/errors';
import { encodePublish } from '../../src/mqtt/encode';
import { FRAME_ERROR, FRAME_NEED_MORE, FRAME_OVERSIZE, FRAME_OVERSIZE_ID, FRAME_PACKET, Framer } from '../../src/mqtt/framer';
import { describeResult, prng, SEED, toHex } from './helpers';

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 100_000);

const WIRE_ERRORS = new Set<string>([
  ErrorCode.MALFORMED_LENGTH,
  ErrorCode.BAD_FLAGS,
  ErrorCode.BAD_TYPE,
  ErrorCode.BAD_QOS,
  ErrorCode.BAD_PACKET_ID,
  ErrorCode.BAD_UTF8,
  ErrorCode.BAD_TOPIC,
  ErrorCode.TRUNCATED,
  ErrorCode.TOO_LARGE,
]);
const CLIENT_TYPES = new Set([2, 3, 4, 9, 11, 13]);

type Rand = () => number;
const int = (rand: Rand, n: number) => Math.floor(rand() * n);

/** Valid packets a client receives, of many shapes and sizes around both receive buffers. */
function validPool(rand: Rand): Uint8Array[] {
  const topics = ['downlink/ds/Power', 'downlink/ping', 'a', 'downlink/ds/é😀', 'x/'.repeat(30)];
  const pool: Uint8Array[] = [];
  const gen = (p: object) => pool.push(new Uint8Array(mqttPacket.generate(p as mqttPacket.Packet)));
  // Mostly small packets, around the small buffer's limit; a few around and over the default one.
  const small = [0, 1, 4, 20, 40, 45, 50, 59, 60, 61, 62, 63, 80, 100];
  for (const size of [...small, ...small, 500, 1000, 1005, 1010, 1020, 1030, 3000]) {
    for (const qos of [0, 1, 2]) {
      const payload = Buffer.alloc(size, 0x41 + (size % 26));
      gen({ cmd: 'publish', topic: topics[int(rand, topics.length)], payload, qos, dup: qos > 0 && rand() < 0.5, retain: rand() < 0.3, messageId: 1 + int(rand, 65535) });
    }
  }
  for (let rc = 0; rc < 6; rc++) gen({ cmd: 'connack', returnCode: rc, sessionPresent: rc === 0 });
  gen({ cmd: 'suback', messageId: 1, granted: [0, 1, 0x80] });
  gen({ cmd: 'puback', messageId: 77 });
  gen({ cmd: 'unsuback', messageId: 3 });
  gen({ cmd: 'pingresp' });
  const own = encodePublish({ topic: 'ds/Temperature', payload: '21.7' });
  if (own instanceof Uint8Array) pool.push(own);
  return pool;
}

function randomBytes(rand: Rand, n: number, maxByte = 256): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    const v = (rand() * 4294967296) >>> 0; // four bytes per draw
    for (let k = 0; k < 4 && i + k < n; k++) out[i + k] = ((v >>> (8 * k)) & 0xff) % maxByte;
  }
  return out;
}

function randomVarint(rand: Rand): number[] {
  const pick = rand();
  if (pick < 0.1) return [0x80 | int(rand, 128), 0x80 | int(rand, 128), 0x80 | int(rand, 128), 0x80 | int(rand, 128), int(rand, 256)]; // 5 bytes
  const value = pick < 0.4 ? int(rand, 128) : pick < 0.6 ? 55 + int(rand, 20) : pick < 0.8 ? 1000 + int(rand, 60) : int(rand, 268_435_456);
  const out: number[] = [];
  let n = value;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

function headerLength(p: Uint8Array): number {
  let i = 1;
  while (i < p.length && i < 5 && (p[i]! & 0x80) !== 0) i++;
  return Math.min(i + 1, p.length);
}

/** One random or mutated frame. */
function mutate(rand: Rand, pool: Uint8Array[]): Uint8Array {
  const base = pool[int(rand, pool.length)]!;
  const kind = int(rand, 10);
  switch (kind) {
    case 0:
      return base;
    case 1: {
      const out = base.slice();
      const flips = 1 + int(rand, 4);
      for (let i = 0; i < flips && out.length > 0; i++) out[int(rand, out.length)]! ^= 1 << int(rand, 8);
      return out;
    }
    case 2:
      return base.subarray(0, int(rand, base.length + 1));
    case 3: {
      const other = pool[int(rand, pool.length)]!;
      const a = base.subarray(0, int(rand, base.length + 1));
      const b = other.subarray(int(rand, other.length + 1));
      const out = new Uint8Array(a.length + b.length);
      out.set(a);
      out.set(b, a.length);
      return out;
    }
    case 4: {
      // the same body behind a random remaining length
      const body = base.subarray(headerLength(base));
      const len = randomVarint(rand);
      const out = new Uint8Array(1 + len.length + body.length);
      out[0] = base[0]!;
      out.set(len, 1);
      out.set(body, 1 + len.length);
      return out;
    }
    case 5: {
      return randomBytes(rand, int(rand, 70));
    }
    case 6: {
      const out = base.slice();
      out[0] = int(rand, 256);
      return out;
    }
    case 7: {
      // a random header byte of a client type, a random length, random body bytes
      const types = [0x20, 0x30, 0x32, 0x34, 0x3b, 0x40, 0x90, 0xb0, 0xd0];
      const len = randomVarint(rand);
      const body = randomBytes(rand, int(rand, 80), rand() < 0.5 ? 128 : 256);
      return Uint8Array.from([types[int(rand, types.length)]!, ...len, ...body]);
    }
    case 8: {
      // corrupt the topic length or the bytes right after the header
      const out = base.slice();
      const at = headerLength(base);
      for (let i = 0; i < 2 && at + i < out.length; i++) out[at + i] = int(rand, 256);
      return out;
    }
    default: {
      // insert or delete a few bytes somewhere
      const at = int(rand, base.length + 1);
      if (rand() < 0.5) return Uint8Array.from([...base.subarray(0, at), ...randomBytes(rand, 1 + int(rand, 4)), ...base.subarray(at)]);
      return Uint8Array.from([...base.subarray(0, at), ...base.subarray(Math.min(base.length, at + 1 + int(rand, 4)))]);
    }
  }
}

function fragments(rand: Rand, bytes: Uint8Array): Uint8Array[] {
  // Byte-sized pieces for short streams; long ones (mostly drained bodies) in larger pieces.
  const sizes = bytes.length > 256 ? [5, 16, 64, 300, 2000] : [1, 2, 3, 7, 16, 64, 2000];
  const maxSize = Math.max(sizes[int(rand, sizes.length)]!, bytes.length >> 5); // at most ~64 pieces
  const out: Uint8Array[] = [];
  let draw = 0;
  for (let pos = 0, k = 0; pos < bytes.length; k++) {
    if ((k & 1) === 0) draw = (rand() * 4294967296) >>> 0; // two 16-bit sizes per draw
    const n = 1 + (((k & 1) === 0 ? draw & 0xffff : draw >>> 16) % maxSize);
    out.push(bytes.subarray(pos, pos + n));
    pos += n;
  }
  if (rand() < 0.05) out.splice(int(rand, out.length + 1), 0, new Uint8Array(0)); // an empty chunk now and then
  return out;
}

/**
 * A short description of a result, to keep the comparison cheap: payloads by length and a hash
 * of their ends (payload contents under any cut are compared in full by the differential tests).
 */
function summary(framer: Framer, r: number): string {
  if (r !== FRAME_PACKET || framer.packet.type !== 3) return describeResult(framer, r);
  const p = framer.packet;
  let h = 0x811c9dc5;
  const b = p.payload;
  for (let i = 0; i < b.length; i = i === 15 && b.length > 32 ? b.length - 16 : i + 1) h = Math.imul(h ^ b[i]!, 0x01000193);
  return `PUBLISH q${p.qos} ${p.dup} ${p.retain} ${p.id} ${p.topic} ${b.length}:${h >>> 0}`;
}

/** Run chunks through a framer, checking every step; returns what came out. */
function drive(framer: Framer, chunks: Uint8Array[], fail: (why: string) => never): string[] {
  const events: string[] = [];
  for (const chunk of chunks) {
    framer.feed(chunk);
    const bound = 2 * chunk.length + 4;
    for (let calls = 0; ; calls++) {
      if (calls > bound) fail(`no progress after ${calls} calls on a ${chunk.length}-byte chunk`);
      let r: number;
      try {
        r = framer.next();
      } catch (e) {
        fail(`next() threw ${(e as Error)?.stack ?? e}`);
      }
      if (framer.ring.length > framer.ring.capacity) fail(`ring holds ${framer.ring.length} > capacity ${framer.ring.capacity}`);
      if (r === FRAME_NEED_MORE) {
        if (framer.next() !== FRAME_NEED_MORE) fail('NEED_MORE while the chunk still has bytes'); // asked again: nothing left
        break;
      }
      if (r === FRAME_ERROR) {
        const e = framer.error;
        if (!(e instanceof BlynkError) || !WIRE_ERRORS.has(e.code)) fail(`untyped or unexpected error ${String(e)}`);
        events.push(describeResult(framer, r));
        if (framer.next() !== FRAME_ERROR) fail('a failed framer did not stay failed');
        return events;
      }
      if (r === FRAME_PACKET && !CLIENT_TYPES.has(framer.packet.type)) fail(`packet of type ${framer.packet.type}`);
      if (r !== FRAME_PACKET && r !== FRAME_OVERSIZE && r !== FRAME_OVERSIZE_ID) fail(`unknown status ${r}`);
      events.push(summary(framer, r));
    }
  }
  return events;
}

describe('Framer fuzz (C-LIMITS-3)', () => {
  // Most streams end in a protocol error; capturing a stack trace for each would dominate the run.
  const stackTraceLimit = Error.stackTraceLimit;
  beforeAll(() => {
    Error.stackTraceLimit = 0;
  });
  afterAll(() => {
    Error.stackTraceLimit = stackTraceLimit;
  });

  test(`${ITERATIONS} streams of random and mutated frames, seed ${SEED} (FUZZ_SEED)`, () => {
    const rand = prng(SEED);
    const pool = validPool(rand);
    const framers = [new Framer(64), new Framer(64), new Framer(1024), new Framer(1024)];
    let frames = 0;
    let packets = 0;
    let errors = 0;
    let oversize = 0;
    for (let it = 0; it < ITERATIONS; it++) {
      const n = 1 + int(rand, 3);
      const parts: Uint8Array[] = [];
      for (let i = 0; i < n; i++) parts.push(rand() < 0.2 ? pool[int(rand, pool.length)]! : mutate(rand, pool));
      frames += n;
      const stream = new Uint8Array(parts.reduce((len, p) => len + p.length, 0));
      parts.reduce((at, p) => (stream.set(p, at), at + p.length), 0);
      // Usually start clean; sometimes carry the state of the last stream over.
      if (rand() < 0.8) for (const f of framers) f.reset();
      const fail = (why: string): never => {
        throw new Error(`fuzz failure (FUZZ_SEED=${SEED}, iteration ${it}): ${why}\nstream: ${toHex(stream)}`);
      };
      for (let k = 0; k < 4; k += 2) {
        const cut = drive(framers[k]!, fragments(rand, stream), fail);
        const whole = drive(framers[k + 1]!, [stream], fail);
        if (cut.join('\n') !== whole.join('\n')) fail(`cut and whole differ (rxbuff ${framers[k]!.maxRemaining}):\n${cut.join('\n')}\n---\n${whole.join('\n')}`);
        for (const e of whole) {
          if (e.startsWith('ERROR')) errors++;
          else if (e.startsWith('OVERSIZE ')) oversize++;
          else packets++;
        }
        if (whole.length && whole[whole.length - 1]!.startsWith('ERROR')) {
          framers[k]!.reset();
          framers[k + 1]!.reset();
        }
      }
    }
    expect(frames).toBeGreaterThanOrEqual(ITERATIONS);
    // The mix really exercises every path.
    expect(packets).toBeGreaterThan(ITERATIONS / 10);
    expect(errors).toBeGreaterThan(ITERATIONS / 10);
    expect(oversize).toBeGreaterThan(ITERATIONS / 100);
  });
});
