// Per-connection bookkeeping: the record tests read, the gate, QoS 1 downlinks awaiting PUBACK,
// and the table that answers "which connections does this token have open?".
import type { Client } from 'aedes';
import type { Gate } from './gate';
import type { CloseReason, ConnectionRecord } from './types';
import { maskToken } from './format';

export interface PendingAck {
  topic: string;
  sentAt: number;
  resolve(v: { messageId: number; rttMs: number }): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** MQTT filter match ('#' and '+'); granted filters here only ever end in '#'. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

export class Conn {
  gate!: Gate;
  client?: Client;
  /** QoS 1 downlinks we asked for, in order, waiting to be seen on the wire (their id is aedes'). */
  readonly unsent: Array<{ topic: string; ack: Omit<PendingAck, 'sentAt'> }> = [];
  /** QoS 1 downlinks written, by packet id. */
  readonly inflight = new Map<number, PendingAck>();

  constructor(readonly record: ConnectionRecord) {}

  get id(): number {
    return this.record.id;
  }

  get token(): string | undefined {
    return this.record.token;
  }

  /** CONNACK 0 sent and the socket still up. */
  get live(): boolean {
    return this.record.returnCode === 0 && this.record.closedAt === undefined && this.client?.closed === false;
  }

  /** Counts for its token: CONNECT seen, device side not yet ended. */
  get counting(): boolean {
    return this.record.connectAt !== undefined && this.record.endedAt === undefined;
  }

  /** The first reason wins: later effects of the same close do not overwrite it. */
  setReason(reason: CloseReason, detail?: string): void {
    if (this.record.reason) return;
    this.record.reason = reason;
    if (detail) this.record.detail = detail;
  }

  isSubscribed(topic: string): boolean {
    return this.record.subscriptions.some((s) => s.granted && topicMatches(s.filter, topic));
  }

  /** Close from the server side, now. */
  kill(reason: CloseReason, detail?: string): void {
    this.setReason(reason, detail);
    this.gate.kill();
  }

  failAcks(why: string): void {
    const all = [...this.unsent.map((u) => u.ack), ...this.inflight.values()];
    this.unsent.length = 0;
    this.inflight.clear();
    for (const a of all) {
      clearTimeout(a.timer);
      a.reject(new Error(`${why} (connection #${this.id}, ${maskToken(this.token)})`));
    }
  }
}

export class ConnectionTable {
  private readonly byId = new Map<number, Conn>();

  add(c: Conn): void {
    this.byId.set(c.id, c);
  }

  get(id: number): Conn | undefined {
    return this.byId.get(id);
  }

  all(): Conn[] {
    return [...this.byId.values()];
  }

  /** This token's connections that count as open (see Conn.counting). */
  counting(token: string): Conn[] {
    return this.all().filter((c) => c.token === token && c.counting);
  }

  /** The newest accepted, still-open connection of `token`. */
  current(token: string): Conn | undefined {
    return this.all().filter((c) => c.token === token && c.live).at(-1);
  }

  records(token?: string): ConnectionRecord[] {
    return this.all().filter((c) => token === undefined || c.token === token).map((c) => c.record);
  }
}
