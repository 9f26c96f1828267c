// The framer: transport chunks in, packets out, with a fixed receive buffer (C-LIMITS-3).

import { ErrorCode } from '../../src/errors';
import { encodePublish } from '../../src/mqtt/encode';
import {
  FRAME_ERROR,
  FRAME_NEED_MORE,
  FRAME_OVERSIZE,
  FRAME_OVERSIZE_ID,
  FRAME_PACKET,
  Framer,
} from '../../src/mqtt/framer';
import { MAX_FIXED_HEADER } from '../../src/mqtt/packets';
import { ascii, concat, expectBytes, hex, prng, runFramer, SEED, splitAt, toHex } from './helpers';

function varint(n: number): Uint8Array {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Uint8Array.from(out);
}

/** A PUBLISH as the server sends it (any QoS, any size, no limit). */
function publish(topic: string, payload: Uint8Array | string, qos = 0, id = 0, flags = 0): Uint8Array {
  const t = Buffer.from(topic, 'utf8');
  const p = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const body = concat(Uint8Array.of(t.length >> 8, t.length & 0xff), t, qos ? Uint8Array.of(id >> 8, id & 0xff) : new Uint8Array(0), p);
  return concat(Uint8Array.of(0x30 | (qos << 1) | flags), varint(body.length), body);
}

const CONNACK = hex('20 02 00 00');
const SUBACK = hex('90 03 00 01 00');
const PINGRESP = hex('d0 00');
const PUBACK = hex('40 02 00 05');
const UNSUBACK = hex('b0 02 00 02');

/** A mixed stream a device could receive, with sizes up to `max` remaining bytes. */
function mixedStream(max: number): Uint8Array {
  return concat(
    CONNACK,
    SUBACK,
    publish('downlink/ds/Power', '1'),
    publish('downlink/ping', '', 1, 7),
    publish('downlink/ds/Terminal', 'x'.repeat(Math.max(0, max - 22))), // exactly `max` remaining
    PINGRESP,
    publish('downlink/ds/é', 'ü\u0000😀', 2, 0xbeef, 0x09),
    PUBACK,
    UNSUBACK,
  );
}

const whole = (max: number, bytes: Uint8Array) => runFramer(new Framer(max), [bytes]);

