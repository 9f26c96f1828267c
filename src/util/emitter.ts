// A minimal typed event emitter. A listener that throws (or returns a promise that rejects)
// does not stop the others, and never reaches the code that emitted (a transport callback, a
// timer): it goes to `onListenerError` (C-APP-1).

import { settle } from './safe';

type Listener<T> = (value: T) => void;

export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  // Made by the first on(): an emitter nobody listens to holds nothing.
  private listeners: { [K in keyof Events]?: Listener<Events[K]>[] } | undefined;
  /** Where a throwing listener's exception goes (the owner logs it). */
  onListenerError: ((event: string, error: unknown) => void) | undefined;

  on<K extends keyof Events>(event: K, fn: Listener<Events[K]>): () => void {
    // No prototype: an event named like an Object.prototype member ('toString') is just a name.
    const all: { [K in keyof Events]?: Listener<Events[K]>[] } = (this.listeners ??= Object.create(null) as { [K in keyof Events]?: Listener<Events[K]>[] });
    const list = (all[event] ??= []);
    list.push(fn);
    return () => this.off(event, fn);
  }

  off<K extends keyof Events>(event: K, fn: Listener<Events[K]>): void {
    const list = this.listeners?.[event];
    if (!list) return;
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  }

  emit<K extends keyof Events>(event: K, value: Events[K]): void {
    const list = this.listeners?.[event];
    if (!list || list.length === 0) return;
    // Inline rather than through callSafely: on a device, listeners run deep in the network
    // callback's stack, and every frame saved counts (the Moddable default stack is small). An
    // indexed loop over the copy: for-of's iterator is stack slots too (XS, issue 14).
    const copy = list.slice();
    for (let i = 0; i < copy.length; i++) {
      const fn = copy[i]!;
      let r: unknown;
      try {
        r = fn(value);
      } catch (e) {
        this.listenerFailed(String(event), e);
        continue;
      }
      if (r !== undefined && r !== null && (typeof r === 'object' || typeof r === 'function')) this.watch(String(event), r);
    }
  }

  private watch(event: string, r: unknown): void {
    settle(r, (e) => this.listenerFailed(event, e));
  }

  private listenerFailed(event: string, e: unknown): void {
    try {
      this.onListenerError?.(event, e);
    } catch {
      // nothing sensible is left to do with an error from the error reporter
    }
  }

  hasListeners<K extends keyof Events>(event: K): boolean {
    return (this.listeners?.[event]?.length ?? 0) > 0;
  }
}
