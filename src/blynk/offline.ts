// Offline writes (C-RECONNECT-3): by default refused; optionally the latest value per
// datastream is kept and sent after the next info/mcu. Bounded by the number of datastreams,
// never a queue: a newer value replaces the older one.

import { BlynkError } from '../errors';
import { utf8Encode } from '../util/utf8';
import { valueText, type BatchValue, type DatastreamValue } from './names';

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

const BATCH_TOPIC = 'batch_ds';
const BATCH_TOPIC_BYTES = 8; // 'batch_ds', ASCII

/**
 * The messages that send what was kept: several values as one `batch_ds` (split so none is over
 * `maxPacket`), a single one as a plain `ds/` write, and multi-value items, which have no
 * `batch_ds` form, as the `ds/` writes they would have been.
 */
export function keptMessages(entries: readonly [string, BatchValue][], maxPacket: number): [string, string][] {
  const out: [string, string][] = [];
  const batch: [string, BatchValue][] = [];
  for (const [name, value] of entries) {
    if (Array.isArray(value)) {
      const text = valueText(value as DatastreamValue);
      if (!(text instanceof BlynkError)) out.push([`ds/${name}`, text]);
    } else {
      batch.push([name, value]);
    }
  }
  if (batch.length === 1) {
    const [name, v] = batch[0]!;
    out.push([`ds/${name}`, typeof v === 'string' ? v : String(v)]);
  } else if (batch.length > 1) {
    for (const payload of batchPayloads(batch, maxPacket - 2 - BATCH_TOPIC_BYTES)) out.push([BATCH_TOPIC, payload]);
  }
  return out;
}

/** batch_ds JSON payloads of at most `limit` bytes each (one value over it goes alone, to be refused). */
function batchPayloads(values: readonly [string, BatchValue][], limit: number): string[] {
  const out: string[] = [];
  let cur: Record<string, unknown> = {};
  let n = 0;
  for (const [k, v] of values) {
    const next = { ...cur, [k]: v };
    if (n > 0 && utf8Encode(JSON.stringify(next)).length > limit) {
      out.push(JSON.stringify(cur));
      cur = { [k]: v };
      n = 1;
    } else {
      cur = next;
      n++;
    }
  }
  if (n > 0) out.push(JSON.stringify(cur));
  return out;
}
