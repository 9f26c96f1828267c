// Encoders, byte for byte against vectors written by hand from the MQTT 3.1.1 layouts, and every
// error an encoder can return.

import { ErrorCode } from '../../src/errors';
import {
  encodeConnect,
  encodeDisconnect,
  encodePingreq,
  encodePuback,
  encodePublish,
} from '../../src/mqtt/encode';
import { encodeSubscribe } from '../../src/mqtt/encode-subscribe';
import { prepareString, preparePayload, prepareTopic, varintSize } from '../../src/mqtt/fields';
import type { ConnectFields, PublishFields } from '../../src/mqtt/packets';
import { expectBytes, expectError, hex, toHex } from './helpers';

const bytesOf = (v: Parameters<typeof expectBytes>[0]) => toHex(expectBytes(v));

describe('CONNECT', () => {
  const blynk: ConnectFields = { clientId: '', username: 'device', password: 'tok', keepalive: 45, cleanSession: true };

  test('C-CONN-3: Blynk login: level 4, clean session, username device, token as password, keepalive 45, empty client id', () => {
    // 10 19 | 00 04 MQTT | 04 | flags c2 (user, password, clean) | 00 2d | "" | "device" | "tok"
    expect(bytesOf(encodeConnect(blynk))).toBe(
      toHex(hex('10 19 00 04 4d 51 54 54 04 c2 00 2d 00 00 00 06 64 65 76 69 63 65 00 03 74 6f 6b')),
    );
  });

  test('client id, binary password and keepalive 0', () => {
    const out = encodeConnect({ clientId: 'dev1', username: 'u', password: Uint8Array.of(0, 0xff), keepalive: 0, cleanSession: true });
    expect(bytesOf(out)).toBe(toHex(hex('10 17 00 04 4d 51 54 54 04 c2 00 00 00 04 64 65 76 31 00 01 75 00 02 00 ff')));
  });

  test('will with QoS 1 and retain, no username, persistent session', () => {
    const out = encodeConnect({
      clientId: 'dev1',
      keepalive: 60,
      cleanSession: false,
      will: { topic: 'w', payload: 'bye', qos: 1, retain: true },
    });
    // flags 2c: will retain 20 | will QoS 1 08 | will 04
    expect(bytesOf(out)).toBe(toHex(hex('10 18 00 04 4d 51 54 54 04 2c 00 3c 00 04 64 65 76 31 00 01 77 00 03 62 79 65')));
  });

  test('will QoS 2 without retain, binary will payload, username only', () => {
    const out = encodeConnect({
      clientId: 'a',
      username: 'device',
      keepalive: 65535,
      cleanSession: true,
      will: { topic: 'w/x', payload: Uint8Array.of(1, 0, 2), qos: 2 },
    });
    // flags 96: username 80 | will QoS 2 10 | will 04 | clean 02
    expect(bytesOf(out)).toBe(
      toHex(hex('10 1f 00 04 4d 51 54 54 04 96 ff ff 00 01 61 00 03 77 2f 78 00 03 01 00 02 00 06 64 65 76 69 63 65')),
    );
  });

  test('multi-byte UTF-8 client id is counted in bytes', () => {
    const out = expectBytes(encodeConnect({ clientId: 'é😀', keepalive: 45, cleanSession: true }));
    // é = c3 a9, 😀 = f0 9f 98 80: 6 bytes
    expect(toHex(out)).toBe(toHex(hex('10 12 00 04 4d 51 54 54 04 02 00 2d 00 06 c3 a9 f0 9f 98 80')));
  });

  test('BAD_ARGUMENT: keepalive out of range or not an integer', () => {
    for (const keepalive of [-1, 65536, 1.5, NaN]) expectError(encodeConnect({ ...blynk, keepalive }), ErrorCode.BAD_ARGUMENT);
  });

  test('BAD_ARGUMENT: empty client id without clean session (MQTT-3.1.3-7)', () => {
    expectError(encodeConnect({ ...blynk, cleanSession: false }), ErrorCode.BAD_ARGUMENT);
  });

  test('BAD_ARGUMENT: password without username (MQTT-3.1.2-22)', () => {
    expectError(encodeConnect({ clientId: '', password: 'x', keepalive: 45, cleanSession: true }), ErrorCode.BAD_ARGUMENT);
  });

  test('BAD_ARGUMENT: strings over 65535 bytes, will payload over 65535, password over 65535', () => {
    const long = 'a'.repeat(65536);
    expectError(encodeConnect({ ...blynk, clientId: long }, 1e6), ErrorCode.BAD_ARGUMENT);
    expectError(encodeConnect({ ...blynk, password: new Uint8Array(65536) }, 1e6), ErrorCode.BAD_ARGUMENT);
    expectError(encodeConnect({ ...blynk, will: { topic: 't', payload: new Uint8Array(65536) } }, 1e6), ErrorCode.BAD_ARGUMENT);
    // 65535 is still fine
    expectBytes(encodeConnect({ ...blynk, password: new Uint8Array(65535) }, 1e6));
  });

  test('BAD_ARGUMENT: a will QoS that is not 0, 1, 2', () => {
    expectError(encodeConnect({ ...blynk, will: { topic: 't', payload: '', qos: 3 as 0 } }), ErrorCode.BAD_ARGUMENT);
  });

  test('BAD_UTF8: lone surrogate or U+0000 in a string field', () => {
    expectError(encodeConnect({ ...blynk, clientId: 'a\uD800' }), ErrorCode.BAD_UTF8);
    expectError(encodeConnect({ ...blynk, username: 'a\u0000b' }), ErrorCode.BAD_UTF8);
    expectError(encodeConnect({ ...blynk, password: 'x\uDC00' }), ErrorCode.BAD_UTF8);
  });

  test('BAD_TOPIC: will topic empty or with a wildcard', () => {
    expectError(encodeConnect({ ...blynk, will: { topic: '', payload: '' } }), ErrorCode.BAD_TOPIC);
    expectError(encodeConnect({ ...blynk, will: { topic: 'a/#', payload: '' } }), ErrorCode.BAD_TOPIC);
  });

  test('C-LIMITS-1: TOO_LARGE over the limit (default 1024), counting variable header + payload', () => {
    // remaining = 12 + 2 + 6 (username) + 2 + n (password)
    const at = (n: number) => ({ ...blynk, password: new Uint8Array(n) });
    expect(expectBytes(encodeConnect(at(1024 - 22))).length).toBe(1024 + 3);
    const e = expectError(encodeConnect(at(1024 - 21)), ErrorCode.TOO_LARGE);
    expect(e.detail).toEqual({ size: 1025, limit: 1024 });
    expectBytes(encodeConnect(at(2000), 4096));
  });
});

