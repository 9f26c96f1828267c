// The device API firmware authors use (C-API): one object, `new BlynkDevice({...})`.
//
//   const device = new BlynkDevice({ hal, token, templateId, firmware: { version: '1.0.0' } });
//   device.onWrite('Power', (v) => relay.write(asBoolean(v)));
//   device.start();
//   device.write('Temperature', 21.7);
//
// Uplinks return null when the message went out, or a typed error (uplink.ts; nothing thrown).
// Downlinks go to handlers; a handler that throws or rejects is reported as an error event and
// changes nothing else (C-APP-1). start() and stop() can come in any order: the last one wins,
// during a Blynk.Air download too (C-APP-2). One runtime per HAL and token (C-APP-3).

import { describeError } from '../util/safe';
import type { Hal } from '../../hal/interfaces';
import { BlynkError, ErrorCode, err } from '../errors';
import { BlynkClient } from './client';
import { DeviceCore, type DeviceEvents } from './device-core';
import type { ConnectionOptions } from './config';
import { Downlinks } from './downlink';
import { DeviceHandlers, notAFunction } from './handlers';
import type { BatchValue, DatastreamValue, Location } from './names';
import { OtaUpdater, type OtaOptions } from './ota';
import type { RateOptions } from './rate';
import { resolveExtras } from './device-options';
import type { TimeInfo } from './replies';
import { Requests } from './requests';
import { Uplink } from './uplink';

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

export type { DeviceEvents } from './device-core';

/**
 * HALs with a live runtime (C-APP-3). One BlynkDevice per HAL: a HAL is one device's hardware,
 * and its single network listener and transport belong to one session. The claim is released
 * once a disposed device's transport is gone, so two connections never overlap (C-CONN-5).
 */
let inUseSet: WeakSet<Hal> | undefined;
// Made at the first use, not at module load: Moddable freezes what a preloaded module holds at
// build time, and a frozen WeakSet cannot take the HAL.
const inUse = (): WeakSet<Hal> => (inUseSet ??= new WeakSet<Hal>());

export class BlynkDevice extends DeviceHandlers {
  /** Like `new BlynkDevice(options)`, but a bad configuration or a HAL in use is returned as a typed error. */
  static create(options: DeviceOptions): BlynkDevice | BlynkError {
    try {
      return new BlynkDevice(options);
    } catch (e) {
      return e instanceof BlynkError ? e : err(ErrorCode.CONFIG, describeError(e));
    }
  }

  private readonly hal: Hal;
  /** The one object the client, the downlinks and the updater talk back to (device-core.ts). */
  private readonly core: DeviceCore;
  private readonly up: Uplink;
  private readonly requests: Requests;
  private readonly requestTimeoutMs: number;
  private readonly ota: OtaUpdater | undefined;
  private disposed = false;

  /** Throws a CONFIG or IN_USE BlynkError for a configuration that cannot work (see create()). */
  constructor(options: DeviceOptions) {
    const hal = options?.hal;
    if (!hal || typeof hal !== 'object') throw err(ErrorCode.CONFIG, 'options.hal is required');
    // Checked before anything touches the HAL: a refused device must not take the running one's listeners.
    if (inUse().has(hal)) throw err(ErrorCode.IN_USE, 'another BlynkDevice already runs on this HAL; dispose() it first');
    const extras = resolveExtras(options);
    super(new BlynkClient(hal, options));
    this.hal = hal;
    inUse().add(hal);
    const client = this.client;
    this.requests = new Requests(hal.timers);
    const core = (this.core = new DeviceCore(hal, client, this.requests, extras.ota?.decisionTimeoutMs ?? 0));
    const reportListener = (event: string, e: unknown) => {
      if (event === 'error') client.log.error(`an 'error' listener failed: ${describeError(e)}`);
      else client.report(err(ErrorCode.HANDLER_FAILED, `a '${event}' listener failed: ${describeError(e)}`));
    };
    core.emitter.onListenerError = reportListener;
    client.events.onListenerError = reportListener;
    this.up = core.up = new Uplink(client, hal.clock, hal.timers, extras.keepLatest, extras.rate);
    client.observer = core;
    this.requestTimeoutMs = extras.requestTimeoutMs;
    if (extras.ota) this.ota = core.ota = new OtaUpdater(hal, core, extras.ota);
    this.downlinks = new Downlinks(core);
    this.client.onDownlink = this.downlinks.dispatch.bind(this.downlinks); // bound, not wrapped: one call fewer per message
  }

  // ---- life cycle and status ----

  start(): void {
    if (this.disposed) return;
    this.ota?.appTookControl();
    this.client.start();
  }

