// The one statistics helper the benchmarks share (tools/bench/*; tools/xs/bench.ts should use it
// too), so "median" means the same thing in every table.

/**
 * The median: the middle value of the sorted samples, or the mean of the two middle ones when
 * there is an even number. NaN for no samples (a bench that measured nothing must not print 0).
 */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Smallest and largest sample (NaN for none). */
export function range(xs: readonly number[]): { min: number; max: number } {
  if (xs.length === 0) return { min: NaN, max: NaN };
  let min = xs[0]!;
  let max = xs[0]!;
  for (const x of xs) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { min, max };
}

/** `n` rounded to `digits` decimals, as a number (for JSON output). */
export function round(n: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Operations per second, human-readable. */
export function rate(opsPerSec: number): string {
  return opsPerSec >= 1e6 ? `${(opsPerSec / 1e6).toFixed(2)} M/s` : `${(opsPerSec / 1e3).toFixed(1)} k/s`;
}

/** The value after `--name` on the command line, as a number, or `dflt`. */
export function numArg(args: readonly string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  if (i < 0 || i + 1 >= args.length) return dflt;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`${name} needs a number, got ${args[i + 1]}`);
  return v;
}
