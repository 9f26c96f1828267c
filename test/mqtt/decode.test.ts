// Decoding what a client receives, against hand-written vectors, and every error the decoder
// returns. A client must not receive anything but CONNACK, PUBLISH, PUBACK, SUBACK, UNSUBACK and
// PINGRESP.

import { ErrorCode } from '../../src/errors';
import { decodePacket } from './helpers';
import { checkHeader, readVarint, VARINT_MALFORMED, VARINT_NEED_MORE, varintLength, varintValue } from '../../src/mqtt/decode';
import { IncomingPacket, PacketType } from '../../src/mqtt/packets';
import { TopicCache } from '../../src/mqtt/topics';
import { decodeBody } from '../../src/mqtt/decode';
import fc from 'fast-check';
import { checkProperty, expectError, hex, toHex } from './helpers';

function decode(h: string): IncomingPacket {
  const bytes = hex(h);
  const p = new IncomingPacket();
  const r = decodePacket(bytes, p);
  if (typeof r !== 'number') throw new Error(`${r.code}: ${r.message}`);
  expect(r).toBe(bytes.length);
  return p;
}

function decodeError(h: string, code: ErrorCode) {
  return expectError(decodePacket(hex(h), new IncomingPacket()), code);
}

describe('CONNACK', () => {
  test('accepted, no session', () => {
    const p = decode('20 02 00 00');
    expect([p.type, p.sessionPresent, p.returnCode]).toEqual([PacketType.CONNACK, false, 0]);
  });
  test('C-CONN-4: return codes 1..5 and session present are reported as is', () => {
    for (const rc of [1, 2, 3, 4, 5]) expect(decode(`20 02 00 0${rc}`).returnCode).toBe(rc);
    expect(decode('20 02 01 00').sessionPresent).toBe(true);
  });
  test('BAD_FLAGS: reserved acknowledge flags (MQTT-3.2.2-1) or fixed-header flags set', () => {
    decodeError('20 02 02 00', ErrorCode.BAD_FLAGS);
    decodeError('20 02 80 00', ErrorCode.BAD_FLAGS);
    decodeError('21 02 00 00', ErrorCode.BAD_FLAGS);
  });
  test('MALFORMED_LENGTH: remaining length other than 2', () => {
    decodeError('20 03 00 00 00', ErrorCode.MALFORMED_LENGTH);
    decodeError('20 01 00', ErrorCode.MALFORMED_LENGTH);
    decodeError('20 00', ErrorCode.MALFORMED_LENGTH);
  });
});