describe('Framer: framing', () => {
  test('one packet per chunk; the payload is a view into the chunk, not a copy', () => {
    const f = new Framer(1024);
    const chunk = publish('downlink/ds/Power', '1');
    f.feed(chunk);
    expect(f.next()).toBe(FRAME_PACKET);
    expect([f.packet.topic, Array.from(f.packet.payload)]).toEqual(['downlink/ds/Power', [0x31]]);
    expect(f.packet.payload.buffer).toBe(chunk.buffer);
    expect(f.next()).toBe(FRAME_NEED_MORE);
    expect(f.next()).toBe(FRAME_NEED_MORE); // the chunk is used up: nothing more comes out
    expect(f.ring.length).toBe(0);
  });

  test('many packets in one chunk, of every type a client receives', () => {
    expect(whole(1024, mixedStream(1024))).toEqual([
      'CONNACK sp=false rc=0',
      'SUBACK id=1 [0]',
      'PUBLISH q0 id=0 "downlink/ds/Power" [31]',
      'PUBLISH q1 id=7 "downlink/ping" []',
      expect.stringMatching(/^PUBLISH q0 id=0 "downlink\/ds\/Terminal" \[(78 ){1001}78\]$/),
      'PINGRESP',
      'PUBLISH q2 dup retain id=48879 "downlink/ds/é" [c3 bc 00 f0 9f 98 80]',
      'type4 id=5',
      'type11 id=2',
    ]);
  });

  test('an empty chunk is simply used up', () => {
    const f = new Framer(64);
    f.feed(new Uint8Array(0));
    expect(f.next()).toBe(FRAME_NEED_MORE);
  });

  test('fragmented input, one byte at a time, gives the same packets', () => {
    for (const max of [64, 1024]) {
      const bytes = mixedStream(max);
      const oneByOne = Array.from(bytes, (b) => Uint8Array.of(b));
      expect(runFramer(new Framer(max), oneByOne)).toEqual(whole(max, bytes));
    }
  });

  test('split at every byte boundary gives the same packets', () => {
    for (const max of [64, 1024]) {
      const bytes = mixedStream(max);
      const expected = whole(max, bytes);
      for (let cut = 1; cut < bytes.length; cut++) {
        expect(runFramer(new Framer(max), splitAt(bytes, [cut]))).toEqual(expected);
      }
    }
  });

  test(`packets as large as the ring, cut at random points, several times over (seed ${SEED})`, () => {
    // With a ring that kept several packets these cuts would make packets straddle its end. The
    // framer keeps at most the start of one packet, always from the ring's start, so they never do;
    // Ring's own tests cover wrapping and contiguous().
    const max = 64;
    const stream = concat(...Array.from({ length: 12 }, (_, i) => publish(`t/${i}`, 'p'.repeat(max - 5 - (i % 3)))));
    const expected = whole(max, stream);
    expect(expected).toHaveLength(12);
    const rand = prng(SEED);
    for (let round = 0; round < 300; round++) {
      const cuts = new Set<number>();
      const n = 1 + Math.floor(rand() * 20);
      for (let i = 0; i < n; i++) cuts.add(1 + Math.floor(rand() * (stream.length - 1)));
      const chunks = splitAt(stream, [...cuts].sort((a, b) => a - b));
      const f = new Framer(max);
      const events: string[] = [];
      for (const c of chunks) {
        f.feed(c);
        let r: number;
        while ((r = f.next()) !== FRAME_NEED_MORE) {
          expect(r).toBe(FRAME_PACKET);
          events.push(`PUBLISH q0 id=0 ${JSON.stringify(f.packet.topic)} [${toHex(f.packet.payload)}]`);
        }
        // Only the start of the one packet in progress is ever held.
        expect(f.ring.length).toBeLessThan(max + MAX_FIXED_HEADER);
      }
      if (events.join('\n') !== expected.join('\n')) throw new Error(`wrong packets for cuts ${[...cuts]} (FUZZ_SEED=${SEED})`);
    }
  });

  test('a packet completed from the ring decodes from the ring start, then the rest comes from the chunk', () => {
    const f = new Framer(64);
    const a = publish('a', 'hello');
    const b = publish('b', 'world');
    f.feed(a.subarray(0, 4));
    expect(f.next()).toBe(FRAME_NEED_MORE);
    expect(f.ring.length).toBe(4);
    f.feed(concat(a.subarray(4), b));
    expect(f.next()).toBe(FRAME_PACKET);
    expect(f.packet.topic).toBe('a');
    expect(f.packet.payload.buffer).toBe(f.ring.buf.buffer);
    expect(f.ring.length).toBe(0); // only what packet `a` needed was copied
    expect(f.next()).toBe(FRAME_PACKET);
    expect(f.packet.topic).toBe('b');
    expect(f.next()).toBe(FRAME_NEED_MORE);
  });

  test('exactly the receive capacity is accepted, also when fragmented', () => {
    const p = publish('t', 'x'.repeat(64 - 3));
    expect(whole(64, p)).toHaveLength(1);
    expect(runFramer(new Framer(64), Array.from(p, (b) => Uint8Array.of(b)))).toEqual(whole(64, p));
  });
});

