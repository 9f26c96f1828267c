// One MQTT connection: the transport adapter, the packets that arrive on it and the packets we
// send. The session (session.ts) decides when a link opens and closes; the link reports what
// happened on the wire and checks what the broker sends:
// - CONNACK must be the first packet, and acknowledgements must fit what we asked (acks.ts);
// - only a whole packet or a finished drain proves the link alive (C-KEEPALIVE-2): the
//   keepalive hears of it once per chunk that completed one;
// - every QoS 1 PUBLISH is acknowledged before its handler runs (C-SESSION-4); QoS 2 is refused.
// Nothing a transport callback triggers can throw back into the transport.

import { describeError } from '../util/safe';
import type { Hal, Transport, TransportFailure } from '../../hal/interfaces';
import { BlynkError, ErrorCode, err } from '../errors';
import { encodeConnect, encodeDisconnect, encodePingreq, encodePuback, encodeQos0Publish } from '../mqtt/encode';
import { encodeSubscribe } from '../mqtt/encode-subscribe';
import { PacketWriter } from '../mqtt/writer';
import { FRAME_ERROR, FRAME_NEED_MORE, FRAME_OVERSIZE, FRAME_OVERSIZE_ID, FRAME_PACKET, Framer } from '../mqtt/framer';
import { PacketType, type IncomingPacket, type Subscription } from '../mqtt/packets';
import type { Counters } from './counters';
import type { Endpoint } from './endpoint';
import { checkConnack, checkSuback, type PendingSubscribe } from './acks';
import { transportError } from './failures';
import { Keepalive } from './keepalive';
import { LinkEvents } from './link-events';
import type { LinkOwner, MessageSink, SessionConfig } from './types';

const enum Phase {
  IDLE,
  OPENING,
  HANDSHAKE,
  ONLINE,
  CLOSING,
}

/**
 * The CONNECT for `config`. Built per attempt, not kept: its bytes would sit in RAM for as long
 * as the device runs. MqttSession's constructor checks it once, before it makes the Link: there
 * the check is less deep than under the Link's constructor (XS stack, issue 14).
 */
export function connectPacket(c: SessionConfig): Uint8Array | BlynkError {
  return encodeConnect({ clientId: c.clientId, username: c.username, password: c.password, keepalive: c.keepalive, cleanSession: true });
}

/** The link is its keepalive's KeepaliveActions (sendPing, dead): no closures kept for it. */
export class Link {
  // What every chunk and message reads first: XS finds a property by walking the object's list.
  private gen = 0;
  private phase = Phase.IDLE;
  private readonly framer: Framer;
  /** Where messages go: the session's hooks (the session itself while its start is pending). */
  sink: MessageSink;
  private readonly owner: LinkOwner;
  private readonly counters: Counters;
  private readonly keepalive: Keepalive;
  private readonly hal: Hal;
  private readonly config: SessionConfig;
  private transport: Transport | undefined;
  private nextId = 1;
  /** Memory every PUBLISH is encoded into: write() copies what it keeps (hal/interfaces.ts). */
  private readonly out = new PacketWriter();
  /** SUBSCRIBEs waiting for their SUBACK (one list, emptied per connection). */
  private readonly pendingSubs: PendingSubscribe[] = [];

  constructor(hal: Hal, config: SessionConfig, counters: Counters, owner: LinkOwner, sink: MessageSink) {
    this.hal = hal;
    this.config = config;
    this.counters = counters;
    this.owner = owner;
    this.sink = sink;
    this.framer = new Framer(config.rxbuff, config.drainLimit);
    this.keepalive = new Keepalive(hal.timers, hal.clock, this);
  }

  /** A transport exists (opening, open or closing). */
  get active(): boolean { return this.transport !== undefined; } // prettier-ignore
  /** The receive buffer's real capacity in bytes (what `rxbuff` in info/mcu reports). */
  get rxbuff(): number { return this.framer.maxRemaining; } // prettier-ignore

  open(ep: Endpoint): void {
    const gen = ++this.gen;
    this.framer.reset();
    this.pendingSubs.length = 0;
    this.phase = Phase.OPENING;
    try {
      this.transport = this.hal.transport.open(ep, new LinkEvents(this, gen));
    } catch (e) {
      this.transport = undefined;
      this.phase = Phase.IDLE;
      this.owner.failed(err(ErrorCode.CONNECT_FAILED, `transport open threw: ${describeError(e)}`), false);
    }
  }

