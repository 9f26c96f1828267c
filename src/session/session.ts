// The MQTT session: one connection at a time, kept up for as long as the device runs.
// - The state changes in one place, `to()`, checked against the table in state.ts; the timer
//   that belongs to a waiting state is cleared there too.
// - Every way of losing a connection goes through `fail()`, which closes the transport, waits
//   for it to be gone (C-CONN-5: never two connections), then backs off, waits for the network,
//   or waits out an auth failure.
// - Bytes from the transport go through the framer; nothing a callback does can throw back
//   into the transport.
// Blynk policy (which endpoint, what to send once online, what a message means) comes from
// the hooks; this layer knows only MQTT.

import type { Hal, TimerHandle, Transport, TransportEvents, TransportFailure } from '../../hal/interfaces';
import { BlynkError, ErrorCode, err } from '../errors';
import { encodeConnect, encodeDisconnect, encodePingreq, encodePuback, encodeQos0Publish, encodeSubscribe } from '../mqtt/encode';
import { FRAME_ERROR, FRAME_NEED_MORE, FRAME_OVERSIZE, FRAME_OVERSIZE_ID, FRAME_PACKET, Framer } from '../mqtt/framer';
import { PacketType, type IncomingPacket, type Subscription } from '../mqtt/packets';
import { PacketWriter } from '../mqtt/writer';
import { Emitter } from '../util/emitter';
import type { Logger } from '../util/log';
import type { Scrubber } from '../util/secrets';
import { Backoff } from './backoff';
import { countDisconnect, newCounters, type Counters } from './counters';
import { formatEndpoint, type Endpoint } from './endpoint';
import { connackError, transportError } from './failures';
import { Keepalive } from './keepalive';
import { State, canTransition } from './state';
import type { SessionConfig, SessionEvents, SessionHooks } from './types';

export type { SessionConfig, SessionEvents, SessionHooks, StateChange } from './types';

export class MqttSession {
  readonly events = new Emitter<SessionEvents>();
  readonly counters: Counters = newCounters();

  private readonly hal: Hal;
  private readonly config: SessionConfig;
  private readonly hooks: SessionHooks;
  private readonly log: Logger;
  private readonly framer: Framer;
  private readonly keepalive: Keepalive;
  private readonly backoff: Backoff;
  private readonly connectPacket: Uint8Array;

  private current: State = State.IDLE;
  private transport: Transport | undefined;
  private gen = 0;
  private endpointInUse: Endpoint | undefined;
  private waitTimer: TimerHandle | undefined;
  private stableTimer: TimerHandle | undefined;
  private connectDeadline = 0;
  private afterClose: (() => void) | undefined;
  private nextId = 1;

  private readonly scrubber: Scrubber | undefined;
  /** Memory every PUBLISH is encoded into: write() copies what it keeps (hal/interfaces.ts). */
  private readonly out = new PacketWriter();

  /** `scrubber` masks the token in every error this session reports (C-SECRETS). */
  constructor(hal: Hal, config: SessionConfig, hooks: SessionHooks, log: Logger, scrubber?: Scrubber) {
    this.hal = hal;
    this.scrubber = scrubber;
    this.config = config;
    this.hooks = hooks;
    this.log = log;
    this.framer = new Framer(config.rxbuff);
    this.backoff = new Backoff(hal.random, config.backoff);
    this.keepalive = new Keepalive(hal.timers, hal.clock, {
      sendPing: () => this.ping(),
      dead: () => this.fail(err(ErrorCode.KEEPALIVE_TIMEOUT, `nothing received for ${1.5 * config.keepalive} s`)),
    });
    const connect = encodeConnect({
      clientId: config.clientId,
      username: config.username,
      password: config.password,
      keepalive: config.keepalive,
      cleanSession: true,
    });
    if (connect instanceof BlynkError) throw err(ErrorCode.CONFIG, `cannot build CONNECT: ${connect.message}`);
    this.connectPacket = connect;
    hal.network.onChange((up) => this.onNetwork(up));
  }

  get state(): State {
    return this.current;
  }

  get online(): boolean {
    return this.current === State.ONLINE;
  }

  /** The endpoint of the current (or last) attempt. */
  get endpoint(): Endpoint | undefined {
    return this.endpointInUse;
  }

  /** The receive buffer's real capacity in bytes (what `rxbuff` in info/mcu reports). */
  get rxbuff(): number {
    return this.framer.maxRemaining;
  }

  /** The backoff's retry count since it last reset. */
  get retries(): number {
    return this.backoff.attempts;
  }

