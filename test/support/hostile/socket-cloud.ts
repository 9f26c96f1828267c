// The hostile cloud on real sockets: a raw MQTT 3.1.1 broker on 127.0.0.1, over TCP or TLS,
// written from the wire up (no broker library), whose behaviour is scripted per connection:
// how it answers CONNECT and SUBSCRIBE and PINGREQ, and a list of steps after CONNACK (send a
// packet whole, split, delayed, corrupted, over-declared, trickled; stall; close; reset;
// duplicate; answer before asked; redirect; OTA offer). Like the mock cloud it keeps a
// reference framing of every byte it sent, per connection, so tests can check the device
// against the time of the last whole packet.
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { connack, decodeClientPacket, pingresp, publish, suback, type ClientPacket } from '../../../tools/broker/server-codec';
import { resetSocket } from '../../../tools/net/reset';

export type Step =
  | { k: 'send'; bytes: Uint8Array; split?: number; delayMs?: number }
  | { k: 'trickle'; bytes: Uint8Array; everyMs: number }
  | { k: 'wait'; ms: number }
  | { k: 'close' }
  | { k: 'reset' };

export interface ConnScript {
  connack: Uint8Array | null;
  answerSubscribe: 'ok' | 'wrong-id' | 'silent';
  answerPings: boolean;
  steps: Step[];
}

export interface SocketRecord {
  id: number;
  openedAt: number;
  closedAt: number | undefined;
  lastWhole: number | undefined;
  received: ClientPacket[];
}

const GOOD: ConnScript = { connack: connack(0), answerSubscribe: 'ok', answerPings: true, steps: [] };

export class HostileSocketCloud {
  readonly records: SocketRecord[] = [];
  /** Scripts for the next connections, in order; once used up, every connection is answered well. */
  readonly scripts: ConnScript[] = [];
  maxOpen = 0;
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private nextId = 1;
  private timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(private readonly tls?: { key: string; cert: string }) {}

  async listen(): Promise<number> {
    const onConn = (s: Socket) => this.accept(s);
    this.server = this.tls ? createTlsServer({ key: this.tls.key, cert: this.tls.cert }, onConn) : createTcpServer(onConn);
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    return (this.server!.address() as { port: number }).port;
  }

  get open(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private accept(s: Socket): void {
    s.on('error', () => undefined);
    this.sockets.add(s);
    this.maxOpen = Math.max(this.maxOpen, this.sockets.size);
    const rec: SocketRecord = { id: this.nextId++, openedAt: Date.now(), closedAt: undefined, lastWhole: undefined, received: [] };
    this.records.push(rec);
    const script = this.scripts.shift() ?? GOOD;
    const frame = { need: -1, got: 0, header: [] as number[] };
    const write = (bytes: Uint8Array) => {
      if (s.destroyed) return;
      s.write(bytes);
      for (const b of bytes) frameByte(frame, b, () => (rec.lastWhole = Date.now()));
    };
    let inbox = new Uint8Array(0);
    s.on('close', () => {
      rec.closedAt = Date.now();
      this.sockets.delete(s);
    });
    s.on('data', (chunk: Buffer) => {
      const next = new Uint8Array(inbox.length + chunk.length);
      next.set(inbox, 0);
      next.set(chunk, inbox.length);
      inbox = next;
      for (;;) {
        let r: ReturnType<typeof decodeClientPacket>;
        try {
          r = decodeClientPacket(inbox);
        } catch {
          s.destroy();
          return;
        }
        if (!r) break;
        inbox = inbox.slice(r[1]);
        rec.received.push(r[0]);
        this.answer(s, r[0], script, write);
      }
    });
  }

  private answer(s: Socket, p: ClientPacket, script: ConnScript, write: (b: Uint8Array) => void): void {
    switch (p.type) {
      case 'connect':
        if (script.connack) write(script.connack);
        this.run(s, script.steps, write);
        return;
      case 'subscribe':
        if (script.answerSubscribe === 'ok') write(suback(p.id, p.subs.map(() => 0)));
        else if (script.answerSubscribe === 'wrong-id') write(suback((p.id + 1) & 0xffff || 1, p.subs.map(() => 0)));
        return;
      case 'pingreq':
        if (script.answerPings) write(pingresp());
        return;
      case 'disconnect':
        s.end();
        return;
      default:
        return;
    }
  }

  private run(s: Socket, steps: Step[], write: (b: Uint8Array) => void): void {
    let at = 0;
    for (const step of steps) {
      switch (step.k) {
        case 'wait':
          at += step.ms;
          break;
        case 'send': {
          at += step.delayMs ?? 0;
          const b = step.bytes;
          const n = Math.max(1, step.split ?? b.length);
          for (let p = 0; p < b.length; p += n) {
            const piece = b.subarray(p, p + n);
            this.later(() => write(piece), at);
            at += step.split ? 2 : 0;
          }
          break;
        }
        case 'trickle':
          for (let i = 0; i < step.bytes.length - 1; i++) {
            const piece = step.bytes.subarray(i, i + 1);
            this.later(() => write(piece), at + i * step.everyMs);
          }
          at += (step.bytes.length - 1) * step.everyMs;
          break;
        case 'close':
          this.later(() => s.end(), at);
          break;
        case 'reset':
          this.later(() => resetSocket(s), at); // an RST where TCP allows one (tools/net/reset.ts)
          break;
      }
    }
  }
}

// The reference framing: a whole packet is its fixed header, its length and that many bytes.
function frameByte(f: { need: number; got: number; header: number[] }, b: number, whole: () => void): void {
  if (f.need < 0) {
    f.header.push(b);
    if (f.header.length >= 2 && (b & 0x80) === 0) {
      let len = 0;
      for (let i = 1, m = 1; i < f.header.length; i++, m *= 128) len += (f.header[i]! & 0x7f) * m;
      f.need = len;
      f.got = 0;
    } else if (f.header.length >= 5) f.need = Infinity;
    if (f.need !== 0) return;
  } else f.got++;
  if (f.got >= f.need) {
    whole();
    f.need = -1;
    f.header = [];
  }
}

export const packets = { connack, publish, pingresp, suback };
