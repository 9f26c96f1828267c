import { ErrorCode } from '../../src/errors';
import { bringOnline, makeDevice } from '../support/device';

const SEED = Number(process.env.TEST_SEED ?? 7);

/** Gaps between attempts (from one attempt's failure to the next open), with the retry index. */
function attemptGaps(seed: number, attempts: number): number[] {
  const d = makeDevice({}, { seed });
  d.broker.refuse = 'refused';
  const opens: number[] = [];
  const journal = d.hal.transport.onRecord;
  d.hal.transport.onRecord = (c) => {
    journal?.(c);
    opens.push(d.hal.time.now());
  };
  d.client.start();
  d.hal.time.flush();
  while (d.hal.transport.connections.length < attempts) d.hal.time.step();
  return opens.slice(1).map((t, i) => t - opens[i]!);
}

describe('C-RECONNECT-1 backoff on the session', () => {
  test(`retry delays stay within [0, min(60 s, 1 s * 2^n)] over 200 seeded runs (from seed ${SEED})`, () => {
    const maxSeen = new Array<number>(10).fill(0);
    for (let s = 0; s < 200; s++) {
      const gaps = attemptGaps(SEED + s, 11);
      gaps.forEach((g, n) => {
        const ceiling = Math.min(60_000, 1000 * 2 ** n);
        expect(g).toBeGreaterThanOrEqual(0);
        expect(g).toBeLessThanOrEqual(ceiling);
        maxSeen[n] = Math.max(maxSeen[n]!, g);
      });
    }
    // Jitter is real: over 200 runs each step's largest delay comes close to its ceiling.
    maxSeen.forEach((m, n) => expect(m).toBeGreaterThan(0.9 * Math.min(60_000, 1000 * 2 ** n)));
  });

  test('different seeds give different schedules (jitter, not a fixed delay)', () => {
    expect(attemptGaps(SEED, 6)).not.toEqual(attemptGaps(SEED + 1, 6));
  });

  function failThenConnect(upForMs: number): number {
    const d = makeDevice({}, { seed: SEED });
    d.broker.refuse = 'refused';
    d.client.start();
    while (d.hal.transport.connections.length < 7) d.hal.time.step();
    d.broker.refuse = null;
    while (!d.client.online) d.hal.time.step();
    d.hal.time.advance(upForMs);
    d.broker.conn!.cut('reset');
    return d.client['session'].retries; // retries counted since the backoff last reset
  }

  test('the backoff resets after a connection stayed up for 60 s', () => {
    expect(failThenConnect(61_000)).toBe(1);
    expect(failThenConnect(59_000)).toBeGreaterThan(6);
  });
});

describe('C-RECONNECT-2 the network is down', () => {
  test('no attempts while the network is down; attempts resume when it is back', () => {
    const d = makeDevice();
    bringOnline(d);
    d.hal.network.set(false);
    d.hal.time.flush();
    expect(d.client.state).toBe('waiting-network');
    expect(d.hal.transport.openCount).toBe(0);
    d.hal.time.advance(3600_000);
    expect(d.hal.transport.connections).toHaveLength(1);
    d.hal.network.set(true);
    d.hal.time.flush();
    expect(d.client.online).toBe(true);
    expect(d.hal.transport.connections).toHaveLength(2);
  });

  test('starting with the network down waits for it', () => {
    const d = makeDevice({}, { networkUp: false });
    d.client.start();
    d.hal.time.advance(60_000);
    expect(d.client.state).toBe('waiting-network');
    expect(d.hal.transport.connections).toHaveLength(0);
    d.hal.network.set(true);
    d.hal.time.flush();
    expect(d.client.online).toBe(true);
  });

  test('the network going down during backoff cancels the pending attempt', () => {
    const d = makeDevice();
    d.broker.refuse = 'refused';
    d.client.start();
    d.hal.time.flush();
    expect(d.client.state).toBe('backoff');
    d.hal.network.set(false);
    d.hal.time.advance(600_000);
    expect(d.hal.transport.connections).toHaveLength(1);
    d.broker.refuse = null;
    d.hal.network.set(true);
    d.hal.time.flush();
    expect(d.client.online).toBe(true);
  });
});

describe('C-CONN-5 never two connections', () => {
  test('a slow close holds the next attempt until the old transport is gone', () => {
    const d = makeDevice();
    bringOnline(d);
    const first = d.broker.conn!;
    first.holdClose = true;
    d.broker.send(Uint8Array.of(0xf0, 0)); // a packet type a client must not receive
    d.hal.time.flush();
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.BAD_TYPE);
    expect(d.client.state).toBe('closing');
    d.hal.time.advance(4000);
    expect(d.hal.transport.connections).toHaveLength(1);
    first.finishClose();
    d.hal.time.advance(2000);
    expect(d.client.online).toBe(true);
    expect(d.hal.transport.connections).toHaveLength(2);
    expect(d.hal.transport.maxConcurrent).toBe(1);
  });

  test('stop() twice, or while closing, is harmless', () => {
    const d = makeDevice();
    bringOnline(d);
    d.client.stop();
    d.client.stop();
    d.hal.time.flush();
    d.client.stop();
    expect(d.client.state).toBe('stopped');
    expect(d.errors).toEqual([]);
    d.client.start();
    d.hal.time.advance(100);
    expect(d.client.online).toBe(true);
  });

  test('stop() sends DISCONNECT, closes, and nothing reconnects', () => {
    const d = makeDevice();
    bringOnline(d);
    d.client.stop();
    d.hal.time.advance(600_000);
    expect(d.broker.packets('disconnect')).toHaveLength(1);
    expect(d.client.state).toBe('stopped');
    expect(d.hal.transport.connections).toHaveLength(1);
    expect(d.hal.transport.openCount).toBe(0);
  });
});
