// The incoming topic cache: a hit is exactly the bytes stored, eviction replaces the way of a
// set filled first (a hit does not reorder: that write costs XS more than it saves), long
// topics are never stored, memory is fixed.

import { TOPIC_CACHE_MAX_BYTES, TopicCache } from '../../src/mqtt/topics';
import { ascii, prng, SEED } from './helpers';

function put(c: TopicCache, s: string): void {
  const b = ascii(s);
  expect(c.find(b, 0, b.length)).toBeNull();
  c.add(b, 0, b.length, s);
}

const find = (c: TopicCache, s: string) => {
  const framed = ascii(`xx${s}yy`); // not at the start of the buffer
  return c.find(framed, 2, 2 + s.length);
};

describe('TopicCache', () => {
  test('a stored topic is found by its bytes, anywhere in a buffer', () => {
    const c = new TopicCache();
    put(c, 'downlink/ds/Power');
    expect(find(c, 'downlink/ds/Power')).toBe('downlink/ds/Power');
    expect(find(c, 'downlink/ds/Powes')).toBeNull();
    expect(find(c, 'eownlink/ds/Power')).toBeNull();
    expect(find(c, 'downlink/ds/Powe')).toBeNull();
  });

  test('same set, two ways: the one filled first is replaced, hits or not', () => {
    const c = new TopicCache();
    // Same length and last byte: the same set.
    put(c, 'aa1');
    put(c, 'ba1');
    expect(find(c, 'aa1')).toBe('aa1'); // a hit does not reorder
    put(c, 'ca1'); // replaces aa1, filled first
    expect(find(c, 'aa1')).toBeNull();
    expect(find(c, 'ba1')).toBe('ba1');
    expect(find(c, 'ca1')).toBe('ca1');
    put(c, 'da1'); // replaces ba1
    expect(find(c, 'ba1')).toBeNull();
    expect(find(c, 'ca1')).toBe('ca1');
  });

  test(`topics longer than ${TOPIC_CACHE_MAX_BYTES} bytes and empty ranges are never stored`, () => {
    const c = new TopicCache();
    const long = 'd'.repeat(TOPIC_CACHE_MAX_BYTES + 1);
    c.add(ascii(long), 0, long.length, long);
    expect(find(c, long)).toBeNull();
    const edge = 'e'.repeat(TOPIC_CACHE_MAX_BYTES);
    put(c, edge);
    expect(find(c, edge)).toBe(edge);
    expect(c.find(ascii('x'), 0, 0)).toBeNull();
  });

  test(`never returns a string for other bytes: random topics against a model (seed ${SEED})`, () => {
    const rand = prng(SEED);
    const c = new TopicCache();
    const alphabet = 'ab/';
    for (let i = 0; i < 20000; i++) {
      const len = 1 + Math.floor(rand() * 6);
      let s = '';
      for (let k = 0; k < len; k++) s += alphabet[Math.floor(rand() * alphabet.length)];
      const b = ascii(s);
      const hit = c.find(b, 0, b.length);
      if (hit !== null && hit !== s) throw new Error(`cache returned ${hit} for ${s} (FUZZ_SEED=${SEED})`);
      if (hit === null) c.add(b, 0, b.length, s);
    }
  });

  test(`long topics: near misses in any byte, at any offset, never hit (seed ${SEED})`, () => {
    // Topics of 8 to 60 bytes (every group count and the tail overlap), looked up at random
    // offsets in a larger buffer, against a model; variants differ from a stored topic in one byte.
    const rand = prng(SEED ^ 0x5eed);
    const c = new TopicCache();
    const stored: string[] = [];
    const buf = new Uint8Array(256);
    let hits = 0;
    for (let i = 0; i < 20000; i++) {
      let s: string;
      if (stored.length > 0 && rand() < 0.7) {
        s = stored[Math.floor(rand() * stored.length)]!;
        if (rand() < 0.5) {
          const at = Math.floor(rand() * s.length);
          const ch = String.fromCharCode(0x61 + Math.floor(rand() * 3));
          s = s.slice(0, at) + ch + s.slice(at + 1);
        }
      } else {
        const len = 8 + Math.floor(rand() * 53);
        s = '';
        for (let k = 0; k < len; k++) s += 'abc'[Math.floor(rand() * 3)];
      }
      const off = Math.floor(rand() * (buf.length - s.length));
      buf.fill(0x7a);
      for (let k = 0; k < s.length; k++) buf[off + k] = s.charCodeAt(k);
      const hit = c.find(buf, off, off + s.length);
      if (hit !== null && hit !== s) throw new Error(`cache returned ${hit} for ${s} (FUZZ_SEED=${SEED})`);
      if (hit !== null) hits++;
      else if (s.length <= TOPIC_CACHE_MAX_BYTES) {
        c.add(buf, off, off + s.length, s);
        stored.push(s);
        if (stored.length > 24) stored.shift();
      }
    }
    expect(hits).toBeGreaterThan(1000); // the cache is exercised, not just missed
  });
});