describe('PUBLISH', () => {
  test('QoS 0: ds/Power = 1', () => {
    expect(bytesOf(encodePublish({ topic: 'ds/Power', payload: '1' }))).toBe(toHex(hex('30 0b 00 08 64 73 2f 50 6f 77 65 72 31')));
  });

  test('QoS 1 with dup, retain and packet id', () => {
    const out = encodePublish({ topic: 'a/b', payload: 'hi', qos: 1, dup: true, retain: true, id: 0x1234 });
    expect(bytesOf(out)).toBe(toHex(hex('3b 09 00 03 61 2f 62 12 34 68 69')));
  });

  test('QoS 1 without dup or retain; packet ids 1 and 65535', () => {
    expect(bytesOf(encodePublish({ topic: 'a', payload: '', qos: 1, id: 1 }))).toBe(toHex(hex('32 05 00 01 61 00 01')));
    expect(bytesOf(encodePublish({ topic: 'a', payload: '', qos: 1, id: 65535 }))).toBe(toHex(hex('32 05 00 01 61 ff ff')));
  });

  test('retain only, empty payload', () => {
    expect(bytesOf(encodePublish({ topic: 'x', payload: '', retain: true }))).toBe(toHex(hex('31 03 00 01 78')));
  });

  test('binary payload is copied as is', () => {
    expect(bytesOf(encodePublish({ topic: 'x', payload: Uint8Array.of(0, 0x80, 0xff) }))).toBe(toHex(hex('30 06 00 01 78 00 80 ff')));
  });

  test('U+0000 is allowed in payloads (Blynk joins array values with NUL)', () => {
    expect(bytesOf(encodePublish({ topic: 'ds/A', payload: '1\u00002\u00003' }))).toBe(
      toHex(hex('30 0b 00 04 64 73 2f 41 31 00 32 00 33')),
    );
  });

  test('multi-byte and astral characters in topic and payload are UTF-8', () => {
    // topic "t/é" = 74 2f c3 a9, payload "€😀" = e2 82 ac f0 9f 98 80
    expect(bytesOf(encodePublish({ topic: 't/é', payload: '€😀' }))).toBe(toHex(hex('30 0d 00 04 74 2f c3 a9 e2 82 ac f0 9f 98 80')));
  });

  test('a long non-ASCII payload (the native-encoder path) is exact too', () => {
    const payload = 'x'.repeat(60) + 'é' + 'y'.repeat(60);
    const out = expectBytes(encodePublish({ topic: 't', payload }));
    expect(Buffer.from(out.subarray(2 + 3)).toString('utf8')).toBe(payload);
    expect(out[1]).toBe(3 + 122);
  });

  test('remaining length varint: 127 -> 1 byte, 128 -> 80 01, 16383 -> ff 7f, 16384 -> 80 80 01', () => {
    const big = (remaining: number) => expectBytes(encodePublish({ topic: 'a', payload: new Uint8Array(remaining - 3) }, 1 << 20));
    expect(toHex(big(127).subarray(0, 2))).toBe('30 7f');
    expect(toHex(big(128).subarray(0, 3))).toBe('30 80 01');
    expect(toHex(big(16383).subarray(0, 3))).toBe('30 ff 7f');
    expect(toHex(big(16384).subarray(0, 4))).toBe('30 80 80 01');
    expect(big(16384).length).toBe(16384 + 4);
    expect([127, 128, 16383, 16384, 2097151, 2097152, 268435455].map(varintSize)).toEqual([1, 2, 2, 3, 3, 4, 4]);
  });

  test('BAD_QOS: QoS 2 and anything else are refused (the client publishes at 0 or 1)', () => {
    expectError(encodePublish({ topic: 'a', payload: '', qos: 2 as 1, id: 1 }), ErrorCode.BAD_QOS);
    expectError(encodePublish({ topic: 'a', payload: '', qos: 3 as 1, id: 1 }), ErrorCode.BAD_QOS);
  });

  test('BAD_PACKET_ID: QoS 1 needs an id 1..65535', () => {
    for (const id of [undefined, 0, 65536, -1, 1.5]) expectError(encodePublish({ topic: 'a', payload: '', qos: 1, id }), ErrorCode.BAD_PACKET_ID);
  });

  test('BAD_FLAGS: DUP with QoS 0 (MQTT-3.3.1-2)', () => {
    expectError(encodePublish({ topic: 'a', payload: '', dup: true }), ErrorCode.BAD_FLAGS);
  });

  test('BAD_TOPIC: empty topic, + or # in a topic name', () => {
    for (const topic of ['', 'a/+', '#', 'a/b#', 'a+b']) expectError(encodePublish({ topic, payload: '' }), ErrorCode.BAD_TOPIC);
  });

  test('BAD_UTF8: U+0000 or a lone surrogate in the topic; lone surrogate in a string payload', () => {
    expectError(encodePublish({ topic: 'a\u0000', payload: '' }), ErrorCode.BAD_UTF8);
    expectError(encodePublish({ topic: 'a\uD83D', payload: '' }), ErrorCode.BAD_UTF8);
    expectError(encodePublish({ topic: 'a', payload: '\uDE00x' }), ErrorCode.BAD_UTF8);
    expectError(encodePublish({ topic: 'a', payload: 'y'.repeat(100) + '\uD800' }), ErrorCode.BAD_UTF8);
  });

  test('BAD_ARGUMENT: topic over 65535 bytes, payload neither string nor bytes', () => {
    expectError(encodePublish({ topic: 'a'.repeat(65536), payload: '' }, 1e6), ErrorCode.BAD_ARGUMENT);
    expectError(encodePublish({ topic: 'é'.repeat(32768), payload: '' }, 1e6), ErrorCode.BAD_ARGUMENT);
    expectError(encodePublish({ topic: 'a', payload: 42 as unknown as string }), ErrorCode.BAD_ARGUMENT);
    expectError(encodePublish({ topic: 7 as unknown as string, payload: '' }), ErrorCode.BAD_ARGUMENT);
  });

  test('TOO_LARGE: over the MQTT maximum (268435455) even with a larger limit', () => {
    // A stand-in that only claims its length: the check comes before anything is read or allocated.
    const huge = Object.setPrototypeOf({ length: 268435455 - 3 }, Uint8Array.prototype) as Uint8Array;
    const e = expectError(encodePublish({ topic: 'ab', payload: huge } as PublishFields, Infinity), ErrorCode.TOO_LARGE);
    expect(e.detail).toEqual({ size: 268435456 });
  });
});