  start(): void {
    if (this.current !== State.IDLE && this.current !== State.STOPPED) return;
    this.connectOrWait('start');
  }

  /** Disconnect cleanly and stay disconnected until start(). */
  stop(): void {
    if (this.current === State.STOPPED) return;
    this.leave(() => {
      if (this.current !== State.STOPPED) this.to(State.STOPPED, 'stopped');
    }, 'STOPPED');
  }

  /** Disconnect cleanly and connect again at once, to whatever hooks.endpoint() now says (a redirect). */
  reconnectNow(reason: string): void {
    if (this.current === State.IDLE || this.current === State.STOPPED) return;
    this.leave(() => this.connectOrWait(reason), 'REDIRECT');
  }

  /** Publish at QoS 0 (what Blynk uplinks use). Returns null when the bytes were handed to the transport. */
  publish(topic: string, payload: Uint8Array | string): BlynkError | null {
    if (this.current !== State.ONLINE) return err(ErrorCode.OFFLINE, 'not connected');
    const packet = encodeQos0Publish(topic, payload, this.config.maxPacket, this.out);
    if (packet instanceof BlynkError) return packet;
    if (!this.send(packet)) return err(ErrorCode.BUSY, 'the transport send queue is full');
    this.counters.messagesOut++;
    return null;
  }

  subscribe(subs: readonly Subscription[]): BlynkError | null {
    if (this.current !== State.ONLINE) return err(ErrorCode.OFFLINE, 'not connected');
    const packet = encodeSubscribe(this.packetId(), subs, this.config.maxPacket);
    if (packet instanceof BlynkError) return packet;
    return this.send(packet) ? null : err(ErrorCode.BUSY, 'the transport send queue is full');
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
    if (from === State.ONLINE) {
      this.hal.timers.clear(this.stableTimer);
      this.stableTimer = undefined;
      this.keepalive.stop();
    }
    this.current = next;
    this.log.info(`state ${from} -> ${next}: ${reason}`);
    this.events.emit('state', error ? { from, to: next, reason, error } : { from, to: next, reason });
    return true;
  }

  private wait(ms: number, fn: () => void): void {
    this.waitTimer = this.hal.timers.set(() => {
      this.waitTimer = undefined;
      fn();
    }, ms);
  }

  private connectOrWait(reason: string): void {
    if (!this.hal.network.isUp()) {
      if (this.current !== State.WAITING_NETWORK) this.to(State.WAITING_NETWORK, 'network is down');
      return;
    }
    this.connect(reason);
  }

  private connect(reason: string): void {
    const ep = this.hooks.endpoint();
    this.endpointInUse = ep;
    if (!this.to(State.CONNECTING, `${reason}: ${formatEndpoint(ep)}`)) return;
    this.counters.attempts++;
    const gen = ++this.gen;
    this.framer.reset();
    this.connectDeadline = this.hal.clock.now() + this.config.connectTimeoutMs;
    this.wait(this.config.connectTimeoutMs, () => this.connectTimedOut());
    try {
      this.transport = this.hal.transport.open(ep, this.transportEvents(gen));
    } catch (e) {
      this.transport = undefined;
      this.fail(err(ErrorCode.CONNECT_FAILED, `transport open threw: ${String(e)}`));
    }
  }

  private connectTimedOut(): void {
    this.fail(err(ErrorCode.CONNECT_TIMEOUT, `no CONNACK within ${this.config.connectTimeoutMs} ms`));
  }

  /**
   * Lose the connection (or attempt) because of `error`: close the transport if it is open, then
   * wait for the network, wait out an auth failure, or back off.
   */
  private fail(raw: BlynkError): void {
    const error = this.clean(raw);
    const s = this.current;
    if (s !== State.CONNECTING && s !== State.HANDSHAKE && s !== State.ONLINE) return;
    const auth = error.code === ErrorCode.AUTH_FAILED;
    if (s === State.ONLINE) {
      countDisconnect(this.counters, error.code);
    } else {
      this.counters.failedAttempts++;
      if (this.hal.network.isUp()) this.safely(() => this.hooks.attemptEnded(this.endpointInUse!, false, error));
    }
    this.log.warn(`connection ${s === State.ONLINE ? 'lost' : 'attempt failed'}: ${error.code} ${error.message}`);
    this.raise(error);
    this.closeThen(auth ? () => this.waitAuth(error) : () => this.retryLater(error), error.code, error);
  }