  /** Disconnect cleanly and stay offline until start(). */
  stop(): void {
    this.ota?.appTookControl();
    this.client.stop();
  }

  /** Stop for good: a running download is aborted, and the HAL is free for another BlynkDevice once the transport is gone. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ota?.shutdown('the device was disposed');
    this.stop();
    const release = () => inUse().delete(this.hal);
    if (this.client.state === 'stopped' || this.client.state === 'idle') release();
    else this.client.events.on('state', (s) => s.to === 'stopped' && release());
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

  /** The endpoint a redirect stored in flash under this configuration, if any. */
  get storedEndpoint(): string | undefined {
    return this.client.storedEndpoint;
  }

  /** Forget the redirected endpoint kept in flash. */
  clearStoredEndpoint(): void {
    this.client.clearStoredEndpoint();
  }

  /** Values kept while offline, waiting to be sent (keep-latest mode). */
  get pending(): number {
    return this.up.pending;
  }

  /** Listen to an event; returns a function that stops listening. A listener that is not a function is reported (BAD_VALUE). */
  on<K extends keyof DeviceEvents>(event: K, fn: (value: DeviceEvents[K]) => unknown): () => void {
    if (typeof fn !== 'function') {
      this.client.report(notAFunction(`on('${String(event)}')`));
      return () => undefined;
    }
    return this.core.emitter.on(event, fn as (value: DeviceEvents[K]) => void);
  }

  // ---- uplink (C-API, uplink.ts) ----

  /** `ds/<name>` ← value as text; arrays are joined with NUL. */
  write(name: string, value: DatastreamValue): BlynkError | null {
    return this.up.write(name, value);
  }

  /** `batch_ds` ← one JSON object for several datastreams (one message for the quota). Location goes as [lon, lat]. */
  writeBatch(values: Readonly<Record<string, BatchValue>>): BlynkError | null {
    return this.up.writeBatch(values);
  }

  erase(name: string): BlynkError | null {
    return this.up.erase(name);
  }

  setProperty(name: string, property: string, value: DatastreamValue): BlynkError | null {
    return this.up.setProperty(name, property, value);
  }

  eraseProperty(name: string, property: string): BlynkError | null {
    return this.up.eraseProperty(name, property);
  }

  /** `event/<code>` ← description (empty: the template's default text). */
  logEvent(code: string, description = ''): BlynkError | null {
    return this.up.logEvent(code, description);
  }

  setMetadata(name: string, value: string | number): BlynkError | null {
    return this.up.setMetadata(name, value);
  }

  /** Ask for the server's values of these datastreams; replies arrive as writes (`downlink/ds/<name>`). */
  sync(...names: string[]): BlynkError | null {
    return this.up.listRequest('get/ds', names, 'datastream name');
  }

  /** Ask for every datastream that has "sync with latest server value" on. */
  syncAll(): BlynkError | null {
    return this.up.send('get/ds/all', '');
  }

  getMetadata(...names: string[]): BlynkError | null {
    return this.up.listRequest('get/meta', names, 'metadata name');
  }

  /** Ask for the time; the reply goes to onTime handlers (or use requestTime). */
  getTime(): BlynkError | null {
    return this.up.send('get/utc/all/json', '');
  }

  /** Ask for the location; the reply goes to onLocation handlers (or use requestLocation). */
  getLocation(): BlynkError | null {
    return this.up.send('get/loc/all', '');
  }

  // ---- the same requests as promises (requests.ts; TIMEOUT after requestTimeoutMs) ----

  requestValues(names: readonly string[], timeoutMs = this.requestTimeoutMs): Promise<Record<string, string>> {
    if (!Array.isArray(names)) return Promise.reject(err(ErrorCode.BAD_NAME, 'requestValues needs an array of datastream names'));
    return this.requests.collect('downlink/ds/', names, () => this.sync(...names), timeoutMs, 'get/ds');
  }

  requestMetadata(names: readonly string[], timeoutMs = this.requestTimeoutMs): Promise<Record<string, string>> {
    if (!Array.isArray(names)) return Promise.reject(err(ErrorCode.BAD_NAME, 'requestMetadata needs an array of metadata names'));
    return this.requests.collect('downlink/meta/', names, () => this.getMetadata(...names), timeoutMs, 'get/meta');
  }

  requestTime(timeoutMs = this.requestTimeoutMs): Promise<TimeInfo> {
    return this.requests.time(() => this.getTime(), timeoutMs);
  }

  requestLocation(timeoutMs = this.requestTimeoutMs): Promise<Location> {
    return this.requests.location(() => this.getLocation(), timeoutMs);
  }

}
