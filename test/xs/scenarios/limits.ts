// Size limits inside XS: an oversize uplink is refused locally, an oversize downlink is drained,
// dropped and counted, and a malformed packet closes the connection with a typed error.
import { ErrorCode, utf8Decode } from '../../../build/entries/xs-mock';
import { packet, publish } from '../../../tools/broker/server-codec';
import { equal, includes, ok } from './assert';
import { bringOnline, errorCodes, makeDevice } from './device';

export function oversizeOut(): void {
  const d = makeDevice();
  bringOnline(d);
  const before = d.hal.transport.bytesWritten;
  const e = d.client.publish('ds/Terminal12', 'x'.repeat(1010)); // 2 + 13 + 1010 = 1025
  equal(e?.code, ErrorCode.TOO_LARGE, 'error code');
  equal(e?.detail, { size: 1025, limit: 1024 }, 'error detail');
  equal(d.hal.transport.bytesWritten, before, 'bytes written');
  equal(d.client.publish('ds/Terminal12', 'x'.repeat(1009)), null, 'exactly 1024 goes out');
  equal(d.client.publish('ds/', '😀'.repeat(255))?.code, ErrorCode.TOO_LARGE, 'limit counts UTF-8 bytes');
  ok(d.client.online, 'still online');
}

export function oversizeIn(): void {
  const d = makeDevice();
  const got: string[] = [];
  d.client.onDownlink = (topic, bytes, start, end) => got.push(`${topic}=${utf8Decode(bytes, start, end)}`);
  bringOnline(d);
  d.broker.conn!.deliverInPieces(publish('downlink/ds/Terminal', 'y'.repeat(5000)), [3, 100, 1000, 1000, 1000]);
  d.broker.push('downlink/ds/Power', '1');
  d.hal.time.flush();
  equal(d.client.counters.overflowDrops, 1, 'overflow drops');
  equal(d.errors.find((x) => x.code === ErrorCode.OVERFLOW)?.detail, { size: 5022, limit: 1024 }, 'OVERFLOW detail');
  equal(got, ['downlink/ds/Power=1'], 'downlinks delivered');
  equal(d.hal.transport.connections.length, 1, 'connections');
}

export function malformedCloses(): void {
  const cases: [string, Uint8Array, string][] = [
    ['5-byte remaining length', Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01), ErrorCode.MALFORMED_LENGTH],
    ['reserved flags on PUBACK', Uint8Array.of(0x42, 2, 0, 1), ErrorCode.BAD_FLAGS],
    ['topic past the packet end', packet(0x30, [0, 50, 0x61]), ErrorCode.TRUNCATED],
    ['oversize SUBACK', packet(0x90, new Uint8Array(2000).fill(1)), ErrorCode.TOO_LARGE],
  ];
  for (const [what, bytes, code] of cases) {
    const d = makeDevice();
    bringOnline(d);
    d.broker.send(bytes);
    d.hal.time.flush();
    includes(errorCodes(d), code, `${what}: errors`);
    equal(d.hal.transport.connections[0]!.state, 'closed', `${what}: first connection`);
    d.hal.time.advance(1000);
    ok(d.client.online, `${what}: reconnected`);
    equal(d.client.counters.disconnects[code], 1, `${what}: disconnects counted`);
  }
}