  /** Leave the current connection on our own initiative (stop, redirect): DISCONNECT first if online. */
  private leave(then: () => void, why: 'STOPPED' | 'REDIRECT'): void {
    const s = this.current;
    if (s === State.ONLINE) {
      countDisconnect(this.counters, why);
      this.send(encodeDisconnect());
    }
    if (s === State.ONLINE || s === State.CONNECTING || s === State.HANDSHAKE) {
      this.closeThen(then, why);
    } else if (s === State.CLOSING) {
      this.afterClose = then;
    } else {
      then();
    }
  }

  private closeThen(then: () => void, reason: string, error?: BlynkError): void {
    const t = this.transport;
    if (!t) {
      then();
      return;
    }
    this.afterClose = then;
    this.to(State.CLOSING, reason, error);
    this.wait(this.config.closeTimeoutMs, () => {
      // The HAL promised an onClose; if it never comes, do not stay stuck forever.
      this.log.warn('transport did not confirm close; moving on');
      this.closed(this.gen);
    });
    t.close();
  }

  /** The transport of generation `gen` is gone. */
  private closed(gen: number): void {
    if (gen !== this.gen) return;
    this.transport = undefined;
    this.gen++; // late callbacks from it are ignored from now on
    const then = this.afterClose;
    this.afterClose = undefined;
    then?.();
  }

  private retryLater(error: BlynkError): void {
    if (!this.hal.network.isUp()) {
      this.to(State.WAITING_NETWORK, 'network is down');
      return;
    }
    const delay = this.backoff.next();
    if (this.to(State.BACKOFF, `retry in ${delay} ms`, error)) this.wait(delay, () => this.connectOrWait('retry'));
  }

  private waitAuth(error: BlynkError): void {
    this.counters.authFailures++;
    const ms = this.config.authRetryMs;
    if (this.to(State.AUTH_FAILED, `the auth token was refused; next try in ${Math.round(ms / 1000)} s`, error)) {
      this.wait(ms, () => this.connectOrWait('auth retry'));
    }
  }

  private onNetwork(up: boolean): void {
    this.events.emit('network', up);
    const s = this.current;
    if (up) {
      if (s === State.WAITING_NETWORK) this.connect('network is back');
      return;
    }
    if (s === State.ONLINE || s === State.CONNECTING || s === State.HANDSHAKE) {
      this.fail(err(ErrorCode.CONNECTION_LOST, 'network went down'));
    } else if (s === State.BACKOFF) {
      this.to(State.WAITING_NETWORK, 'network went down');
    }
  }

  // ---- transport callbacks ----

  private transportEvents(gen: number): TransportEvents {
    return {
      onOpen: () => this.guard(() => gen === this.gen && this.opened()),
      // The data path catches inline: a closure per chunk would be an allocation per chunk.
      onData: (bytes) => {
        try {
          if (gen === this.gen) this.received(gen, bytes);
        } catch (e) {
          this.unexpected(e);
        }
      },
      onDrain: () => undefined,
      onClose: (failure, detail) => this.guard(() => this.transportClosed(gen, failure, detail)),
    };
  }

  /** Nothing may throw back into a transport callback (a bug here becomes an error event). */
  private guard(fn: () => unknown): void {
    try {
      fn();
    } catch (e) {
      this.unexpected(e);
    }
  }

