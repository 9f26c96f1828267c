// The Blynk connection: an MQTT session plus what Blynk.Cloud asks of every device.
// - CONNECT as `device` with the token; on every CONNACK 0 subscribe `downlink/#` and publish
//   `info/mcu`, pipelined (C-SESSION).
// - Which endpoint: a redirect followed in this boot, else the one stored in flash, else the
//   configured server; a stored endpoint that fails N times in a row is set aside for this
//   boot (C-REDIRECT-4).
// - `downlink/redirect` is handled here (C-REDIRECT); every other downlink goes to the device
//   layer through `onDownlink`.
// - Errors and log lines leave with the token scrubbed out (C-SECRETS).

import type { Hal } from '../../hal/interfaces';
import { BlynkError, ErrorCode, err } from '../errors';
import { formatEndpoint, parseEndpoint, sameEndpoint, type Endpoint } from '../session/endpoint';
import { MqttSession, type StateChange } from '../session/session';
import type { State } from '../session/state';
import type { Counters } from '../session/counters';
import { Emitter } from '../util/emitter';
import { Logger } from '../util/log';
import { Scrubber, maskToken } from '../util/secrets';
import { utf8Decode } from '../util/utf8';
import { resolveConfig, type ConnectionOptions, type ResolvedConfig } from './config';
import { EndpointStore } from './endpoint-store';
import { RedirectGuard } from './redirect';

export const TOPIC_REDIRECT = 'downlink/redirect';

export interface RedirectEvent {
  from: string | undefined;
  to: string;
  /** False if the flash write failed (the redirect is still followed, C-REDIRECT-6). */
  persisted: boolean;
}

export interface ClientEvents {
  state: StateChange;
  error: BlynkError;
  /** CONNACK 0, after `downlink/#` and `info/mcu` went out. */
  online: Endpoint;
  redirect: RedirectEvent;
  /** A stored endpoint failed too often; using the configured server for this boot. */
  fallback: { from: string; to: string };
  network: boolean;
  /** The SUBACK for `downlink/#` arrived (granted QoS, or 0x80 if refused). */
  subscribed: readonly number[];
}

export class BlynkClient {
  readonly events = new Emitter<ClientEvents>();
  readonly config: ResolvedConfig;
  readonly log: Logger;
  /** Every downlink except `downlink/redirect`. The payload is `bytes[start, end)`, valid only during the call. */
  onDownlink: ((topic: string, bytes: Uint8Array, start: number, end: number) => void) | undefined;

  private readonly hal: Hal;
  private readonly session: MqttSession;
  private readonly store: EndpointStore;
  private readonly guard: RedirectGuard;
  private readonly scrubber: Scrubber;
  /** The redirect target in use this boot (from flash at boot, or followed since). */
  private redirected: Endpoint | undefined;
  private redirectFailures = 0;

  constructor(hal: Hal, options: ConnectionOptions) {
    this.hal = hal;
    this.config = resolveConfig(options);
    this.scrubber = new Scrubber(this.config.token);
    this.log = new Logger(hal.log, this.config.logLevel, this.scrubber);
    this.events.onListenerError = (event, e) => this.log.error(`a '${event}' listener threw: ${String(e)}`);
    this.store = new EndpointStore(hal.storage, this.config.storageKey);
    this.guard = new RedirectGuard(this.config.redirect);
    const stored = this.store.get();
    if (stored) {
      const ep = parseEndpoint(stored.uri);
      if (ep instanceof BlynkError) this.log.warn(`ignoring the stored endpoint: ${ep.message}`);
      else this.redirected = ep;
    }
    const c = this.config;
    this.session = new MqttSession(
      hal,
      {
        clientId: c.clientId,
        username: 'device',
        password: c.token,
        keepalive: c.keepalive,
        rxbuff: c.rxbuff,
        maxPacket: c.maxPacket,
        connectTimeoutMs: c.connectTimeoutMs,
        backoff: c.backoff,
        stableAfterMs: c.stableAfterMs,
        authRetryMs: c.authRetryMs,
        closeTimeoutMs: c.closeTimeoutMs,
      },
      {
        endpoint: () => this.redirected ?? c.server,
        online: () => this.sessionOnline(),
        message: (topic, bytes, start, end) => this.message(topic, bytes, start, end),
        attemptEnded: (ep, ok, e) => this.attemptEnded(ep, ok, e),
      },
      this.log,
      this.scrubber,
    );
    this.session.events.onListenerError = this.events.onListenerError;
    this.session.events.on('state', (s) => this.events.emit('state', s));
    this.session.events.on('error', (e) => this.events.emit('error', e));
    this.session.events.on('network', (up) => this.events.emit('network', up));
    this.session.events.on('subscribed', (g) => this.events.emit('subscribed', g));
    this.log.info(`device ${maskToken(c.token)}, template ${c.templateId}, server ${formatEndpoint(c.server)}`);
  }

