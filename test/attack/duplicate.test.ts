// Attack on the duplicate-token back-off (C-DUPLICATE, src/session/reconnect.ts): another device
// on the token kicking this one off at random moments, by a clean close or by a TCP reset (what
// a load balancer or a TLS terminator in front of the cloud may send instead of a FIN).
import type { TransportFailure } from '../../hal/interfaces';
import { ErrorCode } from '../../src/errors';
import { makeDevice, type TestDevice } from '../support/device';
import { run } from './helpers';

/** The other device: every connection of ours is closed `how` at a random moment 0.5–50 s after CONNACK 0. */
function otherDevice(d: TestDevice, how: TransportFailure, seed = 7): void {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  d.client.events.on('online', () => {
    const c = d.hal.transport.last!;
    d.hal.time.set(() => c.cut(how), 500 + Math.floor(rnd() * 49_500));
  });
}

/** Connections opened in the last `ms`. */
function recentOpens(d: TestDevice, since: number): number {
  return d.hal.journal.filter((j) => j.startsWith('transport.open')).length - since;
}

describe('C-DUPLICATE with jitter', () => {
  test('held: kicked by clean closes at random moments: recognized, and the device backs off for minutes', () => {
    const d = makeDevice({}, { latencyMs: 20 });
    otherDevice(d, 'closed');
    const dups: unknown[] = [];
    d.client.events.on('duplicate', (x) => dups.push(x));
    d.client.start();
    run(d.hal, 10 * 60_000, 500);
    expect(dups.length).toBeGreaterThanOrEqual(1);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.DUPLICATE_TOKEN);
    const before = recentOpens(d, 0);
    run(d.hal, 60 * 60_000, 1000);
    // once recognized, at most one attempt per 2.5 minutes (the jittered floor of the 5 min wait)
    expect(recentOpens(d, before)).toBeLessThanOrEqual(24);
  });

  test('kicked by TCP resets at random moments: still recognized (the peer ended it, shortly after CONNACK 0, again and again)', () => {
    const d = makeDevice({}, { latencyMs: 20 });
    otherDevice(d, 'reset');
    const dups: unknown[] = [];
    d.client.events.on('duplicate', (x) => dups.push(x));
    d.client.start();
    run(d.hal, 30 * 60_000, 500);
    // With 'reset' the policy counts no early close at all: the two devices swap every few
    // seconds to a minute forever, and only CONNECTION_LOST is reported.
    expect(dups.length).toBeGreaterThanOrEqual(1);
  });
});