  private unexpected(e: unknown): void {
    const error = err(ErrorCode.INTERNAL, `unexpected exception: ${String(e)}`);
    this.log.error(error.message);
    this.raise(error);
    this.fail(error);
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.handlerFailed(e);
    }
  }

  private handlerFailed(e: unknown): void {
    const error = err(ErrorCode.HANDLER_FAILED, `a handler threw: ${String(e)}`);
    this.log.error(error.message);
    this.raise(error);
  }

  private opened(): void {
    if (this.current !== State.CONNECTING) return;
    if (!this.to(State.HANDSHAKE, 'transport open, CONNECT sent')) return;
    this.wait(Math.max(0, this.connectDeadline - this.hal.clock.now()), () => this.connectTimedOut());
    this.send(this.connectPacket);
  }

  private transportClosed(gen: number, failure: TransportFailure, detail: string | undefined): void {
    if (gen !== this.gen) return;
    const s = this.current;
    if (s === State.CLOSING) {
      this.closed(gen);
      return;
    }
    this.transport = undefined;
    this.gen++;
    if (s === State.CONNECTING || s === State.HANDSHAKE || s === State.ONLINE) {
      this.fail(transportError(failure, detail, s === State.CONNECTING));
    }
  }

  private received(gen: number, bytes: Uint8Array): void {
    const s = this.current;
    if (s !== State.HANDSHAKE && s !== State.ONLINE) return;
    this.counters.bytesIn += bytes.length;
    this.keepalive.noteReceived();
    const framer = this.framer;
    framer.feed(bytes);
    for (;;) {
      const status = framer.next();
      if (status === FRAME_NEED_MORE) return;
      if (status === FRAME_PACKET) this.handle(framer.packet);
      else if (status === FRAME_OVERSIZE) this.oversize(framer.oversizeLength);
      else if (status === FRAME_OVERSIZE_ID) this.ackDropped(framer.packet);
      else if (status === FRAME_ERROR) {
        this.fail(framer.error ?? err(ErrorCode.INTERNAL, 'framer failed without an error'));
        return;
      }
      // Handling may have closed or replaced the connection.
      if (gen !== this.gen || (this.current !== State.HANDSHAKE && this.current !== State.ONLINE)) return;
    }
  }

  private handle(p: IncomingPacket): void {
    if (this.current === State.HANDSHAKE) {
      if (p.type !== PacketType.CONNACK) {
        this.fail(err(ErrorCode.PROTOCOL, `expected CONNACK, got packet type ${p.type}`));
        return;
      }
      this.connack(p.returnCode);
      return;
    }
    switch (p.type) {
      case PacketType.PUBLISH:
        if (p.qos === 2) {
          this.fail(err(ErrorCode.BAD_QOS, 'QoS 2 message on a QoS 0 subscription'));
          return;
        }
        if (p.qos === 1) this.puback(p.id); // acked before the handler runs: a throwing handler cannot block it
        this.counters.messagesIn++;
        // Inline rather than through safely(): a closure per message is an allocation per message.
        try {
          this.hooks.message(p.topic, p.bytes, p.payloadStart, p.payloadEnd);
        } catch (e) {
          this.handlerFailed(e);
        }
        return;
      case PacketType.PINGRESP:
        this.counters.pingsAnswered++;
        return;
      case PacketType.SUBACK:
        for (const code of p.granted) {
          if (code === 0x80) {
            const e = err(ErrorCode.SUBSCRIBE_REFUSED, 'the server refused a subscription');
            this.log.warn(e.message);
            this.raise(e);
          }
        }
        this.events.emit('subscribed', p.granted);
        return;
      case PacketType.PUBACK:
      case PacketType.UNSUBACK:
        return; // nothing outstanding to match: uplinks are QoS 0
      case PacketType.CONNACK:
      default:
        this.fail(err(ErrorCode.PROTOCOL, `unexpected packet type ${p.type}`));
    }
  }

  private connack(code: number): void {
    const ep = this.endpointInUse!;
    if (code === 0) {
      if (!this.to(State.ONLINE, `CONNACK 0 from ${formatEndpoint(ep)}`)) return;
      this.counters.connects++;
      this.keepalive.start(this.config.keepalive * 1000);
      this.stableTimer = this.hal.timers.set(() => {
        this.stableTimer = undefined;
        this.backoff.reset();
      }, this.config.stableAfterMs);
      this.safely(() => this.hooks.attemptEnded(ep, true, undefined));
      this.safely(() => this.hooks.online());
      return;
    }
    this.fail(connackError(code));
  }

  private oversize(size: number): void {
    this.counters.overflowDrops++;
    const e = err(ErrorCode.OVERFLOW, `dropped an incoming message of ${size} bytes (receive buffer ${this.config.rxbuff})`, {
      size,
      limit: this.config.rxbuff,
    });
    this.log.warn(e.message);
    this.raise(e);
  }

  private ackDropped(p: IncomingPacket): void {
    if (p.qos === 1) this.puback(p.id);
    else this.fail(err(ErrorCode.BAD_QOS, 'QoS 2 message on a QoS 0 subscription'));
  }

  private clean(e: BlynkError): BlynkError {
    return this.scrubber ? this.scrubber.error(e) : e;
  }

  /** Report an error that does not end the connection (or that fail() already handled). */
  private raise(e: BlynkError): void {
    this.events.emit('error', this.clean(e));
  }

  // ---- sending ----

  private send(bytes: Uint8Array): boolean {
    const t = this.transport;
    if (!t) return false;
    if (!t.write(bytes)) return false;
    this.counters.bytesOut += bytes.length;
    this.keepalive.noteSent();
    return true;
  }

  private puback(id: number): void {
    const ack = encodePuback(id);
    if (ack instanceof BlynkError) return; // ids come from the decoder, which refuses 0
    if (this.send(ack)) this.counters.pubacksSent++;
  }

  private ping(): void {
    if (this.send(encodePingreq())) this.counters.pingsSent++;
  }

  private packetId(): number {
    const id = this.nextId;
    this.nextId = id >= 0xffff ? 1 : id + 1;
    return id;
  }
}
