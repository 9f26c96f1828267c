// Reconnect delays (C-RECONNECT-1): exponential backoff with full jitter. The n-th retry waits
// a uniformly random time in [0, min(cap, base * factor^n)); the attempt count resets once a
// connection has stayed up for the stable period (the session decides when).

import type { Random } from '../../hal/interfaces';

export interface BackoffOptions {
  baseMs: number;
  factor: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ baseMs: 1000, factor: 2, capMs: 60_000 });

export class Backoff {
  private attempt = 0;
  private readonly opts: BackoffOptions;
  private readonly random: Random;

  constructor(random: Random, opts: BackoffOptions = DEFAULT_BACKOFF) {
    this.random = random;
    this.opts = opts;
  }

  /** Retries since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The upper bound of the next delay. */
  ceiling(): number {
    const { baseMs, factor, capMs } = this.opts;
    // factor^attempt overflows to Infinity after many failures; min() keeps it at the cap.
    return Math.min(capMs, baseMs * Math.pow(factor, this.attempt));
  }

  /** The delay before the next attempt, and count the attempt. */
  next(): number {
    const delay = Math.floor(this.random.next() * this.ceiling());
    this.attempt++;
    return delay;
  }

  reset(): void {
    this.attempt = 0;
  }
}
