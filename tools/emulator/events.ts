// The emulator's event stream and the waiting helpers tests use instead of sleeping.
import { EventEmitter } from 'node:events';
import type { EmulatorEvent, EventOf, EventType, NewEvent } from './types';
import { describeEvent } from './format';

interface Waiter {
  check(ev: EmulatorEvent | undefined): boolean;
  fail(err: Error): void;
}

export class EventHub extends EventEmitter {
  private seq = 0;
  private readonly waiters = new Set<Waiter>();
  /** Short tail of recent events, quoted in timeout messages. */
  private readonly recent: EmulatorEvent[] = [];
  private closed = false;

  constructor(private readonly defaultTimeoutMs: number) {
    super();
    // Tests add many listeners; this is not a leak.
    this.setMaxListeners(0);
  }

  nextSeq(): number {
    return ++this.seq;
  }

  /** Stamp and broadcast an event (internal: the emulator's parts report through it). */
  post(partial: NewEvent): EmulatorEvent {
    const ev = { ...partial, seq: this.nextSeq(), at: Date.now() } as EmulatorEvent;
    this.recent.push(ev);
    if (this.recent.length > 8) this.recent.shift();
    this.emit(ev.type, ev);
    this.emit('event', ev);
    for (const w of [...this.waiters]) w.check(ev);
    return ev;
  }

  /** Typed listener for one event type; returns a function that removes it. */
  onEvent<K extends EventType>(type: K, fn: (ev: EventOf<K>) => void): () => void {
    const h = fn as (ev: EmulatorEvent) => void;
    this.on(type, h);
    return () => this.off(type, h);
  }

  /** Resolves with the next event for which `predicate` is true. */
  waitFor<E extends EmulatorEvent>(predicate: (ev: EmulatorEvent) => ev is E, timeoutMs?: number, what?: string): Promise<E>;
  waitFor(predicate: (ev: EmulatorEvent) => boolean, timeoutMs?: number, what?: string): Promise<EmulatorEvent>;
  waitFor(predicate: (ev: EmulatorEvent) => boolean, timeoutMs?: number, what?: string): Promise<EmulatorEvent> {
    let found: EmulatorEvent | undefined;
    return this.wait((ev) => {
      if (ev && predicate(ev)) {
        found = ev;
        return true;
      }
      return false;
    }, timeoutMs, what ?? 'event matching predicate', false).then(() => found as EmulatorEvent);
  }

  /** Resolves with the next event of `type` (optionally also matching `filter`). */
  waitForEvent<K extends EventType>(type: K, filter?: (ev: EventOf<K>) => boolean, timeoutMs?: number): Promise<EventOf<K>> {
    return this.waitFor(
      (ev): ev is EventOf<K> => ev.type === type && (!filter || filter(ev as EventOf<K>)),
      timeoutMs,
      `'${type}' event${filter ? ' matching filter' : ''}`,
    );
  }

  /** Resolves as soon as `condition()` is truthy: checked now, then after every event. */
  waitUntil<T>(condition: () => T | undefined | null | false, timeoutMs?: number, what?: string): Promise<T> {
    let value: T | undefined;
    return this.wait(() => {
      const v = condition();
      if (v) {
        value = v;
        return true;
      }
      return false;
    }, timeoutMs, what ?? 'condition', true).then(() => value as T);
  }

  private wait(test: (ev: EmulatorEvent | undefined) => boolean, timeoutMs: number | undefined, what: string, checkNow: boolean): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`emulator closed; cannot wait for ${what}`));
    if (checkNow && test(undefined)) return Promise.resolve();
    const ms = timeoutMs ?? this.defaultTimeoutMs;
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        check: (ev) => {
          let ok: boolean;
          try {
            ok = test(ev);
          } catch (e) {
            done();
            reject(e as Error);
            return true;
          }
          if (ok) {
            done();
            resolve();
          }
          return ok;
        },
        fail: (err) => {
          done();
          reject(err);
        },
      };
      const timer = setTimeout(() => {
        const tail = this.recent.map(describeEvent).join('\n  ');
        waiter.fail(new Error(`timed out after ${ms} ms waiting for ${what}; last events:\n  ${tail || '(none)'}`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
    });
  }

  /** Rejects every pending wait; later waits fail at once. */
  close(): void {
    this.closed = true;
    for (const w of [...this.waiters]) w.fail(new Error('emulator closed while waiting'));
  }
}
