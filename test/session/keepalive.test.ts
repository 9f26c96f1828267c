import { ErrorCode } from '../../src/errors';
import { bringOnline, makeDevice, type TestDevice } from '../support/device';

function pingTimes(d: TestDevice, since: number): number[] {
  return d.broker.received.filter((r) => r.packet.type === 'pingreq' && r.at >= since).map((r) => r.at - since);
}

describe('C-KEEPALIVE-1 on the fake clock (keepalive 45 s)', () => {
  test('idle link: PINGREQ every 45 s, answered, stays up', () => {
    const d = makeDevice();
    bringOnline(d);
    const t0 = d.hal.time.now();
    d.hal.time.advance(10 * 45_000 + 1);
    expect(pingTimes(d, t0)).toEqual([45, 90, 135, 180, 225, 270, 315, 360, 405, 450].map((s) => s * 1000));
    expect(d.client.online).toBe(true);
    expect(d.client.counters.pingsAnswered).toBe(10);
  });

  test('publish-only link: still pings when nothing was RECEIVED for 45 s', () => {
    const d = makeDevice();
    bringOnline(d);
    const t0 = d.hal.time.now();
    for (let i = 1; i <= 20; i++) {
      d.hal.time.advance(10_000);
      expect(d.client.publish('ds/Temperature', String(20 + i / 10))).toBeNull();
    }
    // Sending every 10 s never lets "nothing sent for 45 s" happen; the receive side does.
    expect(pingTimes(d, t0)).toEqual([45_000, 90_000, 135_000, 180_000]);
    expect(d.client.online).toBe(true);
  });

  test('receive-only link: pings when nothing was SENT for 45 s', () => {
    const d = makeDevice();
    bringOnline(d);
    const t0 = d.hal.time.now();
    for (let i = 1; i <= 20; i++) {
      d.hal.time.advance(10_000);
      d.broker.push('downlink/ds/Power', String(i % 2));
      d.hal.time.flush();
    }
    expect(pingTimes(d, t0)).toEqual([45_000, 90_000, 135_000, 180_000]);
    expect(d.client.online).toBe(true);
  });

  test('a ping answer is not needed while data flows both ways', () => {
    const d = makeDevice();
    bringOnline(d);
    d.broker.answerPings = false;
    const t0 = d.hal.time.now();
    for (let i = 1; i <= 30; i++) {
      d.hal.time.advance(10_000);
      d.client.publish('ds/Temperature', '21');
      d.broker.push('downlink/ds/Power', '1');
      d.hal.time.flush();
    }
    expect(pingTimes(d, t0)).toEqual([]);
    expect(d.client.online).toBe(true);
  });

  test('dead link: nothing received for 1.5 x keepalive closes and reconnects', () => {
    const d = makeDevice();
    bringOnline(d);
    d.broker.blackHole = true; // accepts bytes, answers nothing
    const t0 = d.hal.time.now();
    d.hal.time.advance(67_499);
    expect(d.client.online).toBe(true);
    expect(pingTimes(d, t0)).toEqual([45_000]);
    d.hal.time.advance(1);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.KEEPALIVE_TIMEOUT);
    expect(d.client.online).toBe(false);
    d.broker.blackHole = false;
    d.hal.time.advance(2000);
    expect(d.client.online).toBe(true);
    expect(d.hal.transport.connections).toHaveLength(2);
    expect(d.hal.transport.maxConcurrent).toBe(1);
  });

  test('dead link while the device keeps publishing is detected all the same', () => {
    const d = makeDevice();
    bringOnline(d);
    d.broker.blackHole = true;
    const t0 = d.hal.time.now();
    let lostAt = -1;
    for (let i = 1; i <= 10 && lostAt < 0; i++) {
      d.hal.time.advance(7_500);
      if (!d.client.online) lostAt = d.hal.time.now() - t0;
      else d.client.publish('ds/Temperature', '21');
    }
    expect(lostAt).toBe(67_500);
  });

  test('the keepalive is configurable and the 1.5 x rule follows it', () => {
    const d = makeDevice({ keepalive: 10 });
    bringOnline(d);
    d.broker.blackHole = true;
    const t0 = d.hal.time.now();
    d.hal.time.advance(14_999);
    expect(d.client.online).toBe(true);
    d.hal.time.advance(1);
    expect(d.client.online).toBe(false);
    expect(pingTimes(d, t0)).toEqual([10_000]);
  });
});
