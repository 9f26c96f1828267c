// A tiny assert for scenarios that run inside XS (no jest there). A failure throws a
// ScenarioFailure whose message is what jest shows.

export class ScenarioFailure extends Error {
  override name = 'ScenarioFailure';
}

export function fail(message: string): never {
  throw new ScenarioFailure(message);
}

export function ok(condition: unknown, message: string): asserts condition {
  if (!condition) fail(message);
}

/** Plain-data text for messages and deep comparison (Uint8Array as hex). */
export function show(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x instanceof Uint8Array ? `<${Array.from(x, (b) => b.toString(16).padStart(2, '0')).join('')}>` : x,
  ) ?? String(v);
}

export function equal(actual: unknown, expected: unknown, what: string): void {
  const a = show(actual);
  const e = show(expected);
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`);
}

export function between(v: number, lo: number, hi: number, what: string): void {
  if (!(v >= lo && v <= hi)) fail(`${what}: expected ${lo}..${hi}, got ${v}`);
}

export function includes<T>(list: readonly T[], item: T, what: string): void {
  if (list.indexOf(item) < 0) fail(`${what}: ${show(item)} not in ${show(list)}`);
}