  get state(): State {
    return this.session.state;
  }

  get online(): boolean {
    return this.session.online;
  }

  get counters(): Readonly<Counters> {
    return this.session.counters;
  }

  /** The endpoint of the current (or last) connection attempt. */
  get endpoint(): Endpoint | undefined {
    return this.session.endpoint;
  }

  /** The endpoint stored in flash, if any. */
  get storedEndpoint(): string | undefined {
    return this.store.get()?.uri;
  }

  start(): void {
    this.session.start();
  }

  stop(): void {
    this.session.stop();
  }

  /** Forget the stored endpoint; the next connection uses the configured server. */
  clearStoredEndpoint(): void {
    this.store.clear();
    this.redirected = undefined;
  }

  /** Publish at QoS 0. Null when it went out; OFFLINE, TOO_LARGE, BUSY errors otherwise. */
  publish(topic: string, payload: Uint8Array | string): BlynkError | null {
    const e = this.session.publish(topic, payload);
    return e ? this.scrub(e) : null;
  }

  /** Report an error through the same channel as the runtime's own (scrubbed, logged). */
  report(e: BlynkError, level: 'warn' | 'error' = 'warn'): BlynkError {
    const clean = this.scrub(e);
    this.log.write(level, `${clean.code}: ${clean.message}`);
    this.events.emit('error', clean);
    return clean;
  }

  /** The error with the token masked out of its message, in case anything let it in. */
  scrub(e: BlynkError): BlynkError {
    return this.scrubber.error(e);
  }

  // ---- session hooks ----

  private sessionOnline(): void {
    const c = this.config;
    const sub = this.session.subscribe([{ topic: 'downlink/#', qos: c.subscribeQos }]);
    if (sub) this.report(sub);
    const info = JSON.stringify({
      tmpl: c.templateId,
      ver: c.firmware.version,
      build: c.firmware.build,
      type: c.firmware.type,
      rxbuff: this.session.rxbuff,
    });
    const pub = this.session.publish('info/mcu', info);
    if (pub) this.report(pub);
    this.events.emit('online', this.session.endpoint!);
  }

  private message(topic: string, bytes: Uint8Array, start: number, end: number): void {
    if (topic === TOPIC_REDIRECT) {
      this.redirect(utf8Decode(bytes, start, end));
      return;
    }
    this.onDownlink?.(topic, bytes, start, end);
  }

  private attemptEnded(ep: Endpoint, ok: boolean, e: BlynkError | undefined): void {
    const r = this.redirected;
    if (!r || !sameEndpoint(ep, r)) return;
    if (ok) {
      this.redirectFailures = 0;
      return;
    }
    if (e?.code === ErrorCode.AUTH_FAILED) return; // a wrong token is not the endpoint's fault
    if (++this.redirectFailures < this.config.redirect.fallbackAfter) return;
    const from = formatEndpoint(r);
    const to = formatEndpoint(this.config.server);
    this.log.warn(`${from} failed ${this.redirectFailures} times in a row; falling back to ${to}`);
    this.redirected = undefined; // the stored record stays until a new redirect replaces it
    this.redirectFailures = 0;
    this.events.emit('fallback', { from, to });
  }

  // ---- redirect (C-REDIRECT) ----

  private redirect(uri: string): void {
    const now = this.hal.clock.now();
    const current = this.session.endpoint;
    const d = this.guard.decide(uri, current, now);
    if (d instanceof BlynkError) {
      this.session.counters.redirectsRejected++;
      this.report(d);
      return;
    }
    if ('same' in d) {
      this.log.info(`redirect to ${formatEndpoint(d.same)}: already there`);
      return;
    }
    const target = d.follow;
    const text = formatEndpoint(target);
    this.guard.noteFollowed(now);
    let persisted = false;
    if (this.config.redirect.persist) {
      // Written BEFORE the reconnect (C-REDIRECT-3); a failure is reported and the redirect
      // still followed (C-REDIRECT-6). An identical record is not written again (flash wear).
      persisted = this.store.get()?.uri === text || this.store.save(text);
      if (!persisted) {
        this.session.counters.storageFailures++;
        this.report(err(ErrorCode.STORAGE_FAILED, `could not store the redirect to ${text} in flash`));
      }
    }
    this.redirected = target;
    this.redirectFailures = 0;
    this.session.counters.redirects++;
    this.log.info(`redirected to ${text}${persisted ? '' : ' (not stored)'}`);
    this.events.emit('redirect', { from: current ? formatEndpoint(current) : undefined, to: text, persisted });
    this.session.reconnectNow('redirect');
  }
}
