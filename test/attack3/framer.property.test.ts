// attack3: the framer's fast path (header byte 0x30, one-byte length, one 32-bit read, topic from
// TopicCache.findIn, the chunk's DataView kept by chunk identity, `quiet` and `plain`) against
// the same framer code fed one byte at a time (which never takes the fast path: it needs 4 bytes
// of the chunk) and, for valid streams, against mqtt-packet. Clauses: C-LIMITS-3 (framing,
// fixed buffer), MQTT-3.3.2-2 (topic checks on every path), C-KEEPALIVE-2 (`completed`).
import mqttPacket from 'mqtt-packet';
import { FRAME_ERROR, FRAME_NEED_MORE, Framer } from '../../src/mqtt/framer';
import { concat, describeResult, prng, SEED, type FrameEvent } from '../mqtt/helpers';

const RUNS = Number(process.env.ATTACK3_RUNS ?? 150);
const enc = new TextEncoder();

// Topic lengths around every boundary of the cache's compare (8-byte groups, the last 8, 24, 56/57
// bytes), with non-ASCII, a DEL + 4-byte sequence (an 8-byte group that is a NaN as a double:
// 7f f0 90 80 80 ...), and near misses that differ at one byte only.
function topicPool(rand: () => number): string[] {
  const base: string[] = [];
  for (const n of [1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 55, 56, 57, 58, 70, 120]) {
    let s = 'downlink/ds/'.slice(0, Math.min(12, n));
    while (s.length < n) s += String.fromCharCode(0x61 + Math.floor(rand() * 26));
    base.push(s.slice(0, n));
  }
  base.push('downlink/ds/\u00e9t\u00e9', 'downlink/ds/\u{1F600}x', '\u007f\u{10000}\u{10000}abcd', 'downlink/ds/a\u007f\u{10000}\u{10000}bcdefgh');
  const out = [...base];
  // Near misses: the same length, one byte changed at each position of a few of them.
  for (const t of base.slice(4, 20)) {
    const b = enc.encode(t);
    for (let i = 0; i < b.length; i += 3) {
      const c = Uint8Array.from(b);
      c[i] = c[i]! === 0x61 ? 0x62 : 0x61;
      const s = new TextDecoder('utf-8', { fatal: false }).decode(c);
      if (enc.encode(s).length === c.length) out.push(s);
    }
  }
  return out;
}

function publish(topic: string, payload: Uint8Array, qos: 0 | 1, id: number, dup: boolean, retain: boolean): Uint8Array {
  return new Uint8Array(mqttPacket.generate({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, messageId: qos ? id : undefined, dup, retain } as mqttPacket.IPublishPacket));
}

interface Stream {
  bytes: Uint8Array;
  valid: boolean;
}

function makeStream(rand: () => number, topics: string[], rxbuff: number): Stream {
  const parts: Uint8Array[] = [];
  const n = 1 + Math.floor(rand() * 40);
  // Few topics per stream most of the time (the cache hits), many now and then (churn).
  const pool = rand() < 0.7 ? topics.slice(0, 3 + Math.floor(rand() * 6)) : topics;
  for (let i = 0; i < n; i++) {
    const k = rand();
    const topic = pool[Math.floor(rand() * pool.length)]!;
    const len = rand() < 0.8 ? Math.floor(rand() * 20) : Math.floor(rand() * 200);
    const payload = new Uint8Array(len).map(() => Math.floor(rand() * 256));
    if (k < 0.75) parts.push(publish(topic, payload, 0, 0, false, false));
    else if (k < 0.82) parts.push(publish(topic, payload, 1, 1 + Math.floor(rand() * 65535), rand() < 0.5, rand() < 0.5));
    else if (k < 0.86) parts.push(publish(topic, payload, 0, 0, false, true)); // RETAIN (header 0x31: not the fast path)
    else if (k < 0.9) parts.push(Uint8Array.of(0xd0, 0x00)); // PINGRESP
    else if (k < 0.93) parts.push(Uint8Array.of(0x40, 0x02, 0x00, 1 + Math.floor(rand() * 255))); // PUBACK
    else if (k < 0.96) parts.push(Uint8Array.of(0x90, 0x03, 0x00, 0x01, 0x00)); // SUBACK
    else parts.push(publish(topic, new Uint8Array(rxbuff + 1 + Math.floor(rand() * 50)), 0, 0, false, false)); // drained
  }
  let valid = true;
  if (rand() < 0.15) {
    // Something hostile at the end: a PUBLISH whose topic is bad on the fast path's own shape.
    valid = false;
    const bad = [
      Uint8Array.of(0x30, 0x05, 0x00, 0x03, 0x61, 0x2b, 0x62), // wildcard
      Uint8Array.of(0x30, 0x05, 0x00, 0x03, 0x61, 0x00, 0x62), // NUL
      Uint8Array.of(0x30, 0x05, 0x00, 0x03, 0x61, 0xc0, 0xaf), // overlong
      Uint8Array.of(0x30, 0x04, 0x00, 0x05, 0x61, 0x62), // topic past the packet
      Uint8Array.of(0x30, 0x02, 0x00, 0x00), // empty topic
      Uint8Array.of(0x32, 0x05, 0x00, 0x01, 0x61, 0x00, 0x00), // QoS 1 id 0
      Uint8Array.of(0x36, 0x03, 0x00, 0x01, 0x61), // QoS 3
      Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x7f), // 5-byte length
    ];
    parts.push(bad[Math.floor(rand() * bad.length)]!);
  }
  return { bytes: concat(...parts), valid };
}