  /** Send CONNECT (the transport is open). */
  handshake(): void {
    this.phase = Phase.HANDSHAKE;
    const connect = connectPacket(this.config);
    // The session checked it when it was made; should a changed configuration break it, the
    // attempt fails with the reason rather than waiting for CONNACK on a CONNECT never sent.
    if (connect instanceof BlynkError) this.owner.failed(err(ErrorCode.CONFIG, `cannot build CONNECT: ${connect.message}`), false);
    else this.send(connect);
  }

  /** CONNACK 0 was accepted by the session: watch the link from now on. */
  startKeepalive(): void {
    this.keepalive.start(this.config.keepalive * 1000);
  }

  /** Ask the transport to close (DISCONNECT first when `clean`); owner.closed() follows. */
  close(clean: boolean): void {
    const t = this.transport;
    this.keepalive.stop();
    if (!t) return;
    if (clean && this.phase === Phase.ONLINE) this.send(encodeDisconnect());
    this.phase = Phase.CLOSING;
    try {
      t.close();
    } catch {
      // a HAL whose close throws still owes us onClose; the session's close timeout covers it
    }
  }

  /** Forget the transport (it never confirmed its close); its late callbacks are ignored. */
  abandon(): void {
    this.keepalive.stop();
    this.transport = undefined;
    this.phase = Phase.IDLE;
    this.gen++;
  }

  publish(topic: string, payload: Uint8Array | string): BlynkError | null {
    if (this.phase !== Phase.ONLINE) return err(ErrorCode.OFFLINE, 'not connected');
    const packet = encodeQos0Publish(topic, payload, this.config.maxPacket, this.out);
    if (packet instanceof BlynkError) return packet;
    if (!this.send(packet)) return err(ErrorCode.BUSY, 'the transport send queue is full');
    this.counters.messagesOut++;
    return null;
  }

  subscribe(subs: readonly Subscription[]): BlynkError | null {
    if (this.phase !== Phase.ONLINE) return err(ErrorCode.OFFLINE, 'not connected');
    const id = this.nextId;
    this.nextId = id >= 0xffff ? 1 : id + 1;
    const packet = encodeSubscribe(id, subs, this.config.maxPacket);
    if (packet instanceof BlynkError) return packet;
    if (!this.send(packet)) return err(ErrorCode.BUSY, 'the transport send queue is full');
    this.pendingSubs.push({ id, qos: subs.map((s) => s.qos) });
    return null;
  }

  // ---- transport callbacks ----

  /** @internal LinkEvents: the transport of connection `gen` is open. */
  transportOpened(gen: number): void {
    try {
      if (gen === this.gen && this.phase === Phase.OPENING) this.owner.opened();
    } catch (e) {
      this.unexpected(e);
    }
  }

  /** @internal LinkEvents: the transport of connection `gen` is gone. */
  transportEnded(gen: number, failure: TransportFailure, detail: string | undefined): void {
    try {
      if (gen === this.gen) this.transportClosed(failure, detail);
    } catch (e) {
      this.unexpected(e);
    }
  }

  /** @internal LinkEvents: the data path's inline guard. */
  unexpected(e: unknown): void {
    const error = err(ErrorCode.INTERNAL, `unexpected exception: ${describeError(e)}`);
    this.owner.raise(error);
    this.owner.failed(error, false);
  }

  private transportClosed(failure: TransportFailure, detail: string | undefined): void {
    const phase = this.phase;
    this.abandon();
    if (phase === Phase.CLOSING) this.owner.closed();
    // Ended by the peer (a close or a reset, not a local error): what a kick by a second device on the token looks like.
    else if (phase !== Phase.IDLE) this.owner.failed(transportError(failure, detail, phase === Phase.OPENING), failure === 'closed' || failure === 'reset');
  }

