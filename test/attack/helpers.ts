// Shared bits of the attack tests (issue 10 follow-up): run virtual time without skipping past
// the end (time.step() jumps to the next timer, however far), let promises settle, and collect
// unhandled rejections while a test runs.
import type { MockHal } from '../../hal/mock';

/** Advance virtual time by `ms` in slices, firing every timer on the way. */
export function run(hal: Pick<MockHal, 'time'>, ms: number, slice = 100): void {
  const end = hal.time.now() + ms;
  while (hal.time.now() < end) hal.time.advance(Math.min(slice, end - hal.time.now()));
}

/** Let pending promise callbacks run. */
export async function ticks(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

/** Collect unhandled rejections during `fn` (and a few ticks after it). */
export async function unhandledDuring(fn: () => Promise<void> | void): Promise<unknown[]> {
  const seen: unknown[] = [];
  const on = (e: unknown) => seen.push(e);
  process.on('unhandledRejection', on);
  try {
    await fn();
    await ticks(10);
  } finally {
    process.off('unhandledRejection', on);
  }
  return seen;
}

/** The transport.open lines of the HAL journal. */
export function opens(hal: MockHal): string[] {
  return hal.journal.filter((j) => j.startsWith('transport.open'));
}
