import { ErrorCode } from '../../src/errors';
import { bringOnline, makeDevice } from '../support/device';
import { packet, publish } from '../../tools/broker/server-codec';

describe('C-LIMITS-2 outgoing messages over the limit', () => {
  test('refused locally with a typed error naming the limit and the size; nothing sent; connection kept', () => {
    const d = makeDevice();
    bringOnline(d);
    const before = d.hal.transport.bytesWritten;
    // 2 + topic (13) + payload 1010 = 1025 > 1024
    const e = d.client.publish('ds/Terminal12', 'x'.repeat(1010));
    expect(e?.code).toBe(ErrorCode.TOO_LARGE);
    expect(e?.detail).toEqual({ size: 1025, limit: 1024 });
    expect(e?.message).toContain('1024');
    expect(d.hal.transport.bytesWritten).toBe(before);
    expect(d.client.online).toBe(true);
    expect(d.client.publish('ds/Terminal12', 'x'.repeat(1009))).toBeNull(); // exactly 1024
  });

  test('the size counts UTF-8 bytes, not characters', () => {
    const d = makeDevice();
    bringOnline(d);
    // 2 + 3 + 255 * 4 bytes = 1025
    expect(d.client.publish('ds/', '😀'.repeat(255))?.code).toBe(ErrorCode.TOO_LARGE);
    expect(d.client.publish('ds/', '😀'.repeat(254))).toBeNull();
  });

  test('the limit is configurable', () => {
    const d = makeDevice({ maxPacket: 4096 });
    bringOnline(d);
    expect(d.client.publish('ds/Terminal', 'x'.repeat(3000))).toBeNull();
  });
});

describe('C-LIMITS-3 incoming packets', () => {
  test('an oversize PUBLISH is drained and dropped, counted, reported; the connection stays; the next message arrives', () => {
    const d = makeDevice();
    const got: string[] = [];
    d.client.onDownlink = (topic, bytes, start, end) => got.push(`${topic}=${Buffer.from(bytes.subarray(start, end)).toString()}`);
    bringOnline(d);
    const big = publish('downlink/ds/Terminal', 'y'.repeat(5000));
    d.broker.conn!.deliverInPieces(big, [3, 100, 1000, 1000, 1000]);
    d.broker.push('downlink/ds/Power', '1');
    d.hal.time.flush();
    expect(d.client.counters.overflowDrops).toBe(1);
    const e = d.errors.find((x) => x.code === ErrorCode.OVERFLOW)!;
    expect(e.detail).toMatchObject({ size: 5000 + 2 + 20, limit: 1024 });
    expect(got).toEqual(['downlink/ds/Power=1']);
    expect(d.client.online).toBe(true);
    expect(d.hal.transport.connections).toHaveLength(1);
  });

  test('an oversize QoS 1 PUBLISH is still acknowledged (C-SESSION-4)', () => {
    const d = makeDevice();
    bringOnline(d);
    d.broker.send(publish('downlink/ds/Terminal', 'z'.repeat(3000), 1, 77));
    d.hal.time.flush();
    expect(d.broker.packets('puback')).toEqual([{ type: 'puback', id: 77 }]);
    expect(d.client.online).toBe(true);
  });

  test('a smaller receive buffer drops what does not fit it', () => {
    const d = makeDevice({ rxbuff: 128 });
    bringOnline(d);
    d.broker.push('downlink/ds/Terminal', 'x'.repeat(200));
    d.hal.time.flush();
    expect(d.client.counters.overflowDrops).toBe(1);
    expect(d.client.online).toBe(true);
  });

  test.each([
    ['an oversize SUBACK', packet(0x90, new Uint8Array(2000).fill(1)), ErrorCode.TOO_LARGE],
    ['a 5-byte remaining length', Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01), ErrorCode.MALFORMED_LENGTH],
    ['reserved flags on PUBACK', Uint8Array.of(0x42, 2, 0, 1), ErrorCode.BAD_FLAGS],
    ['a packet type a client never receives (SUBSCRIBE)', packet(0x82, [0, 1, 0, 1, 0x61, 0]), ErrorCode.BAD_TYPE],
    ['type 0', Uint8Array.of(0x00, 0), ErrorCode.BAD_TYPE],
    ['a PUBLISH whose topic runs past the packet', packet(0x30, [0, 50, 0x61]), ErrorCode.TRUNCATED],
    ['QoS 3', Uint8Array.of(0x36, 3, 0, 1, 0x61), ErrorCode.BAD_QOS],
    ['a PUBLISH with a wildcard topic', publish('downlink/#', '1'), ErrorCode.BAD_TOPIC],
    ['a CONNACK of the wrong length', packet(0x20, [0, 0, 0]), ErrorCode.MALFORMED_LENGTH],
    ['a second CONNACK', packet(0x20, [0, 0]), ErrorCode.PROTOCOL],
    ['a QoS 2 PUBLISH (never subscribed at 2)', publish('downlink/ds/a', '1', 2, 5), ErrorCode.BAD_QOS],
  ])('%s closes the connection with a typed error and the device reconnects', (_what, bytes, code) => {
    const d = makeDevice();
    bringOnline(d);
    d.broker.send(bytes);
    d.hal.time.flush();
    expect(d.errors.map((e) => e.code)).toContain(code);
    expect(d.hal.transport.connections[0]!.state).toBe('closed');
    d.hal.time.advance(1000);
    expect(d.client.online).toBe(true);
    expect(d.hal.transport.connections).toHaveLength(2);
    expect(d.client.counters.disconnects[code]).toBe(1);
  });

  test('garbage never throws out of the transport callback', () => {
    const d = makeDevice();
    bringOnline(d);
    const conn = d.broker.conn!;
    expect(() => conn.deliver(new Uint8Array(64).fill(0xff))).not.toThrow();
  });
});
