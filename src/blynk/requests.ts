// The promise forms of the get/ requests (get/ds, get/meta, get/utc/all/json, get/loc/all).
// Replies arrive as ordinary downlinks; besides the handlers, a request can be awaited: each
// pending request looks at every downlink until it has what it wants, or fails with TIMEOUT.
// A request that could not even be sent rejects at once with that error.

import { describeError } from '../util/safe';
import type { TimerHandle, Timers } from '../../hal/interfaces';
import { BlynkError, ErrorCode, err } from '../errors';
import type { Location } from './names';
import { parseLocation, parseTime, type TimeInfo } from './replies';

interface Pending {
  /** Look at a downlink; return true when the request is complete. */
  see(topic: string, text: string): boolean;
  resolve(): void;
  reject(e: BlynkError): void;
  timer: TimerHandle;
}

export class Requests {
  /** Some request waits for downlinks (a field, not a getter: every message reads it). */
  waiting = false;
  private readonly timers: Timers;
  /** Made by the first request: none at rest. */
  private pending: Pending[] | undefined;

  constructor(timers: Timers) {
    this.timers = timers;
  }

  /**
   * Wait for downlinks: `see` is called with each one until it returns true, then the promise
   * resolves with `result()`. After `timeoutMs`, it rejects with TIMEOUT.
   */
  wait<T>(see: (topic: string, text: string) => boolean, result: () => T, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const p: Pending = {
        see,
        resolve: () => resolve(result()),
        reject,
        timer: undefined,
      };
      p.timer = this.timers.set(() => {
        this.remove(p);
        reject(err(ErrorCode.TIMEOUT, `no reply to ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      (this.pending ??= []).push(p);
      this.waiting = true;
    });
  }

  /** Offer a downlink to every pending request. */
  offer(topic: string, text: string): void {
    for (const p of this.pending!.slice()) {
      let done = false;
      try {
        done = p.see(topic, text);
      } catch (e) {
        this.remove(p);
        p.reject(err(ErrorCode.BAD_PAYLOAD, `could not read the reply on ${topic}: ${describeError(e)}`));
        continue;
      }
      if (done) {
        this.remove(p);
        p.resolve();
      }
    }
  }

  /** Send with `send`, then wait for what `see` accepts. */
  ask<T>(send: () => BlynkError | null, see: (topic: string, text: string) => boolean, result: () => T, timeoutMs: number, what: string): Promise<T> {
    // Sent first: a reply never arrives inside send() (transport callbacks are never re-entrant),
    // and a request that could not be sent leaves no waiter or timer behind.
    const e = send();
    if (e) return Promise.reject(e);
    return this.wait(see, result, timeoutMs, what);
  }

  /** Values for every one of `names` under `prefix` (downlink/ds/, downlink/meta/). */
  collect(prefix: string, names: readonly string[], send: () => BlynkError | null, timeoutMs: number, what: string): Promise<Record<string, string>> {
    const want = new Set(names);
    const got: Record<string, string> = {};
    return this.ask(
      send,
      (topic, text) => {
        if (!topic.startsWith(prefix)) return false;
        const name = topic.slice(prefix.length);
        if (!want.has(name)) return false;
        got[name] = text;
        want.delete(name);
        return want.size === 0;
      },
      () => got,
      timeoutMs,
      what,
    );
  }

  time(send: () => BlynkError | null, timeoutMs: number): Promise<TimeInfo> {
    let got: TimeInfo | undefined;
    return this.ask(send, (topic, text) => topic === 'downlink/utc/all/json' && (got = parsed(parseTime(text))) !== undefined, () => got!, timeoutMs, 'get/utc/all/json');
  }

  location(send: () => BlynkError | null, timeoutMs: number): Promise<Location> {
    let got: Location | undefined;
    return this.ask(send, (topic, text) => topic === 'downlink/loc/all' && (got = parsed(parseLocation(text))) !== undefined, () => got!, timeoutMs, 'get/loc/all');
  }

  private remove(p: Pending): void {
    const list = this.pending!;
    const i = list.indexOf(p);
    if (i >= 0) list.splice(i, 1);
    this.waiting = list.length > 0;
    this.timers.clear(p.timer);
  }
}

/** A parsed reply, or throw its error (offer() turns it into a BAD_PAYLOAD rejection). */
function parsed<T>(v: T | BlynkError): T {
  if (v instanceof BlynkError) throw v;
  return v;
}
