// Connection scenarios, run inside XS on the mock HAL: the session a device opens (CONNECT
// fields, the pipelined SUBSCRIBE and info/mcu), the keepalive, and the reconnect backoff.
import { ErrorCode, utf8Decode } from '../../../build/entries/xs-mock';
import { TOKEN } from '../../support/tokens';
import { between, equal, includes, ok } from './assert';
import { asciiHex, bringOnline, errorCodes, hex, makeDevice } from './device';

const u16 = (n: number): string => n.toString(16).padStart(4, '0');

export function happyPath(): void {
  const d = makeDevice({ firmware: { version: '1.2.3', build: 'Nov 26 2026 10:00:00', type: 'HeaterFW' } }, { latencyMs: 100 });
  d.client.start();
  d.hal.time.advance(100); // transport accepted, CONNECT sent
  equal(d.broker.packets().map((p) => p.type), ['connect'], 'packets after the transport opened');
  const body = '0004' + asciiHex('MQTT') + '04' + 'c2' + u16(45) + '0000' + u16(6) + asciiHex('device') + u16(TOKEN.length) + asciiHex(TOKEN);
  equal(hex(d.hal.transport.connections[0]!.written[0]!), '10' + (body.length / 2).toString(16).padStart(2, '0') + body, 'CONNECT bytes');
  d.hal.time.advance(100); // CONNACK delivered
  ok(d.client.online, `online after CONNACK (state ${d.client.state})`);
  const recv = d.broker.received;
  equal(recv.map((r) => r.packet.type), ['connect', 'subscribe', 'publish'], 'packets after CONNACK');
  equal([recv[1]!.at, recv[2]!.at], [200, 200], 'SUBSCRIBE and info/mcu sent at once, before the SUBACK');
  equal(hex(d.hal.transport.connections[0]!.written[1]!), '820f0001000a' + asciiHex('downlink/#') + '00', 'SUBSCRIBE bytes');
  const pub = d.broker.packets('publish')[0]!;
  equal([pub.topic, pub.qos, pub.retain], ['info/mcu', 0, false], 'info/mcu publish');
  equal(
    utf8Decode(pub.payload),
    '{"tmpl":"TMPL0001","ver":"1.2.3","build":"Nov 26 2026 10:00:00","type":"HeaterFW","rxbuff":1024}',
    'info/mcu payload',
  );
}

function pingTimes(d: ReturnType<typeof makeDevice>, since: number): number[] {
  return d.broker.received.filter((r) => r.packet.type === 'pingreq' && r.at >= since).map((r) => r.at - since);
}

export function keepalive(): void {
  const d = makeDevice();
  bringOnline(d);
  let t0 = d.hal.time.now();
  d.hal.time.advance(4 * 45_000); // the 4th PINGRESP arrives at the end of this
  equal(pingTimes(d, t0), [45_000, 90_000, 135_000, 180_000], 'PINGREQ times on an idle link');
  equal(d.client.counters.pingsAnswered, 4, 'pings answered');
  d.broker.blackHole = true; // takes bytes, answers nothing
  t0 = d.hal.time.now();
  d.hal.time.advance(67_499);
  ok(d.client.online, 'still online just before 1.5 x keepalive');
  d.hal.time.advance(1);
  includes(errorCodes(d), ErrorCode.KEEPALIVE_TIMEOUT, 'errors at 1.5 x keepalive');
  ok(!d.client.online, 'offline at 1.5 x keepalive');
  d.broker.blackHole = false;
  d.hal.time.advance(2000);
  ok(d.client.online, 'reconnected');
  equal(d.hal.transport.maxConcurrent, 1, 'transports open at once');
}

/** Gaps between attempts when every attempt is refused. */
function attemptGaps(seed: number, attempts: number): number[] {
  const d = makeDevice({}, { seed });
  d.broker.refuse = 'refused';
  const at: number[] = [];
  const record = d.hal.transport.onRecord;
  d.hal.transport.onRecord = (c) => {
    record?.(c);
    at.push(d.hal.time.now());
  };
  d.client.start();
  d.hal.time.flush();
  while (d.hal.transport.connections.length < attempts) d.hal.time.step();
  return at.slice(1).map((t, i) => t - at[i]!);
}

export function reconnectBackoff(): void {
  const maxSeen = new Array<number>(8).fill(0);
  for (let seed = 1; seed <= 60; seed++) {
    attemptGaps(seed, 9).forEach((g, n) => {
      between(g, 0, Math.min(60_000, 1000 * 2 ** n), `seed ${seed}, retry ${n}`);
      maxSeen[n] = Math.max(maxSeen[n]!, g);
    });
  }
  // Full jitter: over the runs, each step's largest delay comes near its ceiling.
  maxSeen.forEach((m, n) => ok(m > 0.8 * Math.min(60_000, 1000 * 2 ** n), `retry ${n}: largest delay ${m} is far below its ceiling`));
  const d = makeDevice();
  d.broker.refuse = 'refused';
  d.client.start();
  d.hal.time.flush();
  equal(d.client.state, 'backoff', 'state after a refused attempt');
  ok(d.client.counters.failedAttempts === 1, 'one failed attempt counted');
}
