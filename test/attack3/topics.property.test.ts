// attack3: TopicCache.find/findIn (unrolled compare: the last 8 bytes, then the groups; FIFO per
// set, no reordering on a hit; views kept by array identity) against an exact model: per set, a
// FIFO of two. Clause: MQTT-3.3.2-2 / C-LIMITS-3 (a cached topic is one that passed the checks;
// a hit must be the very same bytes, never a neighbour's string).
import { TopicCache, TOPIC_CACHE_MAX_BYTES } from '../../src/mqtt/topics';
import { prng, SEED } from '../mqtt/helpers';

const enc = new TextEncoder();
const dec = new TextDecoder();
const RUNS = Number(process.env.ATTACK3_RUNS ?? 3000);

/** True if some 8-byte group the cache stores for these bytes reads as a NaN double. */
function hasNaNGroup(b: Uint8Array): boolean {
  if (b.length < 8) return false;
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  for (let k = 0; k + 8 <= b.length; k += 8) if (Number.isNaN(v.getFloat64(k))) return true;
  return Number.isNaN(v.getFloat64(b.length - 8));
}

class Model {
  private readonly sets = new Map<number, string[]>(); // per set: [older, newer] as hex keys
  private readonly strs = new Map<string, string>();
  add(b: Uint8Array, s: string): void {
    const n = b.length;
    if (n <= 0 || n > TOPIC_CACHE_MAX_BYTES) return;
    const set = (n + b[n - 1]!) & 7;
    const q = this.sets.get(set) ?? [];
    const key = Buffer.from(b).toString('hex');
    q.push(key);
    if (q.length > 2) q.shift();
    this.sets.set(set, q);
    this.strs.set(key, s);
  }
  find(b: Uint8Array): string | null {
    const n = b.length;
    if (n <= 0 || n > TOPIC_CACHE_MAX_BYTES) return null;
    const key = Buffer.from(b).toString('hex');
    const q = this.sets.get((n + b[n - 1]!) & 7) ?? [];
    return q.includes(key) ? this.strs.get(key)! : null;
  }
}

function pool(rand: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const lens = [1, 2, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 40, 47, 48, 49, 55, 56, 57, 64];
  for (const n of lens) {
    // A few per length that share everything but one byte (near misses at every position).
    const b = new Uint8Array(n).map(() => 0x61 + Math.floor(rand() * 3));
    out.push(b);
    for (let i = 0; i < n; i++) {
      const c = Uint8Array.from(b);
      c[i] = c[i]! === 0x61 ? 0x7a : 0x61;
      out.push(c);
    }
  }
  // Non-ASCII, DEL, and an 8-byte group that is a NaN double (7f f0 90 80 80 ...).
  for (const s of ['\u007f\u{10000}\u{10000}', 'ab\u007f\u{10000}\u{10000}cdef', 'downlink/ds/\u00e9\u00e9\u00e9', '\u{1F600}\u{1F600}\u{1F600}\u{1F600}']) out.push(enc.encode(s));
  return out;
}

/** The bytes at an odd offset of a bigger buffer, in a new array object (or in `into`). */
function placed(b: Uint8Array, rand: () => number, shared: Uint8Array): Uint8Array {
  const r = rand();
  if (r < 0.3) return Uint8Array.from(b);
  const at = 1 + 2 * Math.floor(rand() * ((shared.length - b.length - 2) / 2));
  shared.set(b, at);
  if (r < 0.6) return shared.subarray(at, at + b.length);
  const whole = new Uint8Array(b.length + 9);
  whole.set(b, 5);
  return whole.subarray(5, 5 + b.length);
}

describe('MQTT-3.3.2-2 TopicCache: a hit is exactly the bytes looked up; FIFO of two per set', () => {
  test('seeded operations against the model, through find() and findIn(), buffers at odd offsets', () => {
    const rand = prng(SEED ^ 0x70b1c);
    const topics = pool(rand);
    const shared = new Uint8Array(256);
    for (let run = 0; run < 20; run++) {
      const c = new TopicCache();
      const m = new Model();
      for (let op = 0; op < RUNS / 20; op++) {
        const b = topics[Math.floor(rand() * topics.length)]!;
        const arr = placed(b, rand, shared);
        const viaIn = rand() < 0.5;
        const got = viaIn ? c.findIn(arr, 0, arr.length, new DataView(arr.buffer), arr.byteOffset) : c.find(arr, 0, arr.length);
        const want = hasNaNGroup(b) ? null : m.find(b);
        if (got !== want) throw new Error(`seed ${SEED} run ${run} op ${op}: ${viaIn ? 'findIn' : 'find'}(${Buffer.from(b).toString('hex')}) = ${JSON.stringify(got)}, model ${JSON.stringify(want)}`);
        if (got === null) {
          const s = dec.decode(b);
          c.add(arr, 0, arr.length, s);
          m.add(b, s);
        }
      }
    }
  });

  test('a topic whose stored group is a NaN double is never a hit (and never the wrong string): decoded each time', () => {
    const c = new TopicCache();
    const b = enc.encode('\u007f\u{10000}\u{10000}'); // 7f f0 90 80 80 f0 90 80 f0 ...: group 0 is a NaN
    expect(hasNaNGroup(b)).toBe(true);
    c.add(b, 0, b.length, 'x');
    expect(c.find(b, 0, b.length)).toBeNull();
  });

  test('the same array object with new contents: the view kept by identity reads the new bytes', () => {
    const c = new TopicCache();
    const buf = new Uint8Array(40);
    buf.set(enc.encode('downlink/ds/Temperature1'), 3);
    c.add(buf, 3, 27, 'downlink/ds/Temperature1');
    expect(c.find(buf, 3, 27)).toBe('downlink/ds/Temperature1');
    buf.set(enc.encode('downlink/ds/Temperature9'), 3);
    expect(c.find(buf, 3, 27)).toBeNull();
    buf.set(enc.encode('downlink/ds/Temperature1'), 3);
    expect(c.find(buf, 3, 27)).toBe('downlink/ds/Temperature1');
  });
});
