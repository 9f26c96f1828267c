import { checkHeader, decodeBody, readVarint, VARINT_MALFORMED, VARINT_NEED_MORE, varintLength, varintValue } from '../../src/mqtt/decode';
import type { IncomingPacket } from '../../src/mqtt/packets';
import { SeededRandom } from '../../hal/random';
// Shared by the MQTT tests: hex vectors, error checks, the seed for randomized tests, and a
// driver that runs a byte stream through a Framer and records what comes out.

import fc from 'fast-check';
import { BlynkError, ErrorCode, err } from '../../src/errors';
import { FRAME_ERROR, FRAME_NEED_MORE, FRAME_OVERSIZE, FRAME_OVERSIZE_ID, FRAME_PACKET, Framer } from '../../src/mqtt/framer';

/** Bytes from hex written with spaces, e.g. `hex('30 0b 00 08')`. */
export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 2 !== 0) throw new Error(`odd hex: ${s}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Expect a typed error value with this code (and return it for more checks). */
export function expectError(v: unknown, code: ErrorCode): BlynkError {
  expect(v).toBeInstanceOf(BlynkError);
  expect((v as BlynkError).code).toBe(code);
  return v as BlynkError;
}

/** Expect bytes (not an error) and return them. */
export function expectBytes(v: Uint8Array | BlynkError): Uint8Array {
  if (v instanceof BlynkError) throw new Error(`expected bytes, got ${v.code}: ${v.message}`);
  return v;
}

/** The seed of every randomized test: FUZZ_SEED from the environment, else a fixed one. */
export const SEED: number = (() => {
  const v = process.env.FUZZ_SEED;
  if (v === undefined || v === '') return 0x5eed2;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`FUZZ_SEED must be an integer, not ${v}`);
  return n | 0;
})();

/** fc.assert with the suite's seed; the failure message starts with the seed to rerun it. */
export function checkProperty(prop: fc.IProperty<unknown> | fc.IAsyncProperty<unknown>, numRuns: number): void {
  try {
    fc.assert(prop as fc.IProperty<unknown>, { seed: SEED, numRuns });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`randomized test failed; rerun with FUZZ_SEED=${SEED}\n${msg}`);
  }
}

/** The project's seeded PRNG as a function, for loops that do not go through fast-check. */
export function prng(seed: number): () => number {
  const r = new SeededRandom(seed);
  return () => r.next();
}

/** What the framer reported, as comparable text. */
export type FrameEvent = string;

/** Describe the framer's current result. */
export function describeResult(framer: Framer, r: number): FrameEvent {
  const p = framer.packet;
  switch (r) {
    case FRAME_PACKET:
      switch (p.type) {
        case 3:
          return `PUBLISH q${p.qos}${p.dup ? ' dup' : ''}${p.retain ? ' retain' : ''} id=${p.id} ${JSON.stringify(p.topic)} [${toHex(p.payload)}]`;
        case 2:
          return `CONNACK sp=${p.sessionPresent} rc=${p.returnCode}`;
        case 9:
          return `SUBACK id=${p.id} [${p.granted.join(',')}]`;
        case 13:
          return 'PINGRESP';
        default:
          return `type${p.type} id=${p.id}`;
      }
    case FRAME_OVERSIZE:
      return `OVERSIZE ${framer.oversizeLength}`;
    case FRAME_OVERSIZE_ID:
      return `OVERSIZE_ID q${p.qos} id=${p.id}`;
    case FRAME_ERROR:
      return `ERROR ${framer.error?.code}`;
    default:
      return `?${r}`;
  }
}

/**
 * Feed `chunks` in order and collect every result until the framer fails. Checks on every
 * step that the ring stays within its capacity and that NEED_MORE means the chunk is used up.
 */
export function runFramer(framer: Framer, chunks: readonly Uint8Array[]): FrameEvent[] {
  const events: FrameEvent[] = [];
  for (const chunk of chunks) {
    framer.feed(chunk);
    for (let guard = 0; ; guard++) {
      if (guard > chunk.length * 2 + 8) throw new Error('framer does not make progress');
      const r = framer.next();
      if (framer.ring.length > framer.ring.capacity) throw new Error('ring over capacity');
      if (r === FRAME_NEED_MORE) {
        // NEED_MORE must mean the chunk is used up: asked again without a new chunk, nothing comes out.
        if (framer.next() !== FRAME_NEED_MORE) throw new Error('NEED_MORE with bytes of the chunk left');
        break;
      }
      events.push(describeResult(framer, r));
      if (r === FRAME_ERROR) return events;
    }
  }
  return events;
}

/** Split `bytes` at the given offsets (sorted, within 1..length-1). */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of cuts) {
    out.push(bytes.slice(prev, c));
    prev = c;
  }
  out.push(bytes.slice(prev));
  return out;
}

/**
 * Decode one whole packet from the start of `bytes` (the runtime itself always goes through the
 * framer). Returns the bytes it used, 0 if `bytes` holds only part of a packet, or an error.
 */
export function decodePacket(bytes: Uint8Array, out: IncomingPacket): number | BlynkError {
  if (bytes.length < 2) return 0;
  const header = bytes[0]!;
  const bad = checkHeader(header);
  if (bad) return bad;
  const packed = readVarint(bytes, 1, bytes.length);
  if (packed === VARINT_MALFORMED) return err(ErrorCode.MALFORMED_LENGTH, 'remaining length longer than 4 bytes');
  if (packed === VARINT_NEED_MORE) return 0;
  const remaining = varintValue(packed);
  const start = 1 + varintLength(packed);
  if (bytes.length < start + remaining) return 0;
  const e = decodeBody(header, bytes, start, remaining, out);
  return e ?? start + remaining;
}
