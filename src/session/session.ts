// The MQTT session's lifecycle: one connection at a time, for as long as the application wants.
// - The state changes in one place, `to()`, checked against state.ts; it clears the wait timer.
// - The last start()/stop() wins (C-APP-2): they set what is wanted; what is in flight ends there.
// - Every loss goes through `fail()`: close the link, wait until the transport is gone (C-CONN-5),
//   then wait as reconnect.ts says. The wire is link.ts; Blynk policy comes from the hooks.

import type { Hal, TimerHandle } from '../../hal/interfaces';
import { BlynkError, ErrorCode, err } from '../errors';
import type { Subscription } from '../mqtt/packets';
import { callSafely, describeError } from '../util/safe';
import type { Logger } from '../util/log';
import type { Scrubber } from '../util/secrets';
import { countDisconnect, newCounters, type Counters } from './counters';
import { formatEndpoint, type Endpoint } from './endpoint';
import { duplicateError } from './failures';
import { Link, connectPacket } from './link';
import { ReconnectPolicy, type Wait } from './reconnect';
import { State, canTransition } from './state';
import type { LinkOwner, MessageSink, SessionConfig, SessionHooks } from './types';

export type { SessionConfig, SessionEvents, SessionHooks, StateChange } from './types';

/** The session is its link's owner (LinkOwner): the link calls it directly, no closures kept. */
export class MqttSession implements LinkOwner, MessageSink {
  readonly counters: Counters = newCounters();

  private readonly hal: Hal;
  private readonly config: SessionConfig;
  private readonly hooks: SessionHooks;
  private readonly log: Logger;
  private readonly scrubber: Scrubber | undefined;
  private readonly link: Link;
  private readonly policy: ReconnectPolicy;

  private current: State = State.IDLE;
  /** Counts state changes: a caller knows whether a listener made one while it emitted. */
  private transitions = 0;
  /** What the application asked for last (C-APP-2). */
  private wanted = false;
  /** The last stop() was the runtime's own pause: a running auth wait survives it (C-CONN-4). */
  private keepWaits = false;
  private endpointInUse: Endpoint | undefined;
  private waitTimer: TimerHandle | undefined;
  private connectDeadline = 0;
  /** When the running wait's timer is due (what a pause keeps). */
  private waitEnds = 0;
  private afterClose: (() => void) | undefined;
  /** The connection (its `connects` count) whose session start waits for the event loop; 0: none. */
  private startPending = 0;

  /**
   * `scrubber` masks the token in every error this session reports (C-SECRETS). Throws a CONFIG
   * BlynkError if the CONNECT cannot be built (the application's own configuration).
   */
  constructor(hal: Hal, config: SessionConfig, hooks: SessionHooks, log: Logger, scrubber?: Scrubber) {
    const connect = connectPacket(config);
    if (connect instanceof BlynkError) throw err(ErrorCode.CONFIG, `cannot build CONNECT: ${connect.message}`);
    this.hal = hal;
    this.config = config;
    this.hooks = hooks;
    this.log = log;
    this.scrubber = scrubber;
    this.policy = new ReconnectPolicy(hal.random, config);
    this.link = new Link(hal, config, this.counters, this, hooks);
    hal.network.onChange((up) => this.onNetwork(up));
  }

  get state(): State { return this.current; } // prettier-ignore
  get online(): boolean { return this.current === State.ONLINE; } // prettier-ignore
  /** The endpoint of the current (or last) attempt. */
  get endpoint(): Endpoint | undefined { return this.endpointInUse; } // prettier-ignore
  /** The receive buffer's real capacity in bytes (what `rxbuff` in info/mcu reports). */
  get rxbuff(): number { return this.link.rxbuff; } // prettier-ignore
  /** The backoff's retry count since it last reset. */
  get retries(): number { return this.policy.retries; } // prettier-ignore

  start(): void {
    this.wanted = true;
    // Anything else is running, or closing and goes on once closed (closed() reads `wanted`).
    if (this.current === State.IDLE || this.current === State.STOPPED) this.connectOrWait('start');
  }