describe('PUBLISH', () => {
  test('QoS 0: downlink/ds/Power = 1', () => {
    const p = decode('30 14 00 11 64 6f 77 6e 6c 69 6e 6b 2f 64 73 2f 50 6f 77 65 72 31');
    expect([p.type, p.qos, p.dup, p.retain, p.id, p.topic, toHex(p.payload)]).toEqual([3, 0, false, false, 0, 'downlink/ds/Power', '31']);
  });
  test('QoS 1 with packet id (C-SESSION-4: downlink/ping must be acked with this id)', () => {
    const p = decode('32 11 00 0d 64 6f 77 6e 6c 69 6e 6b 2f 70 69 6e 67 00 2a');
    expect([p.qos, p.id, p.topic, p.payload.length]).toEqual([1, 42, 'downlink/ping', 0]);
  });
  test('QoS 2, dup and retain flags', () => {
    const p = decode('3d 06 00 01 61 ff fe 7a');
    expect([p.qos, p.dup, p.retain, p.id, toHex(p.payload)]).toEqual([2, true, true, 0xfffe, '7a']);
    const q = decode('3a 05 00 01 61 00 01');
    expect([q.qos, q.dup, q.retain, q.id]).toEqual([1, true, false, 1]);
    expect(decode('31 03 00 01 61').retain).toBe(true);
  });
  test('the payload is a view into the input, NUL bytes and all', () => {
    const bytes = hex('30 08 00 01 61 31 00 32 00 33');
    const p = new IncomingPacket();
    expect(decodePacket(bytes, p)).toBe(10);
    expect(toHex(p.payload)).toBe('31 00 32 00 33');
    expect(p.payload.buffer).toBe(bytes.buffer);
    expect(p.payload.byteOffset).toBe(5);
  });
  test('multi-byte and astral topic characters', () => {
    // "é/😀" = c3 a9 2f f0 9f 98 80
    expect(decode('30 09 00 07 c3 a9 2f f0 9f 98 80').topic).toBe('é/😀');
    // 3-byte characters at the edges of the allowed ranges: U+0800, U+D7FF, U+E000, U+FFFF, U+10FFFF
    expect(decode('30 12 00 10 e0 a0 80 ed 9f bf ee 80 80 ef bf bf f4 8f bf bf').topic).toBe('\u0800\uD7FF\uE000\uFFFF\u{10FFFF}');
  });
  test('a leading U+FEFF in a topic is kept, not stripped (MQTT-1.5.3-3): "\\uFEFFa/b" arrives as is, a BOM-only topic is "\\uFEFF"', () => {
    expect(decode('30 08 00 06 ef bb bf 61 2f 62').topic).toBe('\uFEFFa/b');
    expect(decode('30 05 00 03 ef bb bf').topic).toBe('\uFEFF');
    // and through the topic cache, on a miss and on a hit
    const cache = new TopicCache();
    const p = new IncomingPacket();
    const bytes = hex('30 05 00 03 ef bb bf');
    for (let i = 0; i < 2; i++) {
      expect(decodeBody(0x30, bytes, 2, 5, p, cache)).toBeNull();
      expect(p.topic).toBe('\uFEFF');
    }
  });
  test('a payload that is not UTF-8 is fine: payloads are bytes', () => {
    expect(toHex(decode('30 05 00 01 61 c0 80').payload)).toBe('c0 80');
  });
  test('two-byte remaining length', () => {
    const body = new Uint8Array(200);
    body.set([0, 1, 0x61]);
    const bytes = new Uint8Array(3 + 200);
    bytes.set([0x30, 0xc8, 0x01]);
    bytes.set(body, 3);
    const p = new IncomingPacket();
    expect(decodePacket(bytes, p)).toBe(203);
    expect(p.payload.length).toBe(197);
  });
  test('BAD_QOS: both QoS bits set (MQTT-3.3.1-4)', () => {
    decodeError('36 05 00 01 61 00 01', ErrorCode.BAD_QOS);
    decodeError('3f 05 00 01 61 00 01', ErrorCode.BAD_QOS);
  });
  test('BAD_FLAGS: DUP with QoS 0 (MQTT-3.3.1-2)', () => {
    decodeError('38 03 00 01 61', ErrorCode.BAD_FLAGS);
  });
  test('BAD_PACKET_ID: QoS 1 or 2 with id 0', () => {
    decodeError('32 05 00 01 61 00 00', ErrorCode.BAD_PACKET_ID);
    decodeError('34 05 00 01 61 00 00', ErrorCode.BAD_PACKET_ID);
  });
  test('BAD_TOPIC: empty topic, wildcards in a topic name (MQTT-3.3.2-2)', () => {
    decodeError('30 02 00 00', ErrorCode.BAD_TOPIC);
    decodeError('30 05 00 03 61 2f 23', ErrorCode.BAD_TOPIC);
    decodeError('30 05 00 03 2b 2f 61', ErrorCode.BAD_TOPIC);
  });
  test('BAD_UTF8: U+0000, overlong forms, surrogates, above U+10FFFF, stray or missing continuation bytes', () => {
    decodeError('30 04 00 02 61 00', ErrorCode.BAD_UTF8); // U+0000
    decodeError('30 04 00 02 c0 80', ErrorCode.BAD_UTF8); // overlong NUL
    decodeError('30 04 00 02 c1 bf', ErrorCode.BAD_UTF8); // overlong 2-byte
    decodeError('30 05 00 03 e0 9f bf', ErrorCode.BAD_UTF8); // overlong 3-byte
    decodeError('30 06 00 04 f0 8f bf bf', ErrorCode.BAD_UTF8); // overlong 4-byte
    decodeError('30 05 00 03 ed a0 80', ErrorCode.BAD_UTF8); // U+D800 (lone high surrogate)
    decodeError('30 05 00 03 ed bf bf', ErrorCode.BAD_UTF8); // U+DFFF
    decodeError('30 08 00 06 ed a0 bd ed b8 80', ErrorCode.BAD_UTF8); // a surrogate pair encoded as CESU-8
    decodeError('30 06 00 04 f4 90 80 80', ErrorCode.BAD_UTF8); // U+110000
    decodeError('30 06 00 04 f5 80 80 80', ErrorCode.BAD_UTF8); // lead byte f5
    decodeError('30 03 00 01 80', ErrorCode.BAD_UTF8); // continuation byte alone
    decodeError('30 04 00 02 c3 61', ErrorCode.BAD_UTF8); // missing continuation
    decodeError('30 04 00 02 e2 82', ErrorCode.BAD_UTF8); // cut short by the topic's end
    decodeError('30 03 00 01 ff', ErrorCode.BAD_UTF8);
  });
  test('TRUNCATED: no room for the topic length, the topic, or the packet id', () => {
    decodeError('30 01 00', ErrorCode.TRUNCATED);
    decodeError('30 00', ErrorCode.TRUNCATED);
    decodeError('30 03 00 05 61', ErrorCode.TRUNCATED);
    decodeError('32 04 00 01 61 00', ErrorCode.TRUNCATED);
    decodeError('32 03 00 01 61', ErrorCode.TRUNCATED);
  });
});

