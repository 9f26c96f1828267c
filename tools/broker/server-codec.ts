// The broker's side of MQTT 3.1.1, for fake brokers in tests: decodes what a client sends and
// encodes what a server sends (including malformed and oversize packets on purpose). Pure
// ES2022 so it also runs inside XS. Test code only: the runtime's codec is in src/mqtt.

export type ClientPacket =
  | {
      type: 'connect';
      protocol: string;
      level: number;
      flags: number;
      keepalive: number;
      clientId: string;
      willTopic?: string;
      willPayload?: Uint8Array;
      username?: string;
      password?: Uint8Array;
    }
  | { type: 'publish'; topic: string; payload: Uint8Array; qos: number; retain: boolean; dup: boolean; id: number }
  | { type: 'puback'; id: number }
  | { type: 'subscribe'; id: number; subs: { topic: string; qos: number }[] }
  | { type: 'unsubscribe'; id: number; topics: string[] }
  | { type: 'pingreq' }
  | { type: 'disconnect' };

const dec = new TextDecoder('utf-8', { fatal: true });
const enc = new TextEncoder();

function str(b: Uint8Array, pos: number): [string, number] {
  const n = (b[pos]! << 8) | b[pos + 1]!;
  return [dec.decode(b.subarray(pos + 2, pos + 2 + n)), pos + 2 + n];
}

function bin(b: Uint8Array, pos: number): [Uint8Array, number] {
  const n = (b[pos]! << 8) | b[pos + 1]!;
  return [b.slice(pos + 2, pos + 2 + n), pos + 2 + n];
}

/** Decode one client packet at the start of `b`: [packet, bytes used], or null if incomplete. Throws on garbage. */
export function decodeClientPacket(b: Uint8Array): [ClientPacket, number] | null {
  if (b.length < 2) return null;
  let len = 0;
  let mult = 1;
  let i = 1;
  for (;;) {
    if (i >= b.length) return null;
    const c = b[i]!;
    len += (c & 0x7f) * mult;
    mult *= 128;
    i++;
    if ((c & 0x80) === 0) break;
    if (i > 4) throw new Error('bad remaining length');
  }
  if (b.length < i + len) return null;
  const body = b.subarray(i, i + len);
  const type = b[0]! >> 4;
  const flags = b[0]! & 15;
  const total = i + len;
  switch (type) {
    case 1: {
      const [protocol, p1] = str(body, 0);
      const level = body[p1]!;
      const cf = body[p1 + 1]!;
      const keepalive = (body[p1 + 2]! << 8) | body[p1 + 3]!;
      let [clientId, p] = str(body, p1 + 4);
      const pkt: ClientPacket = { type: 'connect', protocol, level, flags: cf, keepalive, clientId };
      if (cf & 0x04) {
        [pkt.willTopic, p] = str(body, p);
        [pkt.willPayload, p] = bin(body, p);
      }
      if (cf & 0x80) [pkt.username, p] = str(body, p);
      if (cf & 0x40) [pkt.password, p] = bin(body, p);
      return [pkt, total];
    }
    case 3: {
      const qos = (flags >> 1) & 3;
      const [topic, p0] = str(body, 0);
      let p = p0;
      let id = 0;
      if (qos > 0) {
        id = (body[p]! << 8) | body[p + 1]!;
        p += 2;
      }
      return [{ type: 'publish', topic, payload: body.slice(p), qos, retain: (flags & 1) === 1, dup: (flags & 8) === 8, id }, total];
    }
    case 4:
      return [{ type: 'puback', id: (body[0]! << 8) | body[1]! }, total];
    case 8: {
      const id = (body[0]! << 8) | body[1]!;
      const subs: { topic: string; qos: number }[] = [];
      let p = 2;
      while (p < body.length) {
        const [topic, q] = str(body, p);
        subs.push({ topic, qos: body[q]! });
        p = q + 1;
      }
      return [{ type: 'subscribe', id, subs }, total];
    }
    case 10: {
      const id = (body[0]! << 8) | body[1]!;
      const topics: string[] = [];
      let p = 2;
      while (p < body.length) {
        const [topic, q] = str(body, p);
        topics.push(topic);
        p = q;
      }
      return [{ type: 'unsubscribe', id, topics }, total];
    }
    case 12:
      return [{ type: 'pingreq' }, total];
    case 14:
      return [{ type: 'disconnect' }, total];
    default:
      throw new Error(`client sent packet type ${type}`);
  }
}

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let d = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) d |= 0x80;
    out.push(d);
  } while (n > 0);
  return out;
}

export function packet(header: number, body: Uint8Array | number[]): Uint8Array {
  const b = body instanceof Uint8Array ? body : Uint8Array.from(body);
  const head = [header, ...varint(b.length)];
  const out = new Uint8Array(head.length + b.length);
  out.set(head, 0);
  out.set(b, head.length);
  return out;
}

export const connack = (code: number, sessionPresent = false): Uint8Array => packet(0x20, [sessionPresent ? 1 : 0, code]);
export const suback = (id: number, codes: number[]): Uint8Array => packet(0x90, [id >> 8, id & 255, ...codes]);
export const unsuback = (id: number): Uint8Array => packet(0xb0, [id >> 8, id & 255]);
export const puback = (id: number): Uint8Array => packet(0x40, [id >> 8, id & 255]);
export const pingresp = (): Uint8Array => packet(0xd0, []);

export function publish(topic: string, payload: Uint8Array | string, qos = 0, id = 0, flags = 0): Uint8Array {
  const t = enc.encode(topic);
  const p = typeof payload === 'string' ? enc.encode(payload) : payload;
  const body = new Uint8Array(2 + t.length + (qos > 0 ? 2 : 0) + p.length);
  body[0] = t.length >> 8;
  body[1] = t.length & 255;
  body.set(t, 2);
  let pos = 2 + t.length;
  if (qos > 0) {
    body[pos++] = id >> 8;
    body[pos++] = id & 255;
  }
  body.set(p, pos);
  return packet(0x30 | (qos << 1) | flags, body);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const text = (b: Uint8Array): string => new TextDecoder().decode(b);