  /**
   * Disconnect cleanly and stay disconnected until start(). `keepWaits`: the runtime's own pause
   * (an OTA download), not the application's stop: a running auth wait still holds afterwards.
   */
  stop(keepWaits = false): void {
    this.wanted = false;
    this.keepWaits = keepWaits;
    const s = this.current;
    if (keepWaits && s === State.BACKOFF) this.policy.hold(this.waitEnds); // C-DUPLICATE: minutes, not cut short by a pause
    if (s === State.STOPPED || s === State.CLOSING) {
      if (!keepWaits) {
        // The application's stop ends any wait (one a pause kept, one the closing loss would
        // start): its start() right after tries at once, as it does from a waiting state.
        this.policy.reset();
        if (s === State.CLOSING) this.afterClose = () => this.connectOrWait('start');
      }
      return; // closing ends in STOPPED now
    }
    if (s === State.ONLINE || s === State.CONNECTING || s === State.HANDSHAKE) {
      if (s === State.ONLINE) countDisconnect(this.counters, 'STOPPED');
      this.closeThen(() => this.connectOrWait('start'), 'STOPPED', undefined, true);
      return;
    }
    if (!keepWaits) this.policy.reset();
    this.to(State.STOPPED, 'stopped');
  }

  /** Disconnect cleanly and connect again at once, to whatever hooks.nextEndpoint() now says (a redirect). */
  reconnectNow(reason: string): void {
    const s = this.current;
    if (!this.wanted || s === State.IDLE || s === State.STOPPED) return;
    if (s === State.CLOSING) return void (this.afterClose = () => this.connectOrWait(reason));
    if (s === State.ONLINE || s === State.CONNECTING || s === State.HANDSHAKE) {
      if (s === State.ONLINE) countDisconnect(this.counters, 'REDIRECT');
      this.closeThen(() => this.connectOrWait(reason), 'REDIRECT', undefined, true);
      return;
    }
    this.connectOrWait(reason); // waiting: go now
  }

  /** Publish at QoS 0 (what Blynk uplinks use). Returns null when the bytes were handed to the transport. */
  publish(topic: string, payload: Uint8Array | string): BlynkError | null {
    return this.current === State.ONLINE ? this.link.publish(topic, payload) : err(ErrorCode.OFFLINE, 'not connected');
  }

  subscribe(subs: readonly Subscription[]): BlynkError | null {
    return this.current === State.ONLINE ? this.link.subscribe(subs) : err(ErrorCode.OFFLINE, 'not connected');
  }

  // ---- state ----

  private to(next: State, reason: string, error?: BlynkError): boolean {
    const from = this.current;
    if (!canTransition(from, next)) {
      const e = err(ErrorCode.INTERNAL, `illegal state change ${from} -> ${next} (${reason})`);
      this.log.error(e.message);
      this.raise(e);
      return false;
    }
    this.hal.timers.clear(this.waitTimer);
    this.waitTimer = undefined;
    this.current = next;
    const mine = ++this.transitions;
    this.log.info(`state ${from} -> ${next}: ${reason}`);
    this.hooks.sessionEvent('state', error ? { from, to: next, reason, error } : { from, to: next, reason });
    return this.transitions === mine; // false: a listener made a change (even stop+start): stop here
  }

  /** The one timer of a waiting state; a timer that is no longer the current one does nothing. */
  private wait(ms: number, fn: () => void): void {
    this.hal.timers.clear(this.waitTimer);
    this.waitEnds = this.hal.clock.now() + ms;
    const handle = this.hal.timers.set(() => {
      if (this.waitTimer !== handle) return;
      this.waitTimer = undefined;
      fn();
    }, ms);
    this.waitTimer = handle;
  }

