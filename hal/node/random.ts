// Random numbers for backoff jitter: Math.random, or the seeded PRNG for reproducible runs.
import type { Random } from '../interfaces';
import { SeededRandom } from '../random';

export function makeRandom(seed?: number): Random {
  return seed === undefined ? { next: () => Math.random() } : new SeededRandom(seed);
}
