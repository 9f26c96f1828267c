// Virtual time for the `timer` and `time` fakes: timers fire only when a test advances time.
import type { TimeModule, TimerModule } from '../../../../hal/moddable/types';

interface Entry {
  id: number;
  due: number;
  every: number; // 0: one-shot
  fn: () => void;
  live: boolean;
}

export class FakeTimer implements TimerModule {
  now = 0;
  private seq = 0;
  private entries: Entry[] = [];
  set(callback: () => void, interval = 0): unknown {
    const e: Entry = { id: ++this.seq, due: this.now + Math.max(0, interval), every: 0, fn: callback, live: true };
    this.entries.push(e);
    return e;
  }

  repeat(callback: () => void, interval: number): unknown {
    const e: Entry = { id: ++this.seq, due: this.now + interval, every: interval, fn: callback, live: true };
    this.entries.push(e);
    return e;
  }

  clear(timer: unknown): void {
    const e = timer as Entry | undefined;
    if (e && typeof e === 'object' && 'live' in e) e.live = false;
  }

  /** Live timers. */
  get pending(): number {
    return this.entries.filter((e) => e.live).length;
  }

  /** Runs everything due up to now + ms, in time order (0: the immediate ones). */
  advance(ms = 0): void {
    const end = this.now + ms;
    for (;;) {
      const due = this.entries.filter((e) => e.live && e.due <= end).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!due) break;
      this.now = Math.max(this.now, due.due);
      if (due.every > 0) due.due += due.every;
      else due.live = false;
      due.fn();
    }
    this.now = end;
    this.entries = this.entries.filter((e) => e.live);
  }
}

/** `time`: ticks as a signed 32-bit counter (like ESP32), delta with 32-bit wrap-around. */
export class FakeTime implements TimeModule {
  constructor(
    private readonly timer: FakeTimer,
    public offset = 0,
  ) {}
  /** Simulator mode: plain numbers, delta may be negative when the host clock steps back. */
  wallClock = false;

  get ticks(): number {
    const t = this.offset + this.timer.now;
    return this.wallClock ? t : t | 0;
  }

  delta(start: number, end: number = this.ticks): number {
    return this.wallClock ? end - start : ((end >>> 0) - (start >>> 0)) | 0;
  }
}
