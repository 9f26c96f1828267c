// Replies to requests (get/ds, get/meta, get/utc/all/json, get/loc/all) arrive as ordinary
// downlinks. Besides the handlers, a request can be awaited: each pending request looks at
// every downlink until it has what it wants, or fails with TIMEOUT.

import type { TimerHandle, Timers } from '../../hal/interfaces';
import { BlynkError, ErrorCode, err } from '../errors';

interface Pending {
  /** Look at a downlink; return true when the request is complete. */
  see(topic: string, text: string): boolean;
  resolve(): void;
  reject(e: BlynkError): void;
  timer: TimerHandle;
}

export class Requests {
  private readonly timers: Timers;
  private readonly pending: Pending[] = [];

  constructor(timers: Timers) {
    this.timers = timers;
  }

  get waiting(): boolean {
    return this.pending.length > 0;
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
      this.pending.push(p);
    });
  }

  /** Offer a downlink to every pending request. */
  offer(topic: string, text: string): void {
    for (const p of this.pending.slice()) {
      let done = false;
      try {
        done = p.see(topic, text);
      } catch (e) {
        this.remove(p);
        p.reject(err(ErrorCode.BAD_PAYLOAD, `could not read the reply on ${topic}: ${String(e)}`));
        continue;
      }
      if (done) {
        this.remove(p);
        p.resolve();
      }
    }
  }

  /** Fail a request that could not even be sent. */
  private remove(p: Pending): void {
    const i = this.pending.indexOf(p);
    if (i >= 0) this.pending.splice(i, 1);
    this.timers.clear(p.timer);
  }
}
