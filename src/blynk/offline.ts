// Offline writes (C-RECONNECT-3): by default refused; optionally the latest value per
// datastream is kept and sent after the next info/mcu. Bounded by the number of datastreams,
// never a queue: a newer value replaces the older one.

import { BlynkError } from '../errors';
import { utf8Encode } from '../util/utf8';
import { batchJson, valueText, type BatchValue, type DatastreamValue, type Location } from './names';

function isLocationValue(v: unknown): v is Location {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

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

  forget(name: string): void {
    this.values.delete(name);
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
export function keptMessages(entries: readonly [string, BatchValue][], maxPacket: number): KeptMessage[] {
  const out: KeptMessage[] = [];
  const batch: [string, BatchValue][] = [];
  for (const [name, kept] of entries) {
    // A Location goes as [lon, lat] in batch_ds; anything else as it was given.
    const json = batchJson(kept);
    if (json instanceof BlynkError) continue;
    const value = (isLocationValue(kept) ? json : kept) as BatchValue;
    if (Array.isArray(value) && !isLocationValue(kept)) {
      const text = valueText(value as DatastreamValue);
      if (!(text instanceof BlynkError)) out.push({ topic: `ds/${name}`, payload: text, names: [name] });
    } else {
      batch.push([name, value]);
    }
  }
  if (batch.length === 1 && !Array.isArray(batch[0]![1])) {
    const [name, v] = batch[0]!;
    out.push({ topic: `ds/${name}`, payload: typeof v === 'string' ? v : String(v), names: [name] });
  } else if (batch.length > 0) {
    for (const [payload, names] of batchPayloads(batch, maxPacket - 2 - BATCH_TOPIC_BYTES)) out.push({ topic: BATCH_TOPIC, payload, names });
  }
  return out;
}

/** One message that sends kept values, and the datastreams it carries (put back if it cannot be sent). */
export interface KeptMessage {
  topic: string;
  payload: string;
  names: string[];
}

/** batch_ds JSON payloads of at most `limit` bytes each (one value over it goes alone, to be refused). */
function batchPayloads(values: readonly [string, BatchValue][], limit: number): [string, string[]][] {
  const out: [string, string[]][] = [];
  let cur: Record<string, unknown> = {};
  let names: string[] = [];
  for (const [k, v] of values) {
    const next = { ...cur, [k]: v };
    if (names.length > 0 && utf8Encode(JSON.stringify(next)).length > limit) {
      out.push([JSON.stringify(cur), names]);
      cur = { [k]: v };
      names = [k];
    } else {
      cur = next;
      names.push(k);
    }
  }
  if (names.length > 0) out.push([JSON.stringify(cur), names]);
  return out;
}
