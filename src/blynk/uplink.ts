// What the device sends (C-API): datastream values, batches, properties, events, metadata and
// the get/ requests, with the checks every call makes first (names, values, size, rate) and
// the offline rule (C-RECONNECT-3): refuse, or keep the latest value per datastream and send
// it after the next info/mcu. Every call returns null or a typed error; none throws, whatever
// the application passes (C-APP-3).

import type { Clock, Timers } from '../../hal/interfaces';
import { BlynkError, ErrorCode, err } from '../errors';
import type { BlynkClient } from './client';
import { batchJson, checkListName, checkName, valueText, type BatchValue, type DatastreamValue } from './names';
import { keptMessages, LatestValues } from './offline';
import { RateLimiter, type RateOptions } from './rate';

export class Uplink {
  private readonly client: BlynkClient;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly keep: LatestValues<BatchValue> | undefined;
  private readonly limiter: RateLimiter | undefined;

  constructor(client: BlynkClient, clock: Clock, timers: Timers, keepLatest: number | undefined, rate: RateOptions | undefined) {
    this.client = client;
    this.clock = clock;
    this.timers = timers;
    if (keepLatest !== undefined) this.keep = new LatestValues<BatchValue>(keepLatest);
    if (rate) this.limiter = new RateLimiter(rate, clock.now());
  }

  /** Values kept while offline, waiting to be sent (keep-latest mode). */
  get pending(): number {
    return this.keep?.size ?? 0;
  }

  write(name: string, value: DatastreamValue): BlynkError | null {
    const bad = checkName(name, 'datastream name');
    if (bad) return bad;
    const text = valueText(value);
    if (text instanceof BlynkError) return text;
    if (!this.client.online && this.keep) {
      const kept = Array.isArray(value) ? value : typeof value === 'boolean' ? (value ? 1 : 0) : value;
      return this.keep.keep(name, kept) ? null : err(ErrorCode.OFFLINE, `offline, and already keeping ${this.keep.capacity} datastreams`);
    }
    return this.sent(this.send(`ds/${name}`, text), [name]);
  }

  writeBatch(values: Readonly<Record<string, BatchValue>>): BlynkError | null {
    if (typeof values !== 'object' || values === null || Array.isArray(values)) return err(ErrorCode.BAD_VALUE, 'writeBatch needs an object of datastream values');
    const json: Record<string, unknown> = Object.create(null); // a datastream may be called __proto__
    const names = Object.keys(values);
    if (names.length === 0) return err(ErrorCode.BAD_VALUE, 'writeBatch needs at least one value');
    for (const name of names) {
      const bad = checkName(name, 'datastream name');
      if (bad) return bad;
      const v = batchJson(values[name]!);
      if (v instanceof BlynkError) return v;
      json[name] = v;
    }
    if (!this.client.online && this.keep) {
      // The value as given (a Location stays a Location): the flush converts it again.
      for (const name of names) if (!this.keep.keep(name, values[name]!)) return err(ErrorCode.OFFLINE, 'offline, keep-latest is full');
      return null;
    }
    return this.sent(this.send('batch_ds', JSON.stringify(json)), names);
  }

  erase(name: string): BlynkError | null {
    return checkName(name, 'datastream name') ?? this.send(`ds/${name}/erase`, '');
  }

  setProperty(name: string, property: string, value: DatastreamValue): BlynkError | null {
    const bad = checkName(name, 'datastream name') ?? checkName(property, 'property name');
    if (bad) return bad;
    const text = valueText(value);
    return text instanceof BlynkError ? text : this.send(`ds/${name}/prop/${property}`, text);
  }

  eraseProperty(name: string, property: string): BlynkError | null {
    return checkName(name, 'datastream name') ?? checkName(property, 'property name') ?? this.send(`ds/${name}/prop/${property}/erase`, '');
  }

  logEvent(code: string, description: string): BlynkError | null {
    if (typeof description !== 'string') return err(ErrorCode.BAD_VALUE, 'the event description must be text');
    return checkName(code, 'event code') ?? this.send(`event/${code}`, description);
  }

  setMetadata(name: string, value: string | number): BlynkError | null {
    const text = valueText(value);
    if (text instanceof BlynkError) return text;
    return checkName(name, 'metadata name') ?? this.send(`meta/${name}`, text);
  }

  /** get/ds and get/meta: comma-separated names. */
  listRequest(topic: string, names: readonly string[], what: string): BlynkError | null {
    if (!Array.isArray(names) || names.length === 0) return err(ErrorCode.BAD_NAME, `at least one ${what} is needed`);
    for (const n of names) {
      const bad = checkListName(n, what);
      if (bad) return bad;
    }
    return this.send(topic, names.join(','));
  }

  /** A newer value went out: an older one still kept (a flush that failed) must not follow it. */
  private sent(e: BlynkError | null, names: readonly string[]): BlynkError | null {
    if (!e && this.keep) for (const n of names) this.keep.forget(n);
    return e;
  }

  send(topic: string, payload: string, force = false): BlynkError | null {
    if (!this.client.online) return err(ErrorCode.OFFLINE, 'not connected');
    if (this.limiter) {
      const now = this.clock.now();
      if (force) this.limiter.force(now);
      else if (!this.limiter.take(now)) return err(ErrorCode.RATE_LIMITED, 'over the message rate; nothing was sent');
    }
    return this.client.publish(topic, payload);
  }

  /**
   * After info/mcu: send what was kept offline, in one batch_ds where possible. A message that
   * cannot go out (BUSY, the link dropped again) puts its values back: keep-latest never loses
   * the latest value, unless a newer one came in meanwhile.
   */
  flushKept(attempt = 0): void {
    const keep = this.keep;
    if (!keep || keep.size === 0) return;
    const entries = keep.take();
    const byName = new Map(entries);
    let busy = false;
    for (const m of keptMessages(entries, this.client.config.maxPacket)) {
      const e = this.send(m.topic, m.payload, true);
      if (!e) continue;
      if (e.code === ErrorCode.BUSY || e.code === ErrorCode.OFFLINE) keep.restore(m.names.map((n) => [n, byName.get(n)!]));
      if (e.code === ErrorCode.BUSY) busy = true;
      else this.client.report(err(e.code, `could not send a value kept offline: ${e.message}`));
    }
    // A full send queue frees soon: try again on this connection, a few times, then report it
    // (the values stay kept for the next connection).
    if (!busy) return;
    if (attempt >= 10) this.client.report(err(ErrorCode.BUSY, 'could not send the values kept offline: the send queue stayed full'));
    else this.timers.set(() => this.client.online && this.flushKept(attempt + 1), 200);
  }
}
