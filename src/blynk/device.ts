// The device API firmware authors use (C-API): one object, `new BlynkDevice({...})`.
//
//   const device = new BlynkDevice({ hal, token, templateId, firmware: { version: '1.0.0' } });
//   device.onWrite('Power', (v) => relay.write(asBoolean(v)));
//   device.start();
//   device.write('Temperature', 21.7);
//
// Uplinks return null when the message went out, or a typed error (nothing thrown). Downlinks
// go to handlers; a handler that throws is reported as an error event and changes nothing else.

import type { Hal } from '../../hal/interfaces';
import { BlynkError, ErrorCode, err } from '../errors';
import { Emitter } from '../util/emitter';
import { BlynkClient, type ClientEvents } from './client';
import type { ConnectionOptions } from './config';
import { Downlinks, type DownlinkHandlers } from './downlink';
import { batchJson, checkListName, checkName, valueText, type BatchValue, type DatastreamValue, type Location } from './names';
import { keptMessages, LatestValues } from './offline';
import { OtaUpdater, type OtaOptions, type OtaProgress } from './ota';
import { DEFAULT_RATE, RateLimiter, type RateOptions } from './rate';
import { parseLocation, parseTime, type TimeInfo } from './replies';
import { Requests } from './requests';

export interface DeviceOptions extends ConnectionOptions {
  hal: Hal;
  /** While offline: refuse writes with OFFLINE (default), or keep the latest value per datastream and send it after reconnecting. */
  offline?: 'refuse' | 'keep-latest';
  /** How many datastreams keep-latest remembers. Default 64. */
  maxDatastreams?: number;
  /** Refuse messages beyond this rate (RATE_LIMITED); false turns it off. Default 50 per second. */
  rate?: Partial<RateOptions> | false;
  /** Timeout of the promise forms (requestValues, requestTime, ...). Default 10 s. */
  requestTimeoutMs?: number;
  /** Blynk.Air behaviour; false ignores offers. */
  ota?: Partial<OtaOptions> | false;
}

export interface DeviceEvents extends ClientEvents {
  ota: OtaProgress;
  /** A console ping arrived (already acknowledged). */
  ping: undefined;
}

type Handler<T extends unknown[]> = (...args: T) => void;

export class BlynkDevice {
  private readonly hal: Hal;
  private readonly client: BlynkClient;
  private readonly emitter = new Emitter<DeviceEvents>();
  private readonly keep: LatestValues<BatchValue> | undefined;
  private readonly limiter: RateLimiter | undefined;
  private readonly requests: Requests;
  private readonly requestTimeoutMs: number;
  private readonly ota: OtaUpdater | undefined;
  private readonly downlinks: Downlinks;
  private rebootPending = false;
  private rebooted = false;

  constructor(options: DeviceOptions) {
    const { hal } = options;
    this.hal = hal;
    this.client = new BlynkClient(hal, options);
    this.emitter.onListenerError = this.client.events.onListenerError;
    const forward = <K extends keyof ClientEvents>(ev: K) => this.client.events.on(ev, (v) => this.emitter.emit(ev, v as DeviceEvents[K]));
    for (const ev of ['state', 'error', 'online', 'redirect', 'fallback', 'network', 'subscribed'] as const) forward(ev);
    if (options.offline === 'keep-latest') this.keep = new LatestValues<BatchValue>(options.maxDatastreams ?? 64);
    if (options.rate !== false) this.limiter = new RateLimiter({ ...DEFAULT_RATE, ...(options.rate ?? {}) }, hal.clock.now());
    this.requests = new Requests(hal.timers);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    if (options.ota !== false) {
      const fw = this.client.config.firmware;
      this.ota = new OtaUpdater(
        hal,
        {
          firmware: fw,
          pauseConnection: () => this.client.stop(),
          resumeConnection: () => this.client.start(),
          progress: (p) => this.otaProgress(p),
          report: (e) => this.client.report(e),
          log: (m) => this.client.log.info(m),
        },
        { disconnect: true, stallTimeoutMs: 30_000, rebootDelayMs: 500, ...(options.ota ?? {}) },
      );
    }
    this.downlinks = new Downlinks({
      report: (e) => this.client.report(e),
      log: this.client.log,
      requests: this.requests,
      ota: this.ota,
      emitPing: () => this.emitter.emit('ping', undefined),
      reboot: () => this.rebootCleanly(),
    });
    this.client.onDownlink = (topic, bytes, start, end) => this.downlinks.dispatch(topic, bytes, start, end);
    this.client.events.on('online', () => this.flushKept());
    this.client.events.on('state', (s) => {
      if (this.rebootPending && s.to === 'stopped') this.reboot();
    });
  }

  // ---- life cycle and status ----

  start(): void {
    this.client.start();
  }

