// Attack on the wire (src/session/link.ts, src/mqtt/framer.ts): a broker that splits every
// byte, answers what was never asked, sends CONNACK twice, over-declares, trickles, and drains.
// Invariants: never online for more than 1.5 x keepalive + 1 s without a whole packet; a
// protocol violation closes the connection with a typed error; nothing throws.
import { ErrorCode } from '../../src/errors';
import { concat, connack, packet, pingresp, publish, puback, suback, unsuback } from '../../tools/broker/server-codec';
import { bringOnline, makeDevice, type TestDevice } from '../support/device';
import { run } from './helpers';

const K = 45_000;

/** Longest time the device was online without a whole packet arriving, watched every 100 ms. */
function deafWatch(d: TestDevice): () => number {
  let lastWhole = d.hal.time.now();
  let worst = 0;
  let seen = d.client.counters.messagesIn + d.client.counters.pingsAnswered;
  // CONNACK and SUBACK are whole packets too
  d.client.events.on('state', (s) => {
    if (s.to === 'online') lastWhole = d.hal.time.now();
  });
  d.client.events.on('subscribed', () => (lastWhole = d.hal.time.now()));
  const tick = () => {
    const n = d.client.counters.messagesIn + d.client.counters.pingsAnswered;
    const now = d.hal.time.now();
    if (n !== seen || !d.client.online) {
      seen = n;
      lastWhole = now;
    }
    worst = Math.max(worst, now - lastWhole);
    d.hal.time.set(tick, 100);
  };
  tick();
  return () => worst;
}

describe('held: hostile framing', () => {
  test('held: CONNACK, SUBACK and 50 downlinks split at every byte arrive whole and in order', () => {
    const d = makeDevice({}, { latencyMs: 1 });
    d.broker.connackBytes = new Uint8Array(0);
    d.client.start();
    run(d.hal, 100, 1);
    const conn = d.hal.transport.last!;
    const got: string[] = [];
    d.client.onDownlink = (t, b, s, e) => got.push(`${t}=${Buffer.from(b.subarray(s, e)).toString()}`);
    // CONNACK first: the session starts (SUBSCRIBE, info/mcu) from the event loop, so a SUBACK can only answer it after that turn.
    const ack = connack(0);
    for (let i = 0; i < ack.length; i++) conn.deliver(ack.subarray(i, i + 1));
    d.hal.time.advance(0);
    const stream = concat(suback(1, [0]), ...Array.from({ length: 50 }, (_, i) => publish(`downlink/ds/v${i % 7}`, `x${i}`, i % 2, i + 1)));
    for (let i = 0; i < stream.length; i++) conn.deliver(stream.subarray(i, i + 1));
    expect(d.client.online).toBe(true);
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => `downlink/ds/v${i % 7}=x${i}`));
    expect(d.client.counters.pubacksSent).toBe(25);
  });

  test('held: PINGRESP, PUBACK and UNSUBACK nobody asked for change nothing; a SUBACK nobody asked for is a protocol error', () => {
    const d = makeDevice();
    bringOnline(d);
    d.broker.send(concat(pingresp(), puback(77), unsuback(9), pingresp()));
    d.broker.settle();
    expect(d.client.online).toBe(true);
    d.broker.send(suback(4242, [0]));
    d.broker.settle();
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.PROTOCOL);
  });

  test('held: a second CONNACK is a protocol error and the device reconnects', () => {
    const d = makeDevice();
    bringOnline(d);
    d.broker.send(connack(0));
    run(d.hal, 70_000);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.PROTOCOL);
    expect(d.client.online).toBe(true);
    expect(d.client.counters.connects).toBe(2);
  });

  test('held: a broker that answers pings with oversize PUBLISHes trickled one byte a second is declared dead within 1.5 x keepalive + 1 s', () => {
    const d = makeDevice();
    bringOnline(d);
    d.broker.answerPings = false;
    const worst = deafWatch(d);
    const big = publish('downlink/ds/big', 'z'.repeat(8000));
    let i = 0;
    const conn = d.broker.conn!;
    const drip = () => {
      if (conn.state !== 'open') return;
      conn.deliver(big.subarray(i % big.length, (i % big.length) + 1));
      i++;
      d.hal.time.set(drip, 1000);
    };
    drip();
    run(d.hal, 4 * K, 1000);
    expect(worst()).toBeLessThanOrEqual(1.5 * K + 1000);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.KEEPALIVE_TIMEOUT);
  });

  test('held: declared lengths beyond the drain limit, 5-byte lengths, reserved flags, QoS 3, packet id 0: each a typed protocol error, none thrown', () => {
    const bad = [
      Uint8Array.from([0x30, 0xff, 0xff, 0xff, 0x7f]),
      Uint8Array.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]),
      Uint8Array.from([0xd1, 0x00]),
      Uint8Array.from([0x36, 0x05, 0, 1, 0x61, 0, 1]),
      publish('downlink/ds/a', 'b', 1, 0),
      packet(0x20, [0, 0, 0]),
      Uint8Array.from([0x10, 0x00]),
      Uint8Array.from([0x90, 0x02, 0x00, 0x01]),
      Uint8Array.from([0x30, 0x02, 0x00, 0x00]),
      Uint8Array.from([0x30, 0x04, 0xff, 0xff, 0x61, 0x62]),
    ];
    for (const b of bad) {
      const d = makeDevice();
      bringOnline(d);
      expect(() => {
        d.broker.send(b);
        d.broker.settle();
      }).not.toThrow();
      expect(d.client.online).toBe(false);
      expect(d.errors.length).toBeGreaterThan(0);
    }
  });

  test('held: an oversize QoS 1 PUBLISH whose packet id straddles chunks is drained, acknowledged once, and the link stays up', () => {
    const d = makeDevice();
    bringOnline(d);
    const big = publish('downlink/ds/big', 'q'.repeat(3000), 1, 0x1234);
    const conn = d.broker.conn!;
    conn.deliverInPieces(big, [3, 1, 1, 1, 15, 1, 1, 1, 100]);
    run(d.hal, 2 * K);
    expect(d.client.online).toBe(true);
    expect(d.client.counters.overflowDrops).toBe(1);
    expect(d.broker.packets('puback').map((p) => p.id)).toEqual([0x1234]);
  });
});