describe('Framer: C-LIMITS-3 oversize PUBLISH is drained and dropped', () => {
  const HUGE = 1_000_000; // a drain limit this large is a configuration choice (the default is 16 KiB)

  test('C-KEEPALIVE-2: a PUBLISH declaring more than the drain limit is fatal TOO_LARGE, not a drain', () => {
    const f = new Framer(1024); // default drain limit 16 KiB
    expect(f.drainLimit).toBe(16_384);
    f.feed(concat(Uint8Array.of(0x30), varint(268_435_455), publish('downlink/ds/x', '1'), PINGRESP));
    expect(f.next()).toBe(FRAME_ERROR);
    expect(f.error?.code).toBe('TOO_LARGE');
    const g = new Framer(1024);
    g.feed(concat(Uint8Array.of(0x30), varint(16_384)));
    expect(g.next()).toBe(FRAME_OVERSIZE); // at the limit: drained
  });

  test('C-KEEPALIVE-2: completed counts whole packets and finished drains, never a partial packet', () => {
    const f = new Framer(1024);
    const big = publish('downlink/ds/Big', new Uint8Array(3000));
    const stream = concat(PINGRESP, big, publish('downlink/ds/a', '1'));
    f.feed(stream.subarray(0, 2 + 2000)); // PINGRESP, then part of the drain
    while (f.next() !== FRAME_NEED_MORE);
    expect(f.completed).toBe(1);
    f.feed(stream.subarray(2 + 2000, stream.length - 3)); // the drain ends; the last packet is partial
    while (f.next() !== FRAME_NEED_MORE);
    expect(f.completed).toBe(2);
    f.feed(stream.subarray(stream.length - 3));
    while (f.next() !== FRAME_NEED_MORE);
    expect(f.completed).toBe(3);
  });

  test('reported as soon as the length field is decoded, with nothing of the body buffered', () => {
    const f = new Framer(1024, HUGE);
    const header = concat(Uint8Array.of(0x30), varint(HUGE)); // 30 c0 84 3d
    expect(header.length).toBe(4);
    for (let i = 0; i < header.length - 1; i++) {
      f.feed(header.subarray(i, i + 1));
      expect(f.next()).toBe(FRAME_NEED_MORE);
      expect(f.ring.length).toBe(i + 1); // the fixed header only
    }
    f.feed(header.subarray(3));
    expect(f.next()).toBe(FRAME_OVERSIZE);
    expect(f.oversizeLength).toBe(HUGE);
    expect(f.ring.length).toBe(0);
    expect(f.next()).toBe(FRAME_NEED_MORE);
  });

  test('a huge declared PUBLISH streams through while the ring stays empty; the next packet is fine', () => {
    const f = new Framer(1024, HUGE);
    const body = publish('downlink/ds/Big', new Uint8Array(HUGE - 17)).subarray(4);
    expect(body.length).toBe(HUGE);
    const stream = concat(Uint8Array.of(0x30), varint(HUGE), body, publish('downlink/ds/Power', '1'), PINGRESP);
    const events: number[] = [];
    let maxRing = 0;
    // The first chunk holds only the first byte: the rest of the header then arrives in the ring
    // together with 1.5 kB of body, none of which may be copied in.
    const cuts = [0, 1];
    for (let pos = 1 + 1500; pos < stream.length; pos += 1500) cuts.push(pos);
    for (let i = 0; i < cuts.length; i++) {
      f.feed(stream.subarray(cuts[i], cuts[i + 1]));
      for (;;) {
        const r = f.next();
        maxRing = Math.max(maxRing, f.ring.length);
        if (r === FRAME_NEED_MORE) break;
        events.push(r);
        if (r === FRAME_PACKET && f.packet.type === 3) expect(f.packet.topic).toBe('downlink/ds/Power');
      }
    }
    expect(events).toEqual([FRAME_OVERSIZE, FRAME_PACKET, FRAME_PACKET]);
    expect(maxRing).toBeLessThanOrEqual(MAX_FIXED_HEADER);
  });

  test('the drain ends exactly at the packet end, in the middle of a chunk', () => {
    const big = publish('t', 'y'.repeat(200));
    const small = publish('u', 'z');
    expect(whole(64, concat(big, small, big, small))).toEqual([
      'OVERSIZE 203',
      'PUBLISH q0 id=0 "u" [7a]',
      'OVERSIZE 203',
      'PUBLISH q0 id=0 "u" [7a]',
    ]);
  });

  test('QoS 1: the packet id is reported (FRAME_OVERSIZE_ID) so the session can still PUBACK it', () => {
    const big = publish('downlink/ping', 'x'.repeat(300), 1, 0x1234);
    expect(whole(64, concat(big, PINGRESP))).toEqual(['OVERSIZE 317', 'OVERSIZE_ID q1 id=4660', 'PINGRESP']);
  });

  test('QoS 1 id found wherever the chunks are cut (topic length, topic, id split apart)', () => {
    const big = publish('downlink/x', 'x'.repeat(100), 1, 0x0a0b);
    const expected = ['OVERSIZE 114', 'OVERSIZE_ID q1 id=2571', 'PINGRESP'];
    const stream = concat(big, PINGRESP);
    for (let cut = 1; cut < 30; cut++) {
      expect(runFramer(new Framer(64), splitAt(stream, [cut, cut + 1, cut + 3]))).toEqual(expected);
    }
    expect(runFramer(new Framer(64), Array.from(stream, (b) => Uint8Array.of(b)))).toEqual(expected);
  });

  test('QoS 2 reports its id too; id 0 or a body too short for an id reports none', () => {
    expect(whole(8, publish('t', 'x'.repeat(20), 2, 9))).toEqual(['OVERSIZE 25', 'OVERSIZE_ID q2 id=9']);
    expect(whole(8, publish('t', 'x'.repeat(20), 1, 0))).toEqual(['OVERSIZE 25']);
    // declared topic length runs past the body: no id is ever complete
    expect(whole(8, concat(hex('32 0a 00 40'), new Uint8Array(8)))).toEqual(['OVERSIZE 10']);
  });

  test('an oversize PUBLISH whose header arrives in the ring, then a partial packet after it', () => {
    const big = publish('t', 'x'.repeat(100));
    const next = publish('n', 'ok');
    const stream = concat(big, next);
    // header cut after its first byte; the following packet cut in two
    const chunks = splitAt(stream, [1, 2, big.length + 3]);
    expect(runFramer(new Framer(32), chunks)).toEqual(['OVERSIZE 103', 'PUBLISH q0 id=0 "n" [6f 6b]']);
  });
});