describe('PUBACK, SUBACK, UNSUBACK, PINGRESP', () => {
  test('PUBACK', () => {
    const p = decode('40 02 12 34');
    expect([p.type, p.id]).toEqual([PacketType.PUBACK, 0x1234]);
    decodeError('40 02 00 00', ErrorCode.BAD_PACKET_ID);
    decodeError('40 03 00 01 00', ErrorCode.MALFORMED_LENGTH);
    decodeError('40 01 01', ErrorCode.MALFORMED_LENGTH);
    decodeError('42 02 00 01', ErrorCode.BAD_FLAGS);
  });
  test('SUBACK with granted QoS and the 0x80 failure code', () => {
    const p = decode('90 06 00 07 00 01 02 80');
    expect([p.type, p.id, p.granted]).toEqual([PacketType.SUBACK, 7, [0, 1, 2, 0x80]]);
    expect(decode('90 03 00 01 80').granted).toEqual([0x80]);
  });
  test('SUBACK errors: other return codes are BAD_QOS (MQTT-3.9.3-2), no codes TRUNCATED, id 0, flags', () => {
    decodeError('90 03 00 01 03', ErrorCode.BAD_QOS);
    decodeError('90 04 00 01 00 81', ErrorCode.BAD_QOS);
    decodeError('90 02 00 01', ErrorCode.TRUNCATED);
    decodeError('90 00', ErrorCode.TRUNCATED);
    decodeError('90 03 00 00 00', ErrorCode.BAD_PACKET_ID);
    decodeError('92 03 00 01 00', ErrorCode.BAD_FLAGS);
  });
  test('UNSUBACK', () => {
    const p = decode('b0 02 00 02');
    expect([p.type, p.id]).toEqual([PacketType.UNSUBACK, 2]);
    decodeError('b0 02 00 00', ErrorCode.BAD_PACKET_ID);
    decodeError('b0 03 00 02 00', ErrorCode.MALFORMED_LENGTH);
    decodeError('b1 02 00 02', ErrorCode.BAD_FLAGS);
  });
  test('PINGRESP', () => {
    expect(decode('d0 00').type).toBe(PacketType.PINGRESP);
    decodeError('d0 01 00', ErrorCode.MALFORMED_LENGTH);
    decodeError('d8 00', ErrorCode.BAD_FLAGS);
  });
});

describe('packets a client must not receive', () => {
  test('BAD_TYPE: reserved 0 and 15, CONNECT, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT', () => {
    for (const h of ['00 00', '10 00', '50 02 00 01', '62 02 00 01', '70 02 00 01', '82 00', 'a2 00', 'c0 00', 'e0 00', 'f0 00']) {
      const e = decodeError(h, ErrorCode.BAD_TYPE);
      expect(e.detail).toEqual({ type: hex(h)[0]! >>> 4 });
    }
  });
  test('checkHeader decides from the first byte alone', () => {
    expect(checkHeader(0x30)).toBeNull();
    expect(checkHeader(0x3b)).toBeNull();
    expectError(checkHeader(0x36), ErrorCode.BAD_QOS);
    expectError(checkHeader(0xc0), ErrorCode.BAD_TYPE);
    expectError(checkHeader(0x41), ErrorCode.BAD_FLAGS);
  });
  test('decodeBody refuses a type it does not know even when checkHeader was skipped', () => {
    expectError(decodeBody(0xc0, new Uint8Array(0), 0, 0, new IncomingPacket()), ErrorCode.BAD_TYPE);
  });
});

