// The outgoing size check (C-LIMITS-1/2): the remaining length (variable header + payload, not
// the fixed header) is computed before encoding, and a message over the limit is refused with a
// typed error naming both numbers.

import { ErrorCode } from '../../src/errors';
import { encodePublish } from '../../src/mqtt/encode';
import {
  DEFAULT_MAX_PACKET,
  checkPublishSize,
  checkSize,
  connectRemainingLength,
  filtersRemainingLength,
  publishRemainingLength,
  publishSize,
} from '../../src/mqtt/size';
import { expectBytes, expectError } from './helpers';

describe('C-LIMITS-1: what the limit counts', () => {
  test('the default limit is 1024', () => {
    expect(DEFAULT_MAX_PACKET).toBe(1024);
  });

  test('PUBLISH remaining length: topic length field + topic + packet id for QoS 1 + payload', () => {
    expect(publishRemainingLength(8, 1, 0)).toBe(11);
    expect(publishRemainingLength(8, 1, 1)).toBe(13);
  });

  test('CONNECT, SUBSCRIBE and UNSUBSCRIBE remaining lengths', () => {
    expect(connectRemainingLength(0, -1, 0, 6, 3)).toBe(25);
    expect(connectRemainingLength(4, 1, 3, -1, -1)).toBe(24);
    expect(filtersRemainingLength([10], true)).toBe(15);
    expect(filtersRemainingLength([10], false)).toBe(14);
  });

  test('the computed size is exactly what the encoder produces, minus the fixed header', () => {
    const cases = [
      { topic: 'ds/Power', payload: '1' },
      { topic: 'ds/Temp', payload: '21.7', qos: 1 as const, id: 9 },
      { topic: 'ds/é', payload: '😀 €' },
      { topic: 'ds/bin', payload: new Uint8Array(300) },
    ];
    for (const f of cases) {
      const out = expectBytes(encodePublish(f));
      const fixedHeader = out.length > 129 ? 3 : 2;
      expect(publishSize(f)).toBe(out.length - fixedHeader);
    }
  });
});

describe('C-LIMITS-2: an outgoing message over the limit is refused before encoding', () => {
  const topic = 'ds/Terminal'; // remaining = 2 + 11 + payload
  test('exactly at the limit is sent; one byte over is TOO_LARGE naming size and limit', () => {
    expect(expectBytes(encodePublish({ topic, payload: 'x'.repeat(1024 - 13) })).length).toBe(1024 + 3);
    const e = expectError(encodePublish({ topic, payload: 'x'.repeat(1024 - 12) }), ErrorCode.TOO_LARGE);
    expect(e.detail).toEqual({ size: 1025, limit: 1024 });
    expect(e.message).toContain('1025');
    expect(e.message).toContain('1024');
  });

  test('the fixed header is not counted; the packet id of QoS 1 is', () => {
    expectBytes(encodePublish({ topic, payload: new Uint8Array(1011) }));
    expectError(encodePublish({ topic, payload: new Uint8Array(1011), qos: 1, id: 1 }), ErrorCode.TOO_LARGE);
  });

  test('multi-byte characters count as their UTF-8 bytes, and the error names the real size', () => {
    // 505 x "é" is 1010 bytes: 1023 in all; one more character is 1025
    expectBytes(encodePublish({ topic, payload: 'é'.repeat(505) }));
    const e = expectError(encodePublish({ topic, payload: 'é'.repeat(506) }), ErrorCode.TOO_LARGE);
    expect(e.detail).toEqual({ size: 1025, limit: 1024 });
    // Short in characters, long in bytes: 400 emoji are 1600 bytes
    const big = expectError(encodePublish({ topic, payload: '😀'.repeat(400) }), ErrorCode.TOO_LARGE);
    expect(big.detail).toEqual({ size: 1613, limit: 1024 });
  });

  test('a configured limit (White Label / Enterprise) replaces the default', () => {
    const f = { topic, payload: 'x'.repeat(2000) };
    expectError(encodePublish(f), ErrorCode.TOO_LARGE);
    expectBytes(encodePublish(f, 4096));
    expect(expectError(encodePublish(f, 1500), ErrorCode.TOO_LARGE).detail).toEqual({ size: 2013, limit: 1500 });
  });

  test('checkSize and checkPublishSize, for checks before building anything', () => {
    expect(checkSize(1024)).toBeNull();
    expect(expectError(checkSize(1025), ErrorCode.TOO_LARGE).detail).toEqual({ size: 1025, limit: 1024 });
    expect(checkSize(10, 5, 'thing')?.message).toMatch(/^thing of 10 bytes/);
    expect(checkPublishSize({ topic, payload: 'x'.repeat(1011) })).toBeNull();
    expect(expectError(checkPublishSize({ topic, payload: 'é'.repeat(506) }), ErrorCode.TOO_LARGE).detail).toEqual({ size: 1025, limit: 1024 });
    expect(checkPublishSize({ topic, payload: 'x'.repeat(2000) }, 4096)).toBeNull();
  });
});