describe('PUBACK, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT', () => {
  test('PUBACK', () => {
    expect(bytesOf(encodePuback(0x0102))).toBe('40 02 01 02');
    expect(bytesOf(encodePuback(65535))).toBe('40 02 ff ff');
    for (const id of [0, 65536, -5, 2.5]) expectError(encodePuback(id), ErrorCode.BAD_PACKET_ID);
  });

  test('SUBSCRIBE downlink/# (C-SESSION-1), flags 0010', () => {
    expect(bytesOf(encodeSubscribe(1, [{ topic: 'downlink/#', qos: 0 }]))).toBe(
      toHex(hex('82 0f 00 01 00 0a 64 6f 77 6e 6c 69 6e 6b 2f 23 00')),
    );
  });

  test('SUBSCRIBE with several filters and QoS 1, 2, + wildcard', () => {
    const out = encodeSubscribe(0xabcd, [
      { topic: 'a/+', qos: 1 },
      { topic: '#', qos: 2 },
    ]);
    expect(bytesOf(out)).toBe(toHex(hex('82 0c ab cd 00 03 61 2f 2b 01 00 01 23 02')));
  });

  test('SUBSCRIBE errors', () => {
    expectError(encodeSubscribe(0, [{ topic: 'a', qos: 0 }]), ErrorCode.BAD_PACKET_ID);
    expectError(encodeSubscribe(1, [{ topic: 'a', qos: 3 as 0 }]), ErrorCode.BAD_QOS);
    expectError(encodeSubscribe(1, []), ErrorCode.BAD_ARGUMENT); // MQTT-3.8.3-3
    expectError(encodeSubscribe(1, 'a' as unknown as []), ErrorCode.BAD_ARGUMENT);
    for (const topic of ['', 'a/#/b', 'a#', 'a/b+', '+a']) {
      expectError(encodeSubscribe(1, [{ topic, qos: 0 }]), ErrorCode.BAD_TOPIC);
    }
    expectError(encodeSubscribe(1, [{ topic: 'a\u0000', qos: 0 }]), ErrorCode.BAD_UTF8);
  });

  test('C-LIMITS-1: SUBSCRIBE over the limit is TOO_LARGE', () => {
    const filter = 'f'.repeat(1000);
    expectBytes(encodeSubscribe(1, [{ topic: filter, qos: 0 }]));
    const e = expectError(encodeSubscribe(1, [{ topic: filter, qos: 0 }, { topic: 'g'.repeat(30), qos: 0 }]), ErrorCode.TOO_LARGE);
    expect(e.detail).toEqual({ size: 2 + 1003 + 33, limit: 1024 });
    expectBytes(encodeSubscribe(1, [{ topic: filter, qos: 0 }, { topic: 'g'.repeat(30), qos: 0 }], 4096));
  });

  test('PINGREQ and DISCONNECT', () => {
    expect(toHex(encodePingreq())).toBe('c0 00');
    expect(toHex(encodeDisconnect())).toBe('e0 00');
  });
});

describe('string preparation', () => {
  test('ASCII stays a string; anything else becomes its UTF-8 bytes', () => {
    expect(prepareString('abc', 'x')).toBe('abc');
    expect(toHex(prepareString('é', 'x') as Uint8Array)).toBe('c3 a9');
    expect(prepareTopic('ds/x')).toBe('ds/x');
    expect(preparePayload('a\u0000b')).toBe('a\u0000b');
    expect(toHex(preparePayload('😀') as Uint8Array)).toBe('f0 9f 98 80');
    expectError(preparePayload('\uD800'), ErrorCode.BAD_UTF8);
    expectError(preparePayload(null as unknown as string), ErrorCode.BAD_ARGUMENT);
    expectError(prepareString(undefined as unknown as string, 'x'), ErrorCode.BAD_ARGUMENT);
  });

  test('65535 bytes is the most a string field holds', () => {
    expect(prepareString('a'.repeat(65535), 'x')).toHaveLength(65535);
    expectError(prepareString('a'.repeat(65536), 'x'), ErrorCode.BAD_ARGUMENT);
    expect((prepareString('é'.repeat(32767) + 'a', 'x') as Uint8Array).length).toBe(65535);
  });
});
