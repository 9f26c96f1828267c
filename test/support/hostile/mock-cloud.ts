// A hostile Blynk cloud on the mock HAL: it answers like the cloud by default, but every reply
// can be scripted per packet (delay, split, drop, corrupt, over-declare, stall, trickle, reset,
// duplicate, answer before asked, redirect, OTA offer). It also keeps, per connection, an
// independent reference framing of every byte it delivered: when the last whole packet
// arrived, and what the device may legitimately conclude from it (a CONNACK it can accept, a
// SUBACK that matches). The property tests check the device against that record.
import type { MockConnection, MockHal } from '../../../hal/mock';
import { connack, decodeClientPacket, packet, pingresp, publish, suback, type ClientPacket } from '../../../tools/broker/server-codec';

export type ConnackMode = 'ok' | 'auth' | 'refuse' | 'session-present' | 'sp-auth' | 'garbage' | 'silent' | 'ping-first';
export type SubackMode = 'ok' | 'wrong-id' | 'wrong-count' | 'refused' | 'silent';

interface Stream {
  head: number[];
  headerLen: number;
  need: number;
  got: number;
  first: boolean;
}

export interface WireRecord {
  /** Virtual time the last whole packet (by the reference framing) was delivered, or undefined. */
  lastWhole: number | undefined;
  /** A CONNACK that a correct client may accept (code 0, Session Present 0) was the first packet. */
  acceptableConnack: boolean;
  /** The first packet was a CONNACK with code 4/5 and flags 0. */
  authRefusal: boolean;
  /** Matching SUBACKs delivered (id and count as asked). */
  matchingSubacks: number;
}

export class HostileMockCloud {
  readonly hal: MockHal;
  connackMode: ConnackMode = 'ok';
  subackMode: SubackMode = 'ok';
  answerPings = true;
  /** One-way delay of every reply, ms. */
  latencyMs = 5;
  /** Deliver replies cut into random pieces of at most this many bytes (0: whole). */
  splitMax = 0;
  /** Refuse new connections. */
  refuse = false;
  readonly records = new Map<number, WireRecord>();
  readonly received: { conn: number; packet: ClientPacket }[] = [];
  private readonly streams = new Map<number, Stream>();
  private readonly inbox = new Map<number, Uint8Array>();
  private readonly subs = new Map<number, { id: number; count: number }[]>();
  private readonly rand: () => number;

  constructor(hal: MockHal, rand: () => number) {
    this.hal = hal;
    this.rand = rand;
    hal.transport.onOpen = (conn) => this.opened(conn);
  }

  get conn(): MockConnection | undefined {
    const c = this.hal.transport.last;
    return c && c.state === 'open' ? c : undefined;
  }

  record(conn: MockConnection | undefined): WireRecord | undefined {
    return conn ? this.records.get(conn.id) : undefined;
  }

  /** Deliver bytes now-ish (after the latency), through the reference framing. */
  send(bytes: Uint8Array, conn: MockConnection | undefined = this.conn, delay = this.latencyMs): void {
    if (!conn) return;
    this.hal.time.set(() => this.deliver(conn, bytes), delay);
  }

  push(topic: string, payload: string | Uint8Array, qos = 0, id = 1): void {
    this.send(publish(topic, payload, qos, id));
  }

  /** The first `n` bytes of a packet, never the rest: a packet that never completes. */
  partial(bytes: Uint8Array, n: number): void {
    this.send(bytes.subarray(0, Math.max(1, Math.min(n, bytes.length - 1))));
  }

  /** One byte every `everyMs` of a packet that never completes. */
  trickle(bytes: Uint8Array, everyMs: number): void {
    const conn = this.conn;
    if (!conn) return;
    let i = 0;
    const tick = () => {
      if (conn.state !== 'open' || i >= bytes.length - 1) return;
      this.deliver(conn, bytes.subarray(i, ++i));
      this.hal.time.set(tick, everyMs);
    };
    this.hal.time.set(tick, everyMs);
  }

  cut(how: 'closed' | 'reset'): void {
    const c = this.conn;
    if (c) this.hal.time.set(() => c.cut(how), this.latencyMs);
  }

  private deliver(conn: MockConnection, bytes: Uint8Array): void {
    if (conn.state !== 'open') return;
    const pieces: Uint8Array[] = [];
    if (this.splitMax > 0) {
      for (let p = 0; p < bytes.length; ) {
        const n = 1 + Math.floor(this.rand() * this.splitMax);
        pieces.push(bytes.subarray(p, p + n));
        p += n;
      }
    } else pieces.push(bytes);
    for (const piece of pieces) {
      if (conn.state !== 'open') return;
      this.frame(conn, piece);
      conn.deliver(piece);
    }
  }

