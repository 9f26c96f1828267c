// Timers and the monotonic clock. Timers keep the process alive (the demo relies on it) and
// are tracked so dispose() can clear every one this HAL created.
import { performance } from 'node:perf_hooks';
import type { Clock, Log, TimerHandle, Timers } from '../interfaces';
import { guard } from './log';

// Node turns delays above 2^31-1 ms into 1 ms (with a warning); clamp instead.
const MAX_DELAY = 0x7fffffff;

function delay(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_DELAY) : 0;
}

export class NodeTimers implements Timers {
  private readonly live = new Set<NodeJS.Timeout>();
  private disposed = false;

  constructor(private readonly log: Log) {}

  set(fn: () => void, ms: number): TimerHandle {
    if (this.disposed) return undefined;
    const handle: NodeJS.Timeout = setTimeout(() => {
      this.live.delete(handle);
      guard(this.log, 'timer callback', fn);
    }, delay(ms));
    this.live.add(handle);
    return handle;
  }

  repeat(fn: () => void, ms: number): TimerHandle {
    if (this.disposed) return undefined;
    const handle = setInterval(() => guard(this.log, 'repeating timer callback', fn), Math.max(1, delay(ms)));
    this.live.add(handle);
    return handle;
  }

  clear(handle: TimerHandle | undefined): void {
    // Only handles we made and that are still pending: anything else is a harmless no-op.
    const timer = handle as NodeJS.Timeout;
    if (!this.live.delete(timer)) return;
    clearTimeout(timer); // clears intervals too
  }

  /** Clear every pending timer; later set/repeat calls schedule nothing. */
  dispose(): void {
    this.disposed = true;
    for (const timer of this.live) clearTimeout(timer);
    this.live.clear();
  }

  /** Pending timers (for tests). */
  get pending(): number {
    return this.live.size;
  }
}

export const nodeClock: Clock = { now: () => performance.now() };
