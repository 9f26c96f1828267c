// Rate awareness: the cloud allows about 50 messages per second per device and disconnects a
// device that floods it. A token bucket refuses the excess locally (RATE_LIMITED) instead.

export interface RateOptions {
  /** Sustained messages per second. */
  perSecond: number;
  /** How many may go out at once after a quiet period. */
  burst: number;
}

export const DEFAULT_RATE: Readonly<RateOptions> = Object.freeze({ perSecond: 50, burst: 50 });

export class RateLimiter {
  private readonly perMs: number;
  private readonly burst: number;
  private tokens: number;
  private last: number;

  constructor(opts: RateOptions, now: number) {
    this.perMs = opts.perSecond / 1000;
    this.burst = opts.burst;
    this.tokens = opts.burst;
    this.last = now;
  }

  /** Take one message's worth; false (nothing taken) when over the rate. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Count a message the runtime must send anyway (the offline flush; info/mcu goes straight to the session). */
  force(now: number): void {
    this.refill(now);
    this.tokens = Math.max(-this.burst, this.tokens - 1);
  }

  private refill(now: number): void {
    const dt = now - this.last;
    this.last = now;
    if (dt > 0) this.tokens = Math.min(this.burst, this.tokens + dt * this.perMs);
  }
}