  // Reference framing of the byte stream: fixed header, varint, body. Independent of src/.
  private frame(conn: MockConnection, bytes: Uint8Array): void {
    const s = this.streams.get(conn.id)!;
    for (const b of bytes) {
      if (s.head.length < 16) s.head.push(b);
      if (s.need < 0) {
        s.headerLen++;
        if (s.headerLen >= 2 && (b & 0x80) === 0) {
          let len = 0;
          let mult = 1;
          for (let i = 1; i < s.headerLen; i++) {
            len += (s.head[i]! & 0x7f) * mult;
            mult *= 128;
          }
          s.need = len;
          s.got = 0;
        } else if (s.headerLen >= 5) {
          s.need = Infinity; // malformed length: nothing more completes on this stream
        }
        if (s.need !== 0) continue;
      } else s.got++;
      if (s.got >= s.need) this.whole(conn, s);
    }
  }

  private whole(conn: MockConnection, s: Stream): void {
    const rec = this.records.get(conn.id)!;
    rec.lastWhole = this.hal.time.now();
    const h = s.head;
    if (s.first) {
      const ok = s.headerLen === 2 && s.need === 2 && h[0] === 0x20;
      rec.acceptableConnack = ok && h[2] === 0 && h[3] === 0;
      rec.authRefusal = ok && h[2] === 0 && (h[3] === 4 || h[3] === 5);
      s.first = false;
    } else if (h[0] === 0x90 && s.headerLen === 2 && s.need >= 3) {
      const id = (h[2]! << 8) | h[3]!;
      const count = s.need - 2;
      const asked = this.subs.get(conn.id) ?? [];
      if (asked.some((a) => a.id === id && a.count === count)) rec.matchingSubacks++;
    }
    s.head = [];
    s.headerLen = 0;
    s.need = -1;
    s.got = 0;
  }

  private opened(conn: MockConnection): void {
    this.records.set(conn.id, { lastWhole: undefined, acceptableConnack: false, authRefusal: false, matchingSubacks: 0 });
    this.streams.set(conn.id, { head: [], headerLen: 0, need: -1, got: 0, first: true });
    const refuse = this.refuse;
    this.hal.time.set(() => (refuse ? conn.refuse('refused') : conn.accept()), this.latencyMs);
    conn.onWrite = (bytes) => this.written(conn, bytes);
  }

  private written(conn: MockConnection, bytes: Uint8Array): void {
    let buf = concat(this.inbox.get(conn.id) ?? new Uint8Array(0), bytes);
    for (;;) {
      let r: ReturnType<typeof decodeClientPacket>;
      try {
        r = decodeClientPacket(buf);
      } catch {
        r = null;
      }
      if (!r) break;
      buf = buf.subarray(r[1]);
      this.received.push({ conn: conn.id, packet: r[0] });
      this.answer(conn, r[0]);
    }
    this.inbox.set(conn.id, buf.slice());
  }

  private answer(conn: MockConnection, p: ClientPacket): void {
    switch (p.type) {
      case 'connect':
        this.send(this.connackBytes(), conn);
        if (this.connackMode === 'auth' || this.connackMode === 'refuse') this.hal.time.set(() => conn.cut('closed'), this.latencyMs + 1);
        break;
      case 'subscribe': {
        const list = this.subs.get(conn.id) ?? [];
        list.push({ id: p.id, count: p.subs.length });
        this.subs.set(conn.id, list);
        const m = this.subackMode;
        if (m === 'silent') break;
        const codes = p.subs.map(() => (m === 'refused' ? 0x80 : 0));
        this.send(m === 'wrong-id' ? suback((p.id + 1) & 0xffff || 1, codes) : m === 'wrong-count' ? suback(p.id, [...codes, 0]) : suback(p.id, codes), conn);
        break;
      }
      case 'pingreq':
        if (this.answerPings) this.send(pingresp(), conn);
        break;
      case 'disconnect':
        this.hal.time.set(() => conn.cut('closed'), this.latencyMs);
        break;
      default:
        break;
    }
  }

  private connackBytes(): Uint8Array {
    switch (this.connackMode) {
      case 'ok':
        return connack(0);
      case 'auth':
        return connack(this.rand() < 0.5 ? 4 : 5);
      case 'refuse':
        return connack(1 + Math.floor(this.rand() * 3));
      case 'session-present':
        return connack(0, true);
      case 'sp-auth':
        return packet(0x20, [1, 5]);
      case 'garbage':
        return Uint8Array.of(0x20, 0x03, 0, 0, 0);
      case 'ping-first':
        return concat(pingresp(), connack(0));
      case 'silent':
        return new Uint8Array(0);
    }
  }
}

export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