describe('Framer: fatal errors', () => {
  test('C-LIMITS-3: any other oversize packet is fatal TOO_LARGE naming size and limit', () => {
    for (const first of [0x20, 0x40, 0x90, 0xb0, 0xd0]) {
      const f = new Framer(64);
      f.feed(concat(Uint8Array.of(first), varint(65)));
      expect(f.next()).toBe(FRAME_ERROR);
      expect(f.error?.code).toBe(ErrorCode.TOO_LARGE);
      expect(f.error?.detail).toEqual({ size: 65, limit: 64 });
    }
    // also when the length arrives byte by byte
    expect(runFramer(new Framer(64), [hex('90'), hex('80'), hex('01')])).toEqual(['ERROR TOO_LARGE']);
  });

  test('a 5-byte remaining length is fatal MALFORMED_LENGTH, whole or byte by byte', () => {
    const bad = hex('30 ff ff ff ff 7f');
    expect(whole(1024, bad)).toEqual(['ERROR MALFORMED_LENGTH']);
    expect(runFramer(new Framer(1024), Array.from(bad, (b) => Uint8Array.of(b)))).toEqual(['ERROR MALFORMED_LENGTH']);
    expect(runFramer(new Framer(1024), [hex('30 80 80'), hex('80 80 00')])).toEqual(['ERROR MALFORMED_LENGTH']);
  });

  test('a bad first byte is refused as soon as it arrives', () => {
    const f = new Framer(64);
    f.feed(hex('10'));
    expect(f.next()).toBe(FRAME_ERROR);
    expect(f.error?.code).toBe(ErrorCode.BAD_TYPE);
    expect(runFramer(new Framer(64), [concat(PINGRESP, hex('36'))])).toEqual(['PINGRESP', 'ERROR BAD_QOS']);
    expect(runFramer(new Framer(64), [PINGRESP, hex('41')])).toEqual(['PINGRESP', 'ERROR BAD_FLAGS']);
  });

  test('body errors from a packet completed in the ring', () => {
    expect(runFramer(new Framer(64), [hex('30 05 00'), hex('03 61 2f 23')])).toEqual(['ERROR BAD_TOPIC']);
    expect(runFramer(new Framer(64), [hex('32 05 00 01'), hex('61 00 00')])).toEqual(['ERROR BAD_PACKET_ID']);
    expect(runFramer(new Framer(64), [hex('30 03 00'), hex('05 61')])).toEqual(['ERROR TRUNCATED']);
    expect(runFramer(new Framer(64), [hex('30 04 00 02'), hex('c0 80')])).toEqual(['ERROR BAD_UTF8']);
  });

  test('a failed framer stays failed until reset(); reset() starts clean', () => {
    const f = new Framer(64);
    f.feed(concat(hex('30 80'), hex('80 80 80 01')));
    expect(f.next()).toBe(FRAME_ERROR);
    f.feed(PINGRESP);
    expect(f.next()).toBe(FRAME_ERROR);
    f.reset();
    expect(f.error).toBeNull();
    f.feed(PINGRESP);
    expect(f.next()).toBe(FRAME_PACKET);
    // reset in the middle of a partial packet and of a drain
    f.feed(hex('30 05 00'));
    expect(f.next()).toBe(FRAME_NEED_MORE);
    f.reset();
    expect(f.ring.length).toBe(0);
    f.feed(publish('t', 'x'.repeat(100)).subarray(0, 10));
    expect(f.next()).toBe(FRAME_OVERSIZE);
    f.reset();
    f.feed(PINGRESP);
    expect(f.next()).toBe(FRAME_PACKET);
  });

  test('packets from our own encoder frame back', () => {
    const bytes = expectBytes(encodePublish({ topic: 'downlink/ds/Temperature', payload: '21.7' }));
    expect(whole(1024, bytes)).toEqual([`PUBLISH q0 id=0 "downlink/ds/Temperature" [${toHex(ascii('21.7'))}]`]);
  });
});

