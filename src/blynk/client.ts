// The Blynk connection: an MQTT session plus what Blynk.Cloud asks of every device. A driver:
// the rules live in redirect-policy.ts (which endpoint, what to follow, when to fall back),
// session/reconnect.ts (when to retry) and util/secrets.ts (what may leave the device).
// - CONNECT as `device` with the token; on every CONNACK 0 subscribe `downlink/#` and publish
//   `info/mcu`, pipelined (C-SESSION).
// - `downlink/redirect` is decided by the policy and carried out here: store, then reconnect
//   (C-REDIRECT-3); every other downlink goes to the device layer through `onDownlink`.
// - Every event payload, error and log line leaves with the token scrubbed out (C-SECRETS).

import { describeError } from '../util/safe';
import type { Hal } from '../../hal/interfaces';
import { BlynkError, ErrorCode, err } from '../errors';
import { formatEndpoint, type Endpoint } from '../session/endpoint';
import { MqttSession, type SessionHooks, type StateChange } from '../session/session';
import type { State } from '../session/state';
import type { Counters } from '../session/counters';
import { Emitter } from '../util/emitter';
import { Logger } from '../util/log';
import { Scrubber, maskToken } from '../util/secrets';
import { utf8Decode } from '../util/utf8';
import { resolveConfig, type ConnectionOptions, type ResolvedConfig } from './config';
import { EndpointStore } from './endpoint-store';
import { RedirectPolicy } from './redirect-policy';

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
  /** Another device seems to use this token (C-DUPLICATE); the runtime waits `waitMs` before it tries again. */
  duplicate: { closes: number; waitMs: number };
}

export interface ClientObserver {
  clientEvent<K extends keyof ClientEvents>(event: K, value: ClientEvents[K]): void;
}

/** The client is its session's hooks (SessionHooks): the session calls it directly, no closures kept. */
export class BlynkClient implements SessionHooks {
  /** Every downlink except `downlink/redirect`. The payload is `bytes[start, end)`, valid only during the call. */
  onDownlink: ((topic: string, bytes: Uint8Array, start: number, end: number) => void) | undefined; // first: read per message, and XS walks an object's properties
  readonly events = new Emitter<ClientEvents>();
  readonly config: ResolvedConfig;
  readonly log: Logger;
  /** The layer above (BlynkDevice), told of every event before `events` listeners: one object, no listener lists. */
  observer: ClientObserver | undefined;

  private readonly hal: Hal;
  private readonly session: MqttSession;
  private readonly store: EndpointStore;
  private readonly policy: RedirectPolicy;
  private readonly scrubber: Scrubber;
  /** This connection's `downlink/#` and `info/mcu` went out. */
  private subscribed = false;
  private infoSent = false;

