// The reconnect rule, all in one place (C-RECONNECT-1/2, C-CONN-4, C-DUPLICATE). A pure policy:
// the session tells it what happened (a connection came up; an attempt or a connection ended,
// why, whether the network is up) and carries out the wait it returns.
// - CONNACK 4/5 (the token is wrong): wait the auth interval, 15 minutes by default (C-CONN-4),
//   whatever the network does meanwhile, and whatever the runtime itself does (an OTA download
//   pauses and resumes the connection): only the application's stop() ends the wait. A backoff
//   or duplicate wait the runtime pauses in holds the same way.
// - Network down: no attempts until it is back (C-RECONNECT-2).
// - Another device on the same token (C-DUPLICATE): the cloud keeps the newer connection, so two
//   devices kick each other off. The signature is a connection ended by the peer (closed or
//   reset, not a local error or a timeout) before it became stable, `after` times in a row (3: one or two early closes happen when the cloud
//   restarts or a region moves; three in a row within the stable period do not). Then wait
//   minutes, not seconds (5 min, doubling to 30 min, with jitter so two devices do not stay in
//   step): the other device keeps its connection, and this one finds out within one wait when
//   the other goes away (its next connection stays up for the stable period and resets all).
// - Anything else: exponential backoff with full jitter, base 1 s, factor 2, cap 60 s: the n-th
//   retry waits uniformly in [0, min(cap, base * factor^n)) (C-RECONNECT-1).
// - A connection that stayed up for the stable period (60 s) resets the backoff and the
//   duplicate count when it ends.

import type { Random } from '../../hal/interfaces';
import { ErrorCode, type BlynkError } from '../errors';

export interface BackoffOptions {
  baseMs: number;
  factor: number;
  capMs: number;
}

export interface DuplicateOptions {
  /** Early closes by the peer in a row that mean another device uses the token. */
  after: number;
  /** The first wait once recognized; it doubles with every further early close, up to capMs. */
  waitMs: number;
  capMs: number;
}

export interface ReconnectOptions {
  backoff: BackoffOptions;
  /** A connection up this long counts as stable (C-RECONNECT-1). */
  stableAfterMs: number;
  /** Wait after CONNACK 4/5 (C-CONN-4). */
  authRetryMs: number;
  duplicate: DuplicateOptions;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ baseMs: 1000, factor: 2, capMs: 60_000 });
export const DEFAULT_DUPLICATE: Readonly<DuplicateOptions> = Object.freeze({ after: 3, waitMs: 5 * 60_000, capMs: 30 * 60_000 });

/** What the session does next. */
export type Wait =
  | { kind: 'network' }
  | { kind: 'backoff'; ms: number; retry: number }
  | { kind: 'auth'; ms: number }
  | { kind: 'duplicate'; ms: number; closes: number }
  /** A wait already running goes on: the auth wait, or one the runtime paused in. */
  | { kind: 'rest'; ms: number; auth: boolean };

export interface Loss {
  error: BlynkError;
  networkUp: boolean;
  now: number;
  /** The peer ended the transport (closed or reset it; not a local error, not us). */
  peerClosed: boolean;
}

export class ReconnectPolicy {
  private readonly random: Random;
  private readonly opts: ReconnectOptions;
  private attempt = 0;
  private onlineAt: number | undefined;
  private earlyCloses = 0;
  /** When the auth wait ends (C-CONN-4); undefined when none runs. */
  private authUntil: number | undefined;
  /** When a backoff or duplicate wait that the runtime paused in ends; undefined when none. */
  private heldUntil: number | undefined;

  constructor(random: Random, opts: ReconnectOptions) {
    this.random = random;
    this.opts = opts;
  }

  /** Retries since the backoff last reset. */
  get retries(): number {
    return this.attempt;
  }

  /** The upper bound of the next backoff delay. */
  ceiling(): number {
    const { baseMs, factor, capMs } = this.opts.backoff;
    // factor^attempt overflows to Infinity after many failures; min() keeps it at the cap.
    return Math.min(capMs, baseMs * Math.pow(factor, this.attempt));
  }

  /** A connection came up (CONNACK 0) at `now`. */
  online(now: number): void {
    this.onlineAt = now;
    this.authUntil = this.heldUntil = undefined;
  }

  /** The application stopped: a fresh start() begins from a clean slate (the auth wait too: its start() is its call). */
  reset(): void {
    this.attempt = 0;
    this.onlineAt = undefined;
    this.earlyCloses = 0;
    this.authUntil = this.heldUntil = undefined;
  }

  /** CONNACK 4/5 at `now`: the auth wait starts here, whatever happens before next() is asked (a pause during the close). */
  refused(now: number): void {
    this.authUntil = now + this.opts.authRetryMs;
  }

  /** Before an attempt: the wait that must come first (the rest of the auth wait or of a paused one; no network), or null: go. */
  beforeAttempt(now: number, networkUp: boolean): Wait | null {
    const auth = this.authWaitLeft(now);
    if (auth > 0) return { kind: 'rest', ms: auth, auth: true };
    const held = this.heldWaitLeft(now);
    if (held > 0) return { kind: 'rest', ms: held, auth: false };
    return networkUp ? null : { kind: 'network' };
  }

  /** What is left at `now` of the auth wait (0: none): no attempt may start before it ends. */
  authWaitLeft(now: number): number {
    const left = this.authUntil === undefined ? 0 : Math.min(this.authUntil - now, this.opts.authRetryMs); // a clock stepped back does not lengthen it
    if (left <= 0) this.authUntil = undefined;
    return Math.max(0, left);
  }

  /** The runtime paused (an OTA download) during a backoff or duplicate wait ending at `until`: resumed, it still waits for it. */
  hold(until: number): void {
    this.heldUntil = until;
  }

  /** What is left at `now` of a wait the runtime paused in (0: none). */
  heldWaitLeft(now: number): number {
    const left = this.heldUntil === undefined ? 0 : Math.min(this.heldUntil - now, Math.max(this.opts.duplicate.capMs, this.opts.backoff.capMs));
    if (left <= 0) this.heldUntil = undefined;
    return Math.max(0, left);
  }

  /** An attempt or a connection ended: how long to wait before the next one. */
  next(loss: Loss): Wait {
    const wasOnline = this.onlineAt !== undefined;
    const upFor = wasOnline ? loss.now - this.onlineAt! : 0;
    this.onlineAt = undefined;
    if (wasOnline && upFor >= this.opts.stableAfterMs) {
      this.attempt = 0;
      this.earlyCloses = 0;
    } else if (wasOnline) {
      this.earlyCloses = loss.peerClosed ? this.earlyCloses + 1 : 0;
    }
    // The auth wait first: a network that drops during the close must not cut it short.
    if (loss.error.code === ErrorCode.AUTH_FAILED) {
      this.authUntil = loss.now + this.opts.authRetryMs;
      return { kind: 'auth', ms: this.opts.authRetryMs };
    }
    if (!loss.networkUp) return { kind: 'network' };
    const d = this.opts.duplicate;
    if (wasOnline && this.earlyCloses >= d.after) {
      const full = Math.min(d.capMs, d.waitMs * Math.pow(2, this.earlyCloses - d.after));
      // Jitter in [full/2, full): two devices on one token drift apart instead of colliding.
      return { kind: 'duplicate', ms: Math.floor(full / 2 + (this.random.next() * full) / 2), closes: this.earlyCloses };
    }
    const ms = Math.floor(this.random.next() * this.ceiling());
    const retry = this.attempt++;
    return { kind: 'backoff', ms, retry };
  }
}