describe('Framer: constants', () => {
  test('statuses are distinct', () => {
    expect(new Set([FRAME_NEED_MORE, FRAME_PACKET, FRAME_OVERSIZE, FRAME_OVERSIZE_ID, FRAME_ERROR]).size).toBe(5);
  });
});

describe('Framer: the fast path (a whole QoS 0 PUBLISH with a cached topic) is the general path', () => {
  test(`every packet of a random stream, one long-lived framer against a fresh one per packet (seed ${SEED})`, () => {
    // A fresh framer's topic cache is empty, so it always takes the general path; the long-lived
    // one takes the fast path whenever it can. Mixed in: retained, DUP, QoS 1, lengths over 127,
    // oversize, chunks cut anywhere (also inside a header), other packet types, chunks that are
    // views into a larger buffer at odd offsets.
    const rand = prng(SEED ^ 0xfa57);
    const topics = ['downlink/ds/Power', 'downlink/ds/Set Temperature', 'a', 'downlink/ds/é', 'x/'.repeat(27), 'downlink/ds/Powes'];
    const live = new Framer(256);
    for (let i = 0; i < 3000; i++) {
      const topic = topics[Math.floor(rand() * topics.length)]!;
      const kind = rand();
      const big = rand() < 0.1;
      const payload = big ? 'v'.repeat(120 + Math.floor(rand() * 200)) : String(Math.floor(rand() * 1000) / 10);
      const pkt =
        kind < 0.7 ? publish(topic, payload) : kind < 0.8 ? publish(topic, payload, 0, 0, 1) : kind < 0.9 ? publish(topic, payload, 1, 1 + Math.floor(rand() * 9), rand() < 0.5 ? 8 : 0) : [PINGRESP, PUBACK, SUBACK][Math.floor(rand() * 3)]!;
      const fresh = runFramer(new Framer(256), [pkt]);
      // Inside a larger buffer at an odd offset, then cut in up to two places.
      const host = new Uint8Array(pkt.length + 7);
      const off = 1 + Math.floor(rand() * 5);
      host.set(pkt, off);
      const view = host.subarray(off, off + pkt.length);
      const cuts = rand() < 0.3 ? [1 + Math.floor(rand() * (pkt.length - 1))] : [];
      const got = runFramer(live, splitAt(view, cuts));
      if (JSON.stringify(got) !== JSON.stringify(fresh)) {
        throw new Error(`packet ${i} (${toHex(pkt)}): ${JSON.stringify(got)} vs ${JSON.stringify(fresh)} (FUZZ_SEED=${SEED})`);
      }
    }
  });
});

test('the fast path checks the topic against its own packet: a topic length past the packet is TRUNCATED, even when the bytes after it spell a cached topic', () => {
  const f = new Framer(256);
  expect(runFramer(f, [publish('downlink/ds/Power', '1')])[0]).toMatch(/^PUBLISH/); // now cached
  // Topic length 17, but the packet ends after 16 topic bytes; the next byte is the missing 'r'.
  const t = ascii('downlink/ds/Powe');
  const bad = concat(Uint8Array.of(0x30, 2 + t.length, 0, 17), t, ascii('r'), PINGRESP);
  expect(runFramer(f, [bad])).toEqual([`ERROR ${ErrorCode.TRUNCATED}`]);
});

test.each([
  ['a wildcard', ascii('downlink/+/x'), ErrorCode.BAD_TOPIC],
  ['malformed UTF-8', Uint8Array.of(0x64, 0xc3, 0x28), ErrorCode.BAD_UTF8],
])('a new topic on the fast path is still checked: %s', (_what, t, code) => {
  const f = new Framer(256);
  const bad = concat(Uint8Array.of(0x30, 2 + t.length + 1, 0, t.length), t, ascii('1'));
  expect(runFramer(f, [bad])).toEqual([`ERROR ${code}`]);
});