  /** Disconnect cleanly and stay offline until start(). */
  stop(): void {
    this.client.stop();
  }

  get state(): string {
    return this.client.state;
  }

  get online(): boolean {
    return this.client.online;
  }

  get counters(): BlynkClient['counters'] {
    return this.client.counters;
  }

  /** Where the device connects (or last tried to). */
  get endpoint(): string | undefined {
    const e = this.client.endpoint;
    return e ? `${e.scheme}://${e.host}:${e.port}${e.path}` : undefined;
  }

  get storedEndpoint(): string | undefined {
    return this.client.storedEndpoint;
  }

  /** Forget the redirected endpoint kept in flash. */
  clearStoredEndpoint(): void {
    this.client.clearStoredEndpoint();
  }

  /** Values kept while offline, waiting to be sent (keep-latest mode). */
  get pending(): number {
    return this.keep?.size ?? 0;
  }

  /** Listen to an event; returns a function that stops listening. */
  on<K extends keyof DeviceEvents>(event: K, fn: (value: DeviceEvents[K]) => void): () => void {
    return this.emitter.on(event, fn);
  }

  // ---- uplink (C-API) ----

  /** `ds/<name>` ← value as text; arrays are joined with NUL. */
  write(name: string, value: DatastreamValue): BlynkError | null {
    const bad = checkName(name, 'datastream name');
    if (bad) return bad;
    const text = valueText(value);
    if (text instanceof BlynkError) return text;
    if (!this.client.online && this.keep) {
      const kept = Array.isArray(value) ? value : typeof value === 'boolean' ? (value ? 1 : 0) : value;
      return this.keep.keep(name, kept) ? null : err(ErrorCode.OFFLINE, `offline, and already keeping ${this.keep.capacity} datastreams`);
    }
    return this.send(`ds/${name}`, text);
  }

  /** `batch_ds` ← one JSON object for several datastreams (one message for the quota). Location goes as [lon, lat]. */
  writeBatch(values: Readonly<Record<string, BatchValue>>): BlynkError | null {
    const json: Record<string, unknown> = {};
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
      for (const name of names) if (!this.keep.keep(name, json[name] as BatchValue)) return err(ErrorCode.OFFLINE, 'offline, keep-latest is full');
      return null;
    }
    return this.send('batch_ds', JSON.stringify(json));
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

  /** `event/<code>` ← description (empty: the template's default text). */
  logEvent(code: string, description = ''): BlynkError | null {
    if (typeof description !== 'string') return err(ErrorCode.BAD_VALUE, 'the event description must be text');
    return checkName(code, 'event code') ?? this.send(`event/${code}`, description);
  }

  setMetadata(name: string, value: string | number): BlynkError | null {
    const text = valueText(value);
    if (text instanceof BlynkError) return text;
    return checkName(name, 'metadata name') ?? this.send(`meta/${name}`, text);
  }

  /** Ask for the server's values of these datastreams; replies arrive as writes (`downlink/ds/<name>`). */
  sync(...names: string[]): BlynkError | null {
    return this.listRequest('get/ds', names, 'datastream name');
  }

  /** Ask for every datastream that has "sync with latest server value" on. */
  syncAll(): BlynkError | null {
    return this.send('get/ds/all', '');
  }

  getMetadata(...names: string[]): BlynkError | null {
    return this.listRequest('get/meta', names, 'metadata name');
  }

  /** Ask for the time; the reply goes to onTime handlers (or use requestTime). */
  getTime(): BlynkError | null {
    return this.send('get/utc/all/json', '');
  }

  /** Ask for the location; the reply goes to onLocation handlers (or use requestLocation). */
  getLocation(): BlynkError | null {
    return this.send('get/loc/all', '');
  }

  // ---- the same requests as promises (TIMEOUT after requestTimeoutMs) ----

  requestValues(names: readonly string[], timeoutMs = this.requestTimeoutMs): Promise<Record<string, string>> {
    return this.collect('downlink/ds/', names, () => this.sync(...names), timeoutMs, 'get/ds');
  }

  requestMetadata(names: readonly string[], timeoutMs = this.requestTimeoutMs): Promise<Record<string, string>> {
    return this.collect('downlink/meta/', names, () => this.getMetadata(...names), timeoutMs, 'get/meta');
  }

  requestTime(timeoutMs = this.requestTimeoutMs): Promise<TimeInfo> {
    let got: TimeInfo | undefined;
    return this.ask(
      () => this.getTime(),
      (topic, text) => {
        if (topic !== 'downlink/utc/all/json') return false;
        const t = parseTime(text);
        if (t instanceof BlynkError) throw t;
        got = t;
        return true;
      },
      () => got!,
      timeoutMs,
      'get/utc/all/json',
    );
  }