  private connectOrWait(reason: string): void {
    if (!this.wanted) {
      if (this.current !== State.STOPPED) this.to(State.STOPPED, 'stopped');
      return;
    }
    const w = this.policy.beforeAttempt(this.hal.clock.now(), this.hal.network.isUp());
    if (w?.kind === 'network') {
      if (this.current !== State.WAITING_NETWORK) this.to(State.WAITING_NETWORK, 'network is down');
      return;
    }
    if (w?.kind === 'rest') {
      // C-CONN-4, C-DUPLICATE: no attempt before that wait ends, whatever made this one due; armed
      // again even in its own state (a timer that fired early must not strand the session).
      const st = w.auth ? State.AUTH_FAILED : State.BACKOFF;
      const why = w.auth ? 'the auth token was refused' : 'the wait goes on after a pause';
      if (this.current === st || this.to(st, `${why}; next try in ${Math.round(w.ms / 1000)} s`)) this.wait(w.ms, () => this.connectOrWait(w.auth ? 'auth retry' : 'retry'));
      return;
    }
    const ep = this.hooks.nextEndpoint();
    this.endpointInUse = ep;
    if (!this.to(State.CONNECTING, `${reason}: ${formatEndpoint(ep)}`)) return;
    this.counters.attempts++;
    this.connectDeadline = this.hal.clock.now() + this.config.connectTimeoutMs;
    this.wait(this.config.connectTimeoutMs, () => this.connectTimedOut());
    this.link.open(ep);
  }

  private connectTimedOut(): void { this.fail(err(ErrorCode.CONNECT_TIMEOUT, `no CONNACK within ${this.config.connectTimeoutMs} ms`), false); } // prettier-ignore

  /** Lose the connection (or attempt) because of `raw`: close the link, then wait as the policy says. */
  private fail(raw: BlynkError, peerClosed: boolean): void {
    const error = this.clean(raw);
    const s = this.current;
    if (s !== State.CONNECTING && s !== State.HANDSHAKE && s !== State.ONLINE) return;
    if (error.code === ErrorCode.AUTH_FAILED) this.policy.refused(this.hal.clock.now()); // C-CONN-4, before anything can pause us
    if (s === State.ONLINE) {
      countDisconnect(this.counters, error.code);
    } else {
      this.counters.failedAttempts++;
      if (this.hal.network.isUp()) this.safely(() => this.hooks.attemptEnded(this.endpointInUse!, false, error));
      if (this.current !== s) return; // a listener took over
    }
    this.log.warn(`connection ${s === State.ONLINE ? 'lost' : 'attempt failed'}: ${error.code} ${error.message}`);
    this.closeThen(() => this.afterLoss(error, peerClosed), error.code, error, false);
    // Told last: a listener that calls stop() or start() finds the session closing or waiting.
    this.raise(error);
  }

  private closeThen(then: () => void, reason: string, error: BlynkError | undefined, clean: boolean): void {
    if (!this.link.active) {
      this.finish(then);
      return;
    }
    this.afterClose = then;
    this.to(State.CLOSING, reason, error);
    this.link.close(clean);
    if (this.current !== State.CLOSING) return;
    this.wait(this.config.closeTimeoutMs, () => {
      if (this.current !== State.CLOSING) return;
      // The HAL promised an onClose; if it never comes, do not stay stuck forever.
      this.log.warn('transport did not confirm close; moving on');
      this.link.abandon();
      this.transportGone();
    });
  }

  /** The transport is gone: go on as the application last asked. */
  private transportGone(): void {
    const then = this.afterClose;
    this.afterClose = undefined;
    this.finish(then);
  }

  private finish(then: (() => void) | undefined): void {
    if (!this.wanted) {
      if (!this.keepWaits) this.policy.reset();
      if (this.current !== State.STOPPED) this.to(State.STOPPED, 'stopped');
      return;
    }
    then?.();
  }

  private afterLoss(error: BlynkError, peerClosed: boolean): void {
    const w: Wait = this.policy.next({ error, networkUp: this.hal.network.isUp(), now: this.hal.clock.now(), peerClosed });
    switch (w.kind) {
      case 'network':
        this.to(State.WAITING_NETWORK, 'network is down');
        return;
      case 'auth':
        this.counters.authFailures++;
        if (this.to(State.AUTH_FAILED, `the auth token was refused; next try in ${Math.round(w.ms / 1000)} s`, error)) this.wait(w.ms, () => this.connectOrWait('auth retry'));
        return;
      case 'duplicate': {
        const dup = duplicateError(w.closes, w.ms);
        this.log.warn(dup.message);
        if (!this.to(State.BACKOFF, `another device on this token; next try in ${Math.round(w.ms / 1000)} s`, dup)) return;
        this.wait(w.ms, () => this.connectOrWait('retry'));
        this.raise(dup);
        this.hooks.sessionEvent('duplicate', { closes: w.closes, waitMs: w.ms });
        return;
      }
      case 'backoff':
        if (this.to(State.BACKOFF, `retry in ${w.ms} ms (retry ${w.retry + 1})`, error)) this.wait(w.ms, () => this.connectOrWait('retry'));
    }
  }