/** The oracle: the framer fed one byte at a time (the general path and the ring only). */
function byteByByte(bytes: Uint8Array, rxbuff: number): FrameEvent[] {
  const f = new Framer(rxbuff);
  const out: FrameEvent[] = [];
  for (let i = 0; i < bytes.length; i++) {
    f.feed(bytes.subarray(i, i + 1).slice());
    for (;;) {
      const r = f.next();
      if (r === FRAME_NEED_MORE) break;
      out.push(describeResult(f, r));
      if (r === FRAME_ERROR) return out;
    }
  }
  return out;
}

type Mode = 'fresh' | 'shared-odd' | 'same-object' | 'with-empty';

/**
 * Cut `bytes` at random points and hand the pieces over as `mode` says:
 * - fresh: a new ArrayBuffer per chunk;
 * - shared-odd: views at odd offsets of one shared ArrayBuffer (a new view object per chunk);
 * - same-object: one Uint8Array object per chunk length, refilled before each feed (the
 *   framer keeps its DataView by chunk identity);
 * - with-empty: zero-length chunks in between.
 */
function chunked(f: Framer, bytes: Uint8Array, rand: () => number, mode: Mode): FrameEvent[] {
  const shared = new ArrayBuffer(bytes.length * 2 + 64);
  const byLen = new Map<number, Uint8Array>();
  const out: FrameEvent[] = [];
  let pos = 0;
  let at = 1;
  while (pos < bytes.length) {
    const r = rand();
    const n = Math.min(bytes.length - pos, r < 0.3 ? 1 + Math.floor(rand() * 6) : r < 0.6 ? 1 + Math.floor(rand() * 40) : 1 + Math.floor(rand() * 600));
    let chunk: Uint8Array;
    if (mode === 'shared-odd') {
      chunk = new Uint8Array(shared, at, n);
      at += n + 1 + 2 * Math.floor(rand() * 3);
      if (at + 700 > shared.byteLength) at = 1 + 2 * Math.floor(rand() * 3);
      chunk.set(bytes.subarray(pos, pos + n));
    } else if (mode === 'same-object') {
      let c = byLen.get(n);
      if (!c) byLen.set(n, (c = new Uint8Array(new ArrayBuffer(n + 3), 3, n)));
      c.set(bytes.subarray(pos, pos + n));
      chunk = c;
    } else {
      chunk = bytes.slice(pos, pos + n);
    }
    pos += n;
    const feeds = mode === 'with-empty' && rand() < 0.5 ? [new Uint8Array(0), chunk, new Uint8Array(new ArrayBuffer(8), 5, 0)] : [chunk];
    for (const c of feeds) {
      f.feed(c);
      for (;;) {
        const s = f.next();
        if (s === FRAME_NEED_MORE) break;
        out.push(describeResult(f, s));
        if (s === FRAME_ERROR) return out;
      }
      if (mode === 'same-object') c.fill(0xee); // the transport reuses its buffer at once
    }
  }
  return out;
}

