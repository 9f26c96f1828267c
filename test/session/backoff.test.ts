import { SeededRandom } from '../../hal/mock';
import { Backoff } from '../../src/session/backoff';

const SEED = Number(process.env.TEST_SEED ?? 20261126);

describe('C-RECONNECT-1 exponential backoff with full jitter', () => {
  test(`delays stay in [0, min(cap, base * 2^n)) over many seeded runs (seed ${SEED})`, () => {
    const rnd = new SeededRandom(SEED);
    const b = new Backoff(rnd, { baseMs: 1000, factor: 2, capMs: 60_000 });
    const maxSeen = new Array<number>(12).fill(0);
    for (let run = 0; run < 2000; run++) {
      b.reset();
      for (let n = 0; n < 12; n++) {
        const ceiling = Math.min(60_000, 1000 * 2 ** n);
        const d = b.next();
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(ceiling);
        maxSeen[n] = Math.max(maxSeen[n]!, d);
      }
    }
    // Full jitter really spreads: the largest delay seen at each step gets near its ceiling.
    maxSeen.forEach((m, n) => expect(m).toBeGreaterThan(0.95 * Math.min(60_000, 1000 * 2 ** n)));
  });

  test('the mean is half the ceiling (uniform jitter), checked at the cap', () => {
    const b = new Backoff(new SeededRandom(SEED), { baseMs: 1000, factor: 2, capMs: 60_000 });
    for (let i = 0; i < 10; i++) b.next();
    let sum = 0;
    const N = 5000;
    for (let i = 0; i < N; i++) sum += b.next();
    expect(sum / N).toBeGreaterThan(27_000);
    expect(sum / N).toBeLessThan(33_000);
  });

  test('stays at the cap after very many failures (no overflow)', () => {
    const b = new Backoff(new SeededRandom(SEED), { baseMs: 1000, factor: 2, capMs: 60_000 });
    for (let i = 0; i < 5000; i++) expect(b.next()).toBeLessThan(60_000);
    expect(b.ceiling()).toBe(60_000);
  });

  test('reset starts again from the base', () => {
    const b = new Backoff(new SeededRandom(SEED));
    for (let i = 0; i < 8; i++) b.next();
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.ceiling()).toBe(1000);
  });
});