  private received(gen: number, bytes: Uint8Array): void {
    if (this.phase !== Phase.HANDSHAKE && this.phase !== Phase.ONLINE) return;
    this.counters.bytesIn += bytes.length;
    const framer = this.framer;
    const p = framer.packet;
    const owner = this.owner;
    const sink = this.sink;
    const counters = this.counters;
    const before = framer.completed;
    framer.feed(bytes);
    for (;;) {
      const status = framer.next();
      if (status === FRAME_NEED_MORE) break;
      if (status === FRAME_PACKET) {
        // A QoS 0 message while online (most of the traffic) is handled here, without handle()'s checks.
        if (p.type === PacketType.PUBLISH && p.qos === 0 && this.phase === Phase.ONLINE) {
          counters.messagesIn++;
          try {
            sink.incoming(p.topic, p.bytes, p.payloadStart, p.payloadEnd);
          } catch (e) {
            owner.raise(err(ErrorCode.HANDLER_FAILED, `a message handler threw: ${describeError(e)}`));
          }
        } else this.handle(p);
      }
      else if (status === FRAME_OVERSIZE) this.oversize(framer.oversizeLength);
      else if (status === FRAME_OVERSIZE_ID) this.ackDropped(framer.packet);
      else if (status === FRAME_ERROR) {
        this.owner.failed(framer.error ?? err(ErrorCode.INTERNAL, 'framer failed without an error'), false);
        return;
      }
      // Handling may have closed or replaced the connection.
      if (gen !== this.gen || (this.phase !== Phase.HANDSHAKE && this.phase !== Phase.ONLINE)) return;
    }
    if (framer.completed !== before) this.keepalive.noteReceived();
  }

  private handle(p: IncomingPacket): void {
    if (this.phase === Phase.HANDSHAKE) {
      if (p.type !== PacketType.CONNACK) return this.protocol(`expected CONNACK, got packet type ${p.type}`);
      const refused = checkConnack(p);
      if (refused) return this.owner.failed(refused, false);
      this.phase = Phase.ONLINE;
      this.owner.accepted();
      return;
    }
    switch (p.type) {
      case PacketType.PUBLISH:
        if (p.qos === 2) return this.owner.failed(err(ErrorCode.BAD_QOS, 'QoS 2 message on a QoS 0 subscription'), false);
        if (p.qos === 1) this.puback(p.id); // acked before the handler runs: a throwing handler cannot block it
        this.counters.messagesIn++;
        try {
          this.sink.incoming(p.topic, p.bytes, p.payloadStart, p.payloadEnd);
        } catch (e) {
          this.owner.raise(err(ErrorCode.HANDLER_FAILED, `a message handler threw: ${describeError(e)}`));
        }
        return;
      case PacketType.PINGRESP:
        this.counters.pingsAnswered++;
        return;
      case PacketType.SUBACK: {
        const bad = checkSuback(p, this.pendingSubs);
        if (bad) return this.owner.failed(bad, false);
        for (const code of p.granted) if (code === 0x80) this.owner.raise(err(ErrorCode.SUBSCRIBE_REFUSED, 'the server refused a subscription'));
        return this.owner.subscribed(p.granted);
      }
      case PacketType.PUBACK:
      case PacketType.UNSUBACK:
        return; // harmless: our uplinks are QoS 0 and we never unsubscribe
      default:
        return this.protocol(`unexpected packet type ${p.type}`);
    }
  }

  private protocol(message: string): void {
    this.owner.failed(err(ErrorCode.PROTOCOL, message), false);
  }

  private oversize(size: number): void {
    this.counters.overflowDrops++;
    const limit = this.config.rxbuff;
    this.owner.raise(err(ErrorCode.OVERFLOW, `dropped an incoming message of ${size} bytes (receive buffer ${limit})`, { size, limit }));
  }

  private ackDropped(p: IncomingPacket): void {
    if (p.qos === 1) this.puback(p.id);
    else this.owner.failed(err(ErrorCode.BAD_QOS, 'QoS 2 message on a QoS 0 subscription'), false);
  }

  // ---- sending ----

  private send(bytes: Uint8Array): boolean {
    const t = this.transport;
    if (!t) return false;
    let ok = false;
    try {
      ok = t.write(bytes);
    } catch {
      ok = false; // the HAL promises write never throws; a broken one must not break us
    }
    if (!ok) return false;
    this.counters.bytesOut += bytes.length;
    this.keepalive.noteSent();
    return true;
  }

  private puback(id: number): void {
    const ack = encodePuback(id);
    if (ack instanceof BlynkError) return; // ids come from the decoder, which refuses 0
    if (this.send(ack)) this.counters.pubacksSent++;
  }

  // ---- KeepaliveActions ----

  sendPing(): void {
    if (this.send(encodePingreq())) this.counters.pingsSent++;
  }

  dead(): void {
    this.owner.failed(err(ErrorCode.KEEPALIVE_TIMEOUT, `no whole packet received for ${1.5 * this.config.keepalive} s`), false);
  }
}

