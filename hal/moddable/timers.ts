// Timers on the SDK's `timer` module and a monotonic clock on `time`.
import type { Clock, Log, TimerHandle, Timers } from '../interfaces';
import type { TimeModule, TimerModule } from './types';

/** Runs `fn`, logging instead of letting an exception escape into the SDK's event loop. */
export function guarded(log: Log | undefined, what: string, fn: () => void): () => void {
  return () => {
    try {
      fn();
    } catch (e) {
      try {
        log?.write('error', `${what} threw: ${String(e)}`);
      } catch {
        // nothing left to report to
      }
    }
  };
}

export class ModdableTimers implements Timers {
  constructor(
    private readonly timer: TimerModule,
    private readonly log?: Log,
  ) {}

  set(fn: () => void, ms: number): TimerHandle {
    // Timer.set never calls back inside the call, also for 0.
    return this.timer.set(guarded(this.log, 'timer callback', fn), Math.max(0, Math.floor(ms) || 0));
  }

  repeat(fn: () => void, ms: number): TimerHandle {
    return this.timer.repeat(guarded(this.log, 'timer callback', fn), Math.max(1, Math.floor(ms) || 1));
  }

  clear(handle: TimerHandle | undefined): void {
    if (handle === undefined || handle === null) return;
    try {
      this.timer.clear(handle);
    } catch {
      // not a timer, or already gone: nothing to cancel
    }
  }
}

/**
 * Milliseconds that never go back and never wrap. Time.ticks is a signed 32-bit counter on MCUs
 * (it wraps after 24.8 days), so the clock adds up Time.delta between samples. On the Linux
 * simulator ticks are wall-clock time: a step backwards is ignored (counts as 0).
 * The sum is exact as long as samples are less than 2^31 ms apart; `sampleMs` keeps a slow
 * repeating timer that samples so long idle periods cannot miss a wrap.
 */
export class ModdableClock implements Clock {
  private last: number;
  private total = 0;
  private sampler: unknown;

  constructor(
    private readonly time: TimeModule,
    timer?: TimerModule,
    sampleMs = 3_600_000,
  ) {
    this.last = time.ticks;
    if (timer && sampleMs > 0) this.sampler = timer.repeat(() => void this.sample(), sampleMs);
  }

  now(): number {
    return this.sample();
  }

  private sample(): number {
    try {
      const ticks = this.time.ticks;
      const d = this.time.delta(this.last, ticks);
      this.last = ticks;
      if (d > 0) this.total += d;
    } catch {
      // never fails on the SDK; keep the last value if it ever does
    }
    return this.total;
  }

  /** Stops the sampling timer (tests, shutdown). */
  stop(timer: TimerModule): void {
    if (this.sampler !== undefined) timer.clear(this.sampler);
    this.sampler = undefined;
  }
}