  requestLocation(timeoutMs = this.requestTimeoutMs): Promise<Location> {
    let got: Location | undefined;
    return this.ask(
      () => this.getLocation(),
      (topic, text) => {
        if (topic !== 'downlink/loc/all') return false;
        const l = parseLocation(text);
        if (l instanceof BlynkError) throw l;
        got = l;
        return true;
      },
      () => got!,
      timeoutMs,
      'get/loc/all',
    );
  }

  // ---- downlink handlers ----

  /** A handler for writes to one datastream (from the app, automations, or sync replies). Returns an unsubscribe. */
  onWrite(name: string, fn: (value: string, name: string) => void): () => void {
    const bad = checkName(name, 'datastream name');
    if (bad) throw bad; // a programming error at setup time, not a runtime condition
    return this.downlinks.onWrite(name, fn);
  }

  /** Writes to datastreams without a handler of their own. */
  onAnyWrite(fn: Handler<[name: string, value: string]>): void {
    this.downlinks.set('anyWrite', fn);
  }

  onMeta(fn: Handler<[name: string, value: string]>): void {
    this.downlinks.set('meta', fn);
  }

  onTime(fn: Handler<[time: TimeInfo]>): void {
    this.downlinks.set('time', fn);
  }

  onLocation(fn: Handler<[location: Location]>): void {
    this.downlinks.set('location', fn);
  }

  /** Replaces the default (a clean disconnect, then the HAL's reboot). */
  onReboot(fn: Handler<[]>): void {
    this.downlinks.set('reboot', fn);
  }

  /** The cloud asks the device to go back to provisioning (the default only logs it). */
  onReconfigure(fn: Handler<[]>): void {
    this.downlinks.set('reconfigure', fn);
  }

  /** Server diagnostics text (the default logs it). */
  onDiag(fn: Handler<[text: string]>): void {
    this.downlinks.set('diag', fn);
  }

  /** See each Blynk.Air offer first; return false to decline it. */
  onOta(fn: DownlinkHandlers['ota']): void {
    this.downlinks.set('ota', fn);
  }

  /** Any other `downlink/...` topic (the API grows over time). */
  onDownlink(fn: Handler<[topic: string, text: string]>): void {
    this.downlinks.set('other', fn);
  }

  // ---- internals ----

  private send(topic: string, payload: string, force = false): BlynkError | null {
    if (!this.client.online) return err(ErrorCode.OFFLINE, 'not connected');
    if (this.limiter) {
      const now = this.hal.clock.now();
      if (force) this.limiter.force(now);
      else if (!this.limiter.take(now)) return err(ErrorCode.RATE_LIMITED, 'over the message rate; nothing was sent');
    }
    return this.client.publish(topic, payload);
  }

  private listRequest(topic: string, names: readonly string[], what: string): BlynkError | null {
    if (names.length === 0) return err(ErrorCode.BAD_NAME, `at least one ${what} is needed`);
    for (const n of names) {
      const bad = checkListName(n, what);
      if (bad) return bad;
    }
    return this.send(topic, names.join(','));
  }

  private ask<T>(send: () => BlynkError | null, see: (topic: string, text: string) => boolean, result: () => T, timeoutMs: number, what: string): Promise<T> {
    const waiting = this.requests.wait(see, result, timeoutMs, what);
    const e = send();
    if (e) {
      // Not sent: fail now rather than at the timeout (the waiter times out unseen).
      waiting.catch(() => undefined);
      return Promise.reject(e);
    }
    return waiting;
  }

  private collect(prefix: string, names: readonly string[], send: () => BlynkError | null, timeoutMs: number, what: string): Promise<Record<string, string>> {
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

  /** After info/mcu: send what was kept offline, in one batch_ds where possible. */
  private flushKept(): void {
    if (!this.keep || this.keep.size === 0) return;
    for (const [topic, payload] of keptMessages(this.keep.take(), this.client.config.maxPacket)) this.sendKept(topic, payload);
  }

  private sendKept(topic: string, payload: string): void {
    const e = this.send(topic, payload, true);
    if (e) this.client.report(err(e.code, `could not send a value kept offline: ${e.message}`));
  }

  private rebootCleanly(): void {
    if (this.rebootPending) return;
    this.client.log.warn('reboot requested by the cloud');
    this.rebootPending = true;
    if (this.client.state === 'stopped') {
      this.reboot();
      return;
    }
    this.client.stop();
    // If the clean disconnect never completes, reboot anyway.
    this.hal.timers.set(() => this.reboot(), 3000);
  }

  private reboot(): void {
    if (this.rebooted) return;
    this.rebooted = true;
    this.hal.device.reboot();
  }

  private otaProgress(p: OtaProgress): void {
    this.emitter.emit('ota', p);
    if (p.phase === 'done' && this.client.state !== 'stopped') this.client.stop();
  }
}
