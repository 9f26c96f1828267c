// A fake Blynk broker on the mock HAL's scripted transport, on virtual time. It accepts
// connections, answers CONNECT/SUBSCRIBE/PINGREQ like the cloud (or misbehaves on request),
// records every packet the device sent, and can push downlinks. All replies are delivered on
// the virtual clock (after `latencyMs`), never inside the device's own call.
import type { TransportFailure } from '../../hal/interfaces';
import type { MockConnection, MockHal } from '../../hal/mock';
import { connack, decodeClientPacket, pingresp, publish, suback, type ClientPacket } from './server-codec';

export interface Received {
  conn: number;
  at: number;
  packet: ClientPacket;
}

export class FakeBroker {
  readonly hal: MockHal;
  /** One-way delay for everything the broker does. */
  latencyMs = 0;
  /** Refuse new connections with this failure (null: accept). */
  refuse: TransportFailure | null = null;
  /** Refuse connections to these hosts (a region that is down). */
  readonly downHosts = new Set<string>();
  /** CONNACK code per host, overriding connackCode. */
  readonly connackByHost = new Map<string, number>();
  /** Accept the transport but never answer anything (a black hole). */
  blackHole = false;
  /** CONNACK return code to answer with. */
  connackCode = 0;
  /** Answer PINGREQ. */
  answerPings = true;
  /** SUBACK codes: granted QoS per filter, or 0x80. */
  subackCode = 0;
  /** Answer SUBSCRIBE at all (false: the subscription is never acknowledged). */
  answerSubscribes = true;
  /** A downlink/redirect to send right after CONNACK 0 (like the cloud's GeoDNS redirect). */
  redirectOnConnect: string | undefined;
  /** Raw bytes to answer CONNECT with instead of a well-formed CONNACK (a broken or hostile cloud). */
  connackBytes: Uint8Array | undefined;
  /** Raw bytes to answer SUBSCRIBE with (packet id, number of filters) instead of a matching SUBACK. */
  subackFor: ((id: number, filters: number) => Uint8Array) | undefined;
  /** Close each connection (as the peer) this long after CONNACK 0: another device on the same token. */
  kickAfterMs: number | undefined;
  readonly received: Received[] = [];
  private readonly buffers = new Map<number, Uint8Array>();

  constructor(hal: MockHal) {
    this.hal = hal;
    hal.transport.onOpen = (conn) => this.opened(conn);
  }

  /** The newest connection, if it is open. */
  get conn(): MockConnection | undefined {
    const c = this.hal.transport.last;
    return c && c.state === 'open' ? c : undefined;
  }

  /** Packets the device sent, optionally only of one type or on one connection. */
  packets<T extends ClientPacket['type']>(type?: T, conn?: number): Extract<ClientPacket, { type: T }>[] {
    return this.received
      .filter((r) => (type === undefined || r.packet.type === type) && (conn === undefined || r.conn === conn))
      .map((r) => r.packet as Extract<ClientPacket, { type: T }>);
  }

  /** Publishes the device made, as [topic, payload text]. */
  uplinks(conn?: number): [string, string][] {
    return this.packets('publish', conn).map((p) => [p.topic, new TextDecoder().decode(p.payload)]);
  }

  /** Deliver raw bytes to the device after the latency. */
  send(bytes: Uint8Array, conn: MockConnection | undefined = this.conn): void {
    if (!conn) throw new Error('no open connection');
    this.later(() => conn.deliver(bytes));
  }

  push(topic: string, payload: Uint8Array | string, qos = 0, id = 1): void {
    this.send(publish(topic, payload, qos, id));
  }

  /** Let scheduled broker actions happen (advance virtual time by the latency). */
  settle(): void {
    this.hal.time.advance(this.latencyMs);
    this.hal.time.flush();
  }

  private later(fn: () => void): void {
    this.hal.time.set(fn, this.latencyMs);
  }

  private opened(conn: MockConnection): void {
    const refuse = this.downHosts.has(conn.target.host) ? 'refused' : this.refuse;
    this.later(() => {
      if (refuse) conn.refuse(refuse);
      else conn.accept();
    });
    conn.onWrite = (bytes) => this.written(conn, bytes);
  }

  private written(conn: MockConnection, bytes: Uint8Array): void {
    const prev = this.buffers.get(conn.id);
    let buf = prev ? concat2(prev, bytes) : bytes;
    for (;;) {
      const r = decodeClientPacket(buf);
      if (!r) break;
      const [packet, used] = r;
      buf = buf.subarray(used);
      this.received.push({ conn: conn.id, at: this.hal.time.now(), packet });
      if (!this.blackHole) this.answer(conn, packet);
    }
    this.buffers.set(conn.id, buf.slice());
  }

  private answer(conn: MockConnection, p: ClientPacket): void {
    switch (p.type) {
      case 'connect': {
        const code = this.connackByHost.get(conn.target.host) ?? this.connackCode;
        this.later(() => {
          if (this.connackBytes) {
            conn.deliver(this.connackBytes);
            return;
          }
          conn.deliver(connack(code));
          if (code === 0 && this.kickAfterMs !== undefined) this.hal.time.set(() => conn.cut('closed'), this.kickAfterMs);
          if (code !== 0) this.later(() => conn.cut('closed'));
          else if (this.redirectOnConnect) conn.deliver(publish('downlink/redirect', this.redirectOnConnect));
        });
        break;
      }
      case 'subscribe':
        if (!this.answerSubscribes) break;
        if (this.subackFor) {
          const bytes = this.subackFor(p.id, p.subs.length);
          this.later(() => conn.deliver(bytes));
        } else this.later(() => conn.deliver(suback(p.id, p.subs.map(() => this.subackCode))));
        break;
      case 'pingreq':
        if (this.answerPings) this.later(() => conn.deliver(pingresp()));
        break;
      case 'disconnect':
        this.later(() => conn.cut('closed'));
        break;
      default:
        break;
    }
  }
}

function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