/** mqtt-packet's view of a valid stream, in the framer's words (oversize PUBLISHes left out). */
function reference(bytes: Uint8Array, rxbuff: number): FrameEvent[] {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const out: FrameEvent[] = [];
  const hexOf = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
  parser.on('packet', (p: mqttPacket.Packet) => {
    if (p.cmd === 'publish') {
      const pl = new Uint8Array(p.payload as Buffer);
      const topicBytes = enc.encode(p.topic).length;
      const remaining = 2 + topicBytes + (p.qos ? 2 : 0) + pl.length;
      if (remaining > rxbuff) {
        out.push(`OVERSIZE ${remaining}`);
        if (p.qos) out.push(`OVERSIZE_ID q${p.qos} id=${p.messageId}`);
        return;
      }
      out.push(`PUBLISH q${p.qos}${p.dup ? ' dup' : ''}${p.retain ? ' retain' : ''} id=${p.qos ? p.messageId : 0} ${JSON.stringify(p.topic)} [${hexOf(pl)}]`);
    } else if (p.cmd === 'pingresp') out.push('PINGRESP');
    else if (p.cmd === 'puback') out.push(`type4 id=${p.messageId}`);
    else if (p.cmd === 'suback') out.push(`SUBACK id=${p.messageId} [${(p.granted as number[]).join(',')}]`);
  });
  parser.parse(Buffer.from(bytes));
  return out;
}

describe('C-LIMITS-3 / MQTT-3.3.2-2 the framer fast path matches the byte-at-a-time framer and mqtt-packet', () => {
  test.each<Mode>(['fresh', 'shared-odd', 'same-object', 'with-empty'])('chunks %s: seeded streams cut at random points', (mode) => {
    const rand = prng(SEED ^ 0xa77ac3);
    const topics = topicPool(rand);
    for (let run = 0; run < RUNS; run++) {
      const rxbuff = rand() < 0.5 ? 1024 : 40 + Math.floor(rand() * 100);
      const s = makeStream(rand, topics, rxbuff);
      const want = byteByByte(s.bytes, rxbuff);
      const f = new Framer(rxbuff);
      const got = chunked(f, s.bytes, rand, mode);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        throw new Error(`seed ${SEED} run ${run} mode ${mode}: framer differs\nwant ${want.join('\n     ')}\ngot  ${got.join('\n     ')}`);
      }
      if (s.valid) {
        const ref = reference(s.bytes, rxbuff);
        if (JSON.stringify(got) !== JSON.stringify(ref)) throw new Error(`seed ${SEED} run ${run}: differs from mqtt-packet\nref ${ref.join('\n    ')}\ngot ${got.join('\n    ')}`);
      } else {
        expect(got[got.length - 1]).toMatch(/^ERROR /);
      }
    }
  });

  test('C-LIMITS-3: one framer across connections, reset() at random points mid-packet: each connection frames like a fresh framer', () => {
    const rand = prng(SEED ^ 0x5e7);
    const topics = topicPool(rand);
    const f = new Framer(1024); // reused: its topic cache and DataView survive reset()
    for (let run = 0; run < RUNS; run++) {
      const s = makeStream(rand, topics, 1024);
      // The old connection dies half-way through a packet.
      const cut = Math.floor(rand() * s.bytes.length);
      chunked(f, s.bytes.subarray(0, cut), rand, 'same-object');
      f.reset();
      const next = makeStream(rand, topics, 1024);
      const got = chunked(f, next.bytes, rand, rand() < 0.5 ? 'same-object' : 'shared-odd');
      const want = byteByByte(next.bytes, 1024);
      if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`seed ${SEED} run ${run}: after reset()\nwant ${want.join('\n     ')}\ngot  ${got.join('\n     ')}`);
    }
  });

  test('C-KEEPALIVE-2: `completed` counts the same whole packets on the fast path as byte by byte', () => {
    const rand = prng(SEED ^ 0xc0);
    const topics = topicPool(rand);
    for (let run = 0; run < RUNS / 4; run++) {
      const s = makeStream(rand, topics, 1024);
      if (!s.valid) continue;
      const a = new Framer(1024);
      chunked(a, s.bytes, rand, 'fresh');
      const b = new Framer(1024);
      for (let i = 0; i < s.bytes.length; i++) {
        b.feed(s.bytes.subarray(i, i + 1));
        while (b.next() !== FRAME_NEED_MORE);
      }
      expect(a.completed).toBe(b.completed);
    }
  });

  test('MQTT-3.3.2-2: a cached topic never lets a bad one through: the same bytes but one changed to a wildcard or NUL, on the fast path', () => {
    const f = new Framer(1024);
    const ok = publish('downlink/ds/Temperature', enc.encode('21'), 0, 0, false, false);
    f.feed(ok);
    expect(describeResult(f, f.next())).toContain('"downlink/ds/Temperature"');
    for (const bad of [0x2b, 0x23, 0x00, 0xff]) {
      const g = new Framer(1024);
      g.feed(ok.slice());
      g.next();
      g.next();
      const b = ok.slice();
      b[4 + 12] = bad; // the first byte of the name
      g.feed(b);
      expect(describeResult(g, g.next())).toMatch(/^ERROR /);
    }
  });
});