describe('remaining length', () => {
  test('readVarint: 1 to 4 bytes, the largest value, need-more and the 5th byte', () => {
    const at = (h: string) => readVarint(hex(h), 0, hex(h).length);
    expect([varintValue(at('00')), varintLength(at('00'))]).toEqual([0, 1]);
    expect([varintValue(at('7f')), varintLength(at('7f'))]).toEqual([127, 1]);
    expect([varintValue(at('80 01')), varintLength(at('80 01'))]).toEqual([128, 2]);
    expect([varintValue(at('ff 7f')), varintLength(at('ff 7f'))]).toEqual([16383, 2]);
    expect([varintValue(at('80 80 01')), varintLength(at('80 80 01'))]).toEqual([16384, 3]);
    expect([varintValue(at('ff ff ff 7f')), varintLength(at('ff ff ff 7f'))]).toEqual([268435455, 4]);
    expect(at('80')).toBe(VARINT_NEED_MORE);
    expect(at('ff ff ff')).toBe(VARINT_NEED_MORE);
    expect(at('ff ff ff ff')).toBe(VARINT_MALFORMED);
    expect(at('80 80 80 80 00')).toBe(VARINT_MALFORMED);
  });
  test('MALFORMED_LENGTH: a 5-byte remaining length', () => {
    decodeError('30 ff ff ff ff 01', ErrorCode.MALFORMED_LENGTH);
    decodeError('d0 80 80 80 80 00', ErrorCode.MALFORMED_LENGTH);
  });
  test('decodePacket says 0 while a packet is incomplete', () => {
    const p = new IncomingPacket();
    for (const h of ['', '30', '30 80', '30 05 00 01', '32 05 00 01 61 00']) expect(decodePacket(hex(h), p)).toBe(0);
  });
});

describe('topic cache', () => {
  test('random topics of every length up to 64: a hit is exact, any one byte changed misses', () => {
    checkProperty(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(7), fc.nat(), (raw, offset, which) => {
        const topic = raw.map((b) => (b === 0 ? 1 : b)); // stored topics have no NUL
        const cache = new TopicCache();
        cache.add(topic, 0, topic.length, 'T');
        const buf = new Uint8Array(offset + topic.length + 2);
        buf.set(topic, offset);
        expect(cache.find(buf, offset, offset + topic.length)).toBe('T');
        const i = which % topic.length;
        for (const delta of [1, 0x80]) {
          buf[offset + i] ^= delta;
          expect(cache.find(buf, offset, offset + topic.length)).toBeNull();
          buf[offset + i] ^= delta;
        }
      }),
      300,
    );
  });

  test('a hit compares every byte, whichever array and offset the topic is in (views of several buffers)', () => {
    const cache = new TopicCache();
    const topic = 'downlink/ds/Temperature';
    const bytes = Uint8Array.from(topic, (c) => c.charCodeAt(0));
    const at = (buf: ArrayBuffer, offset: number): Uint8Array => {
      const v = new Uint8Array(buf, offset, bytes.length + 3);
      v.set(bytes, 3);
      return v;
    };
    cache.add(bytes, 0, bytes.length, topic);
    const a = new ArrayBuffer(64);
    const b = new ArrayBuffer(64);
    const first = at(b, 5);
    for (const [buf, offset] of [[a, 0], [b, 5], [a, 7], [b, 5], [a, 0]] as const) {
      expect([offset, cache.find(at(buf, offset), 3, 3 + bytes.length)]).toEqual([offset, topic]);
    }
    expect(cache.find(first, 3, 3 + bytes.length)).toBe(topic); // an earlier array again
    // the same array with one byte changed, in each word and in the tail
    const v = at(a, 1);
    for (let i = 0; i < bytes.length; i++) {
      v[3 + i] ^= 0x20;
      expect([i, cache.find(v, 3, 3 + bytes.length)]).toEqual([i, null]);
      v[3 + i] ^= 0x20;
    }
    expect(cache.find(v, 3, 3 + bytes.length)).toBe(topic);
    cache.release();
    expect(cache.find(v, 3, 3 + bytes.length)).toBe(topic);
  });

  test('a cached topic is the same string, and a miss is still validated', () => {
    const cache = new TopicCache();
    const bytes = hex('30 05 00 03 61 2f 62');
    const p = new IncomingPacket();
    expect(decodeBody(0x30, bytes, 2, 5, p, cache)).toBeNull();
    const first = p.topic;
    expect(decodeBody(0x30, bytes, 2, 5, p, cache)).toBeNull();
    expect(p.topic).toBe(first);
    expect(p.topic).toBe('a/b');
    // Same length and last byte (same set), different content: validated, not served from the cache.
    expectError(decodeBody(0x30, hex('30 05 00 03 61 23 62'), 2, 5, p, cache), ErrorCode.BAD_TOPIC);
    expectError(decodeBody(0x30, hex('30 05 00 03 61 00 62'), 2, 5, p, cache), ErrorCode.BAD_UTF8);
  });
});
