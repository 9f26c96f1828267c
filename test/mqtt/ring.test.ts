// The fixed-capacity ring behind the receive buffer (C-LIMITS-3): it never grows, a partial write
// says how much it took, and contiguous() turns a wrapped run into one piece in place.

import { Ring } from '../../src/mqtt/ring';
import { prng, SEED } from './helpers';

const seq = (from: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);
const contents = (r: Ring) => Array.from({ length: r.length }, (_, i) => r.at(i));

describe('Ring', () => {
  test('refuses a capacity that is not a positive integer', () => {
    for (const c of [0, -1, 1.5, NaN]) expect(() => new Ring(c)).toThrow(RangeError);
  });

  test('C-LIMITS-3: capacity is never exceeded; a partial write reports how much it took', () => {
    const r = new Ring(8);
    expect(r.write(seq(0, 5), 0, 5)).toBe(5);
    expect(r.write(seq(5, 6), 0, 6)).toBe(3);
    expect([r.length, r.free]).toEqual([8, 0]);
    expect(r.write(seq(0, 4), 0, 4)).toBe(0);
    expect(r.length).toBe(8);
    expect(contents(r)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(r.buf.length).toBe(8);
  });

  test('write takes a range of the source', () => {
    const r = new Ring(4);
    expect(r.write(seq(10, 10), 3, 6)).toBe(3);
    expect(contents(r)).toEqual([13, 14, 15]);
    expect(r.write(seq(0, 3), 2, 2)).toBe(0);
  });

  test('wraps around the end of the storage and reads in order', () => {
    const r = new Ring(6);
    r.write(seq(0, 5), 0, 5);
    r.skip(4); // head at 4, one byte held
    expect(r.write(seq(5, 4), 0, 4)).toBe(4); // bytes 5..8 land at 5, 0, 1, 2
    expect(contents(r)).toEqual([4, 5, 6, 7, 8]);
    expect(Array.from(r.buf.subarray(0, 3))).toEqual([6, 7, 8]);
  });

  test('contiguous(): a run that does not wrap stays where it is', () => {
    const r = new Ring(8);
    r.write(seq(0, 6), 0, 6);
    r.skip(2);
    const at = r.contiguous(4);
    expect(at).toBe(2);
    expect(Array.from(r.buf.subarray(at, at + 4))).toEqual([2, 3, 4, 5]);
  });

  test('contiguous(): a wrapped run is rotated to the start, order kept, nothing allocated', () => {
    const r = new Ring(7);
    const storage = r.buf;
    r.write(seq(0, 6), 0, 6);
    r.skip(5); // head 5
    r.write(seq(6, 5), 0, 5); // 6 at 6, then 7..10 at 0..3
    expect(contents(r)).toEqual([5, 6, 7, 8, 9, 10]);
    const at = r.contiguous(6);
    expect(at).toBe(0);
    expect(Array.from(r.buf.subarray(0, 6))).toEqual([5, 6, 7, 8, 9, 10]);
    expect(r.buf).toBe(storage);
    expect(contents(r)).toEqual([5, 6, 7, 8, 9, 10]); // still readable, and writes continue after it
    expect(r.write(seq(11, 3), 0, 3)).toBe(1);
    expect(contents(r)).toEqual([5, 6, 7, 8, 9, 10, 11]);
  });

  test('skip() to empty restarts at the start; clear() empties', () => {
    const r = new Ring(5);
    r.write(seq(0, 4), 0, 4);
    r.skip(3);
    r.skip(1);
    expect(r.length).toBe(0);
    r.write(seq(9, 2), 0, 2);
    expect(r.contiguous(2)).toBe(0);
    r.clear();
    expect([r.length, r.free]).toEqual([0, 5]);
  });

  test(`random writes, skips and rotations match a plain array model (seed ${SEED})`, () => {
    const rand = prng(SEED);
    for (let round = 0; round < 200; round++) {
      const cap = 1 + Math.floor(rand() * 40);
      const r = new Ring(cap);
      const model: number[] = [];
      let next = 0;
      for (let step = 0; step < 100; step++) {
        const op = rand();
        if (op < 0.5) {
          const n = Math.floor(rand() * (cap + 5));
          const src = seq(next, n);
          const took = r.write(src, 0, n);
          expect(took).toBe(Math.min(n, cap - model.length));
          for (let i = 0; i < took; i++) model.push(src[i]!);
          next += took;
        } else if (op < 0.8) {
          const n = Math.floor(rand() * (model.length + 1));
          r.skip(n);
          model.splice(0, n);
        } else if (model.length > 0) {
          const n = 1 + Math.floor(rand() * model.length);
          const at = r.contiguous(n);
          expect(Array.from(r.buf.subarray(at, at + n))).toEqual(model.slice(0, n));
        }
        expect(r.length).toBeLessThanOrEqual(cap);
        if (contents(r).join() !== model.join()) throw new Error(`ring differs from the model (FUZZ_SEED=${SEED}, round ${round}, step ${step})`);
      }
    }
  });
});
