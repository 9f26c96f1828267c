// Random numbers for backoff jitter: Math.random, or a seeded PRNG for reproducible runs.
import type { Random } from '../interfaces';

/** mulberry32: tiny, fast and good enough for jitter (not for secrets). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeRandom(seed?: number): Random {
  const next = seed === undefined ? Math.random : mulberry32(seed);
  return { next: () => next() };
}
