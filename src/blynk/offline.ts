// Offline writes (C-RECONNECT-3): by default refused; optionally the latest value per
// datastream is kept and sent after the next info/mcu. Bounded by the number of datastreams,
// never a queue: a newer value replaces the older one.

export class LatestValues<V> {
  private readonly values = new Map<string, V>();
  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.values.size;
  }

  /** Keep `value` for `name`. False if it is a new name and the cache is full. */
  keep(name: string, value: V): boolean {
    if (!this.values.has(name) && this.values.size >= this.capacity) return false;
    this.values.set(name, value);
    return true;
  }

  /** Everything kept, oldest name first, and forget it. */
  take(): [string, V][] {
    const all = Array.from(this.values.entries());
    this.values.clear();
    return all;
  }

  /** Put back what could not be sent (it stays the latest unless a newer value came in). */
  restore(entries: [string, V][]): void {
    for (const [name, value] of entries) if (!this.values.has(name)) this.keep(name, value);
  }
}