  private onNetwork(up: boolean): void {
    this.hooks.sessionEvent('network', up);
    const s = this.current;
    if (up) {
      if (s === State.WAITING_NETWORK) this.connectOrWait('network is back');
      return;
    }
    if (s === State.ONLINE || s === State.CONNECTING || s === State.HANDSHAKE) {
      this.fail(err(ErrorCode.CONNECTION_LOST, 'network went down'), false);
    } else if (s === State.BACKOFF) {
      this.to(State.WAITING_NETWORK, 'network went down');
    }
  }

  // ---- what the link reports (LinkOwner) ----

  opened(): void {
    if (this.current !== State.CONNECTING) return;
    if (!this.to(State.HANDSHAKE, 'transport open, CONNECT sent')) return;
    this.wait(Math.max(0, this.connectDeadline - this.hal.clock.now()), () => this.connectTimedOut());
    this.link.handshake();
  }

  failed(e: BlynkError, peerClosed: boolean): void { this.fail(e, peerClosed); } // prettier-ignore
  closed(): void { if (this.current === State.CLOSING) this.transportGone(); } // prettier-ignore
  /** The link's MessageSink only while a session start is pending: a downlink first runs the start (C-SESSION-2 before any downlink). */
  incoming(topic: string, bytes: Uint8Array, start: number, end: number): void {
    if (this.startPending !== 0) this.started(this.endpointInUse!, this.startPending);
    this.hooks.incoming(topic, bytes, start, end);
  }
  subscribed(granted: readonly number[]): void { this.hooks.sessionEvent('subscribed', granted); } // prettier-ignore

  accepted(): void {
    const ep = this.endpointInUse!;
    this.counters.connects++;
    this.policy.online(this.hal.clock.now());
    this.link.startKeepalive();
    if (!this.to(State.ONLINE, `CONNACK 0 from ${formatEndpoint(ep)}`)) return;
    // The session start (SUBSCRIBE, info/mcu, 'online' listeners) runs from the event loop, not deep in the
    // data callback (a device's stack is small); still pipelined (C-SESSION-3). A PUBLISH first runs it at once.
    const gen = (this.startPending = this.counters.connects);
    this.link.sink = this; // until the start has run; then straight to the hooks again
    this.hal.timers.set(() => this.started(ep, gen), 0);
  }

  private started(ep: Endpoint, gen: number): void {
    if (this.startPending !== gen) return; // ran already
    this.startPending = 0;
    this.link.sink = this.hooks;
    if (this.current !== State.ONLINE || this.counters.connects !== gen) return; // gone again meanwhile
    try { // direct calls, no wrapper frames
      this.hooks.attemptEnded(ep, true, undefined);
      if (this.current === State.ONLINE && this.counters.connects === gen) this.hooks.sessionOnline();
    } catch (e) {
      this.hookFailed(e);
    }
  }

  private safely(fn: () => void): void { callSafely(fn, (e) => this.hookFailed(e)); } // prettier-ignore

  private hookFailed(e: unknown): void {
    const error = err(ErrorCode.HANDLER_FAILED, `a handler failed: ${describeError(e)}`);
    this.log.error(error.message);
    this.raise(error);
  }

  private clean(e: BlynkError): BlynkError { return this.scrubber ? this.scrubber.error(e) : e; } // prettier-ignore

  /** Report an error that does not end the connection (or that fail() already handled). */
  raise(e: BlynkError): void { this.hooks.sessionEvent('error', this.clean(e)); } // prettier-ignore
}