  constructor(hal: Hal, options: ConnectionOptions) {
    this.hal = hal;
    this.config = resolveConfig(options);
    const c = this.config;
    this.scrubber = new Scrubber(c.token);
    this.log = new Logger(hal.log, c.logLevel, this.scrubber);
    this.events.onListenerError = (event, e) => this.log.error(`a '${event}' listener failed: ${describeError(e)}`);
    this.store = new EndpointStore(hal.storage, c.storageKey);
    this.policy = new RedirectPolicy(c.redirect, c.server, c.token);
    const ignored = this.policy.boot(this.store.get());
    if (ignored) this.log.warn(`not using the endpoint stored in flash: ${ignored}`);
    this.session = new MqttSession(hal, c, this, this.log, this.scrubber);
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

  /** The endpoint stored in flash for this configuration (C-REDIRECT-7), if any. */
  get storedEndpoint(): string | undefined {
    const r = this.store.get();
    return r && this.policy.belongs(r) ? r.uri : undefined;
  }

  start(): void {
    this.session.start();
  }

  stop(): void {
    this.session.stop();
  }

  /** The runtime's own stop (an OTA download): like stop(), but a running auth wait still holds at the next start() (C-CONN-4). */
  pause(): void {
    this.session.stop(true);
  }

  /** Forget the stored endpoint; the next connection uses the configured server. */
  clearStoredEndpoint(): void {
    this.store.clear();
    this.policy.forget();
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
    this.deliver('error', clean, true);
    return clean;
  }

  /** The error with the token masked out of its message and detail, in case anything let it in. */
  scrub(e: BlynkError): BlynkError {
    return this.scrubber.error(e);
  }

  /** Emit an event with the token masked out of its payload (C-SECRETS): to the observer first, then to `events`. */
  emit<K extends keyof ClientEvents>(event: K, value: ClientEvents[K]): void {
    this.deliver(event, value, false);
  }

  // `clean`: scrubbed already. The scrub is not nested in a call: the call's pending slots would
  // be stack under it (XS, issue 14).
  private deliver<K extends keyof ClientEvents>(event: K, value: ClientEvents[K], clean?: boolean): void {
    const v = clean ? value : this.scrubber.value(value);
    const o = this.observer;
    if (o) {
      try {
        o.clientEvent(event, v);
      } catch (e) {
        this.log.error(`the '${event}' observer failed: ${describeError(e)}`);
      }
    }
    this.events.emit(event, v);
  }

  /** The scrubber for payloads the device layer emits. */
  get secrets(): Scrubber {
    return this.scrubber;
  }

  // ---- SessionHooks (the session's; not for applications) ----

  /** @internal */
  nextEndpoint(): Endpoint {
    return this.policy.target();
  }

  /** @internal */
  sessionOnline(): void {
    this.subscribed = this.infoSent = false;
    this.sendSessionStart(0);
    if (this.session.online) this.emit('online', this.session.endpoint!);
  }

  /** @internal */
  incoming(topic: string, bytes: Uint8Array, start: number, end: number): void {
    if (topic === TOPIC_REDIRECT) {
      this.redirect(utf8Decode(bytes, start, end));
      return;
    }
    this.onDownlink?.(topic, bytes, start, end);
  }

  /**
   * @internal What the session reports goes out as the client's own event: deliver() itself, not
   * a method calling it (a frame fewer under every state change, XS stack; one slot).
   */
  readonly sessionEvent = this.deliver as SessionHooks['sessionEvent'];

  /**
   * `downlink/#` and `info/mcu`, pipelined (C-SESSION). A connection without them is deaf, so a
   * send queue too full to take them is retried shortly, a few times, then the connection is
   * made again rather than left online and deaf.
   */
  private sendSessionStart(attempt: number): void {
    const c = this.config;
    const gen = this.session.counters.connects;
    let busy = false;
    if (!this.subscribed) {
      const sub = this.session.subscribe([{ topic: 'downlink/#', qos: c.subscribeQos }]);
      if (!sub) this.subscribed = true;
      else if (sub.code === ErrorCode.BUSY) busy = true;
      else this.report(sub);
    }
    if (!this.infoSent) {
      const info = JSON.stringify({ tmpl: c.templateId, ver: c.firmware.version, build: c.firmware.build, type: c.firmware.type, rxbuff: this.session.rxbuff });
      const pub = this.session.publish('info/mcu', info);
      if (!pub) this.infoSent = true;
      else if (pub.code === ErrorCode.BUSY) busy = true;
      else this.report(pub);
    }
    if (!busy) return;
    if (attempt >= 10) {
      this.report(err(ErrorCode.BUSY, 'could not send the subscription and info/mcu: reconnecting'));
      this.session.reconnectNow('the session could not start');
      return;
    }
    this.hal.timers.set(() => {
      if (this.session.online && this.session.counters.connects === gen) this.sendSessionStart(attempt + 1);
    }, 200);
  }

  /** @internal */
  attemptEnded(ep: Endpoint, ok: boolean, e: BlynkError | undefined): void {
    const f = this.policy.attemptEnded(ep, ok, e);
    if (!f) return;
    this.log.warn(`${f.from} failed ${f.failures} times in a row; falling back to ${f.to}`);
    this.emit('fallback', { from: f.from, to: f.to });
  }

  // ---- redirect: the policy decides, this carries it out ----

  private redirect(uri: string): void {
    const now = this.hal.clock.now();
    const current = this.session.endpoint;
    const d = this.policy.decide(uri, current, now);
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
    let persisted = false;
    if (this.config.redirect.persist) {
      // Written BEFORE the reconnect (C-REDIRECT-3); a failure is reported and the redirect
      // still followed (C-REDIRECT-6). An identical record is not written again (flash wear).
      const rec = this.policy.record(target);
      const old = this.store.get();
      persisted = (old?.uri === rec.uri && old.server === rec.server) || this.store.save(rec);
      if (!persisted) {
        this.session.counters.storageFailures++;
        this.report(err(ErrorCode.STORAGE_FAILED, `could not store the redirect to ${text} in flash`));
      }
    }
    this.policy.followed(target, now);
    this.session.counters.redirects++;
    this.log.info(`redirected to ${text}${persisted ? '' : ' (not stored)'}`);
    this.emit('redirect', { from: current ? formatEndpoint(current) : undefined, to: text, persisted });
    this.session.reconnectNow('redirect');
  }
}
