// Defects an independent attack with a hostile broker found in the session layer (issue 10),
// one test each, named for the defect. Each was seen failing before its fix.
import { ErrorCode } from '../../src/errors';
import { connack, packet, pingresp, publish, suback } from '../../tools/broker/server-codec';
import { bringOnline, makeDevice, type TestDevice } from '../support/device';

const K = 45_000; // default keepalive
const DEAD = 1.5 * K;

/** Times (virtual ms) at which the device entered and left `online`. */
function onlineSpans(d: TestDevice): { since: number | undefined; spans: [number, number][] } {
  const out = { since: undefined as number | undefined, spans: [] as [number, number][] };
  d.client.events.on('state', (s) => {
    const now = d.hal.time.now();
    if (s.to === 'online') out.since = now;
    else if (s.from === 'online' && out.since !== undefined) {
      out.spans.push([out.since, now]);
      out.since = undefined;
    }
  });
  return out;
}

function run(d: TestDevice, ms: number, each?: () => void): void {
  const end = d.hal.time.now() + ms;
  while (d.hal.time.now() < end) {
    each?.();
    if (!d.hal.time.step()) d.hal.time.advance(Math.min(1000, end - d.hal.time.now()));
  }
}

describe('defect 1: online but deaf (C-KEEPALIVE-2)', () => {
  test('a PUBLISH declaring 2^28-1 bytes is a protocol error, not a drain that swallows every PINGRESP', () => {
    const d = makeDevice();
    bringOnline(d);
    const spans = onlineSpans(d);
    spans.since = d.hal.time.now();
    // 0x30, remaining length 268,435,455 (the largest varint), then a short body.
    d.broker.send(new Uint8Array([0x30, 0xff, 0xff, 0xff, 0x7f, 0, 3, 0x61, 0x2f, 0x62]));
    run(d, 3 * DEAD);
    expect(spans.spans.length).toBeGreaterThanOrEqual(1);
    const [from, to] = spans.spans[0]!;
    expect(to - from).toBeLessThanOrEqual(DEAD + 1000);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.TOO_LARGE);
  });

  test('a packet trickled one byte a second never completes: the keepalive still declares the link dead', () => {
    const d = makeDevice();
    bringOnline(d);
    const spans = onlineSpans(d);
    spans.since = d.hal.time.now();
    const body = publish('downlink/ds/x', 'y'.repeat(400));
    let i = 0;
    const conn = d.broker.conn!;
    const tick = () => {
      if (conn.state === 'open' && i < body.length - 1) conn.deliver(body.subarray(i, ++i));
      d.hal.time.set(tick, 1000);
    };
    tick();
    run(d, 3 * DEAD);
    expect(spans.spans.length).toBeGreaterThanOrEqual(1);
    const [from, to] = spans.spans[0]!;
    expect(to - from).toBeLessThanOrEqual(DEAD + 1000);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.KEEPALIVE_TIMEOUT);
  });

  test('a drain that finishes proves the link alive, and the connection stays up', () => {
    const d = makeDevice();
    bringOnline(d);
    const connects = d.client.counters.connects;
    d.broker.push('downlink/ds/big', 'x'.repeat(5000));
    d.broker.settle();
    run(d, 5 * K);
    expect(d.client.online).toBe(true);
    expect(d.client.counters.connects).toBe(connects);
    expect(d.client.counters.overflowDrops).toBe(1);
  });
});

describe('defect 5: stop(); start(); ends stopped (C-APP-2)', () => {
  test('stop() then start() while online ends online', () => {
    const d = makeDevice();
    bringOnline(d);
    d.client.stop();
    d.client.start();
    run(d, 30_000);
    expect(d.client.state).toBe('online');
  });

  test('start, stop during connect, start ends online', () => {
    const d = makeDevice({}, { latencyMs: 50 });
    d.client.start();
    d.hal.time.advance(10);
    d.hal.time.flush();
    expect(['connecting', 'handshake']).toContain(d.client.state);
    d.client.stop();
    d.client.start();
    run(d, 30_000);
    expect(d.client.state).toBe('online');
  });

  test('start() then stop() while closing ends stopped, and opens nothing more', () => {
    const d = makeDevice();
    bringOnline(d);
    d.client.stop();
    d.client.start();
    d.client.stop();
    const opened = d.hal.transport.connections.length;
    run(d, 120_000);
    expect(d.client.state).toBe('stopped');
    expect(d.hal.transport.connections.length).toBe(opened);
  });
});

describe('defect 10: lax acknowledgements are protocol errors', () => {
  test('CONNACK with Session Present = 1 and code 5 is a protocol error, not a 15-minute auth wait [MQTT-3.2.2-4]', () => {
    const d = makeDevice();
    d.broker.connackBytes = packet(0x20, [1, 5]);
    d.client.start();
    run(d, 5000);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.PROTOCOL);
    expect(d.states.map((s) => s.to)).not.toContain('auth-failed');
  });

  test('CONNACK 0 with Session Present = 1 on a clean session is refused [MQTT-3.2.2-1]', () => {
    const d = makeDevice();
    d.broker.connackBytes = connack(0, true);
    d.client.start();
    run(d, 5000);
    expect(d.states.map((s) => s.to)).not.toContain('online');
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.PROTOCOL);
  });

  test('a SUBACK for another packet id is a protocol error and no subscribed event', () => {
    const d = makeDevice();
    const subscribed: unknown[] = [];
    d.client.events.on('subscribed', (g) => subscribed.push(g));
    d.broker.subackFor = (id) => suback(id + 7, [0]);
    d.client.start();
    run(d, 5000);
    expect(subscribed).toEqual([]);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.PROTOCOL);
  });

  test('a SUBACK with the wrong number of codes is a protocol error', () => {
    const d = makeDevice();
    const subscribed: unknown[] = [];
    d.client.events.on('subscribed', (g) => subscribed.push(g));
    d.broker.subackFor = (id) => suback(id, [0, 0]);
    d.client.start();
    run(d, 5000);
    expect(subscribed).toEqual([]);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.PROTOCOL);
  });

  test('a PINGRESP before CONNACK is a protocol error (answer before asked)', () => {
    const d = makeDevice();
    d.broker.connackBytes = new Uint8Array([...pingresp(), ...connack(0)]);
    d.client.start();
    run(d, 5000);
    expect(d.states.map((s) => s.to)).not.toContain('online');
  });
});

describe('defect 13: two devices on one token (C-DUPLICATE)', () => {
  test('closes by the peer shortly after CONNACK 0, several in a row, are reported as DUPLICATE_TOKEN and backed off for minutes', () => {
    const d = makeDevice();
    d.broker.kickAfterMs = 2000; // the other device connects and the cloud drops this one
    const dup: unknown[] = [];
    d.client.events.on('duplicate' as never, (v: unknown) => dup.push(v));
    d.client.start();
    run(d, 10 * 60_000);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.DUPLICATE_TOKEN);
    expect(dup.length).toBeGreaterThanOrEqual(1);
    // In 10 minutes the device kicked the other one only a handful of times (not every few seconds).
    expect(d.client.counters.connects).toBeLessThanOrEqual(6);
  });

  test('one early close is not a duplicate: the ordinary backoff applies', () => {
    const d = makeDevice();
    bringOnline(d);
    d.broker.conn!.cut('closed');
    run(d, 30_000);
    expect(d.client.online).toBe(true);
    expect(d.errors.map((e) => e.code)).not.toContain(ErrorCode.DUPLICATE_TOKEN);
  });
});
