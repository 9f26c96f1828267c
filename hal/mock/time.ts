// Virtual time for tests: a clock that only moves when the test says so, and timers that fire
// on it in order. Deterministic: two timers due at the same moment fire in the order they were set.
import type { Clock, TimerHandle, Timers } from '../interfaces';

interface Entry {
  due: number;
  seq: number;
  period: number; // 0 for one-shot
  fn: () => void;
  active: boolean;
}

/** Runs away if a timer chain keeps scheduling at the same instant; a test bug, so stop loudly. */
const MAX_FIRINGS_PER_STEP = 100_000;

export class VirtualTime implements Clock, Timers {
  private t: number;
  private seq = 0;
  private queue: Entry[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  set(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, 0);
  }

  repeat(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, Math.max(1, ms));
  }

  clear(handle: TimerHandle | undefined): void {
    const e = handle as Entry | undefined;
    if (!e || !e.active) return;
    e.active = false;
    const i = this.queue.indexOf(e);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.queue.length;
  }

  /** When the next timer is due, or undefined. */
  nextDue(): number | undefined {
    return this.queue[0]?.due;
  }

  /** Move time forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    this.advanceTo(this.t + Math.max(0, ms));
  }

  advanceTo(time: number): void {
    let firings = 0;
    for (;;) {
      const e = this.queue[0];
      if (!e || e.due > time) break;
      if (++firings > MAX_FIRINGS_PER_STEP) throw new Error('VirtualTime: timers keep firing without time passing');
      this.queue.shift();
      this.t = Math.max(this.t, e.due);
      if (e.period > 0) {
        e.due += e.period;
        this.insert(e);
      } else {
        e.active = false;
      }
      e.fn();
    }
    this.t = Math.max(this.t, time);
  }

  /** Fire what is due now (timers set with 0 ms, and those they set in turn). */
  flush(): void {
    this.advanceTo(this.t);
  }

  /** Jump to the next timer and fire it (and any due at the same moment). False if none. */
  step(): boolean {
    const due = this.nextDue();
    if (due === undefined) return false;
    this.advanceTo(due);
    return true;
  }

  private add(fn: () => void, ms: number, period: number): Entry {
    const e: Entry = { due: this.t + Math.max(0, ms), seq: this.seq++, period, fn, active: true };
    this.insert(e);
    return e;
  }

  private insert(e: Entry): void {
    const q = this.queue;
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = q[mid]!;
      if (m.due < e.due || (m.due === e.due && m.seq < e.seq)) lo = mid + 1;
      else hi = mid;
    }
    q.splice(lo, 0, e);
  }
}
