// A seeded property test of re-entrancy (C-APP-2, C-CONN-5): the application's listeners
// ('state', 'error', 'online', 'network') call start(), stop() and the uplink API at random
// moments, while the fake broker cuts, delays and refuses. Checked throughout: a transport is
// opened only while the last call was start(); never two transports; and once the calls stop,
// the device settles where the last call asked (online, or stopped with no transport).
// TEST_SEED reproduces a run; the failing seed is printed.
import { createMockHal } from '../../hal/mock';
import { BlynkDevice } from '../../src/blynk/device';
import { FakeBroker } from '../../tools/broker/fake-broker';
import { TOKEN } from '../support/tokens';
import { run } from './helpers';

const CASES = Number(process.env.TEST_CASES ?? 300);
const BASE = Number(process.env.TEST_SEED ?? 20261201);

function mulberry(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function runCase(seed: number, skip: readonly string[] = []): string[] {
  const rnd = mulberry(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const hal = createMockHal({ seed });
  const broker = new FakeBroker(hal);
  broker.latencyMs = pick([0, 5, 50, 300]);
  const device = new BlynkDevice({ hal, token: TOKEN, templateId: 'TMPL0001', logLevel: 'error', offline: 'keep-latest' });
  const v: string[] = [];
  let wanted = false;
  let budget = 12;
  let last = 'no listener call yet';
  const call = (op: 'start' | 'stop' | 'write') => {
    if (op === 'start') {
      wanted = true;
      device.start();
    } else if (op === 'stop') {
      wanted = false;
      device.stop();
    } else device.write('T', Math.floor(rnd() * 100));
  };
  const reenter = (where: string) => {
    if (budget <= 0 || rnd() < 0.6 || skip.includes(where)) return;
    budget--;
    const n = 1 + Math.floor(rnd() * 3);
    const ops: string[] = [];
    for (let i = 0; i < n; i++) {
      const op = pick(['start', 'stop', 'stop', 'write'] as const);
      ops.push(op);
      call(op);
    }
    last = `${ops.join('+')} in a '${where}' listener`;
  };
  const trace = process.env.TRACE_SEED === String(seed);
  if (trace) {
    device.on('state', (s) => console.log(`${hal.time.now()} state ${s.from} -> ${s.to}: ${s.reason} [open ${hal.transport.openCount}]`));
    device.on('error', (e) => console.log(`${hal.time.now()} error ${e.code} ${e.message}`));
  }
  device.on('state', (s) => reenter(`state ${s.to}`));
  device.on('error', () => reenter('error'));
  device.on('online', () => reenter('online'));
  device.on('network', () => reenter('network'));
  const onRecord = hal.transport.onRecord;
  hal.transport.onRecord = (c) => {
    onRecord?.(c);
    if (!wanted) v.push(`transport ${c.id} opened while the last call was stop() (last: ${last})`);
    if (trace) console.log(`${hal.time.now()} transport ${c.id} opens; open ${hal.transport.openCount}; states ${hal.transport.connections.map((x) => x.state).join(',')}`);
    if (hal.transport.openCount > 1) v.push(`transport ${c.id} opened while another is open or closing (last: ${last})`);
  };
  call('start');
  for (let step = 0; step < 25; step++) {
    const r = rnd();
    if (r < 0.15) broker.conn?.cut(pick(['closed', 'reset'] as const));
    else if (r < 0.25) hal.network.set(!hal.network.isUp());
    else if (r < 0.35) broker.refuse = rnd() < 0.5 ? 'refused' : null;
    else if (r < 0.5 && budget > 0) {
      budget--;
      call(pick(['start', 'stop'] as const));
    }
    const ms = pick([0, 1, 10, 60, 400, 3000, 20_000]);
    if (trace) console.log(`${hal.time.now()} step ${step} r=${r.toFixed(2)} then ${ms} ms`);
    run(hal, ms, ms <= 60 ? 1 : 50);
  }
  budget = 0;
  broker.refuse = null;
  hal.network.set(true);
  for (const c of hal.transport.connections) if (c.state === 'closing') c.finishClose();
  run(hal, 20 * 60_000, 5000);
  if (wanted && !device.online) v.push(`the last call was start(), but the device is ${device.state}`);
  if (device.online) {
    // Online must mean listening: a downlink pushed now arrives, and pings have gone out.
    const got: string[] = [];
    device.onAnyWrite((name) => void got.push(name));
    const pings = device.counters.pingsSent;
    if (broker.conn) broker.push('downlink/ds/probe', '1');
    run(hal, 2 * 45_000, 1000);
    if (got.length === 0) v.push(`online, but a downlink pushed at the end never arrived (online-and-deaf; last: ${last})`);
    if (device.counters.pingsSent === pings) v.push(`online for 90 s without a single PINGREQ (no keepalive; last: ${last})`);
  }
  if (!wanted && (device.state !== 'stopped' || hal.transport.openCount !== 0)) v.push(`the last call was stop(), but the device is ${device.state} with ${hal.transport.openCount} transports`);
  return v;
}

function survey(skip: readonly string[]): string[] {
  const failures: string[] = [];
  for (let i = 0; i < CASES; i++) {
    const seed = BASE + i;
    const v = runCase(seed, skip);
    if (v.length > 0) failures.push(`seed ${seed}: ${v.slice(0, 3).join('; ')}`);
  }
  if (failures.length > 0) console.log(`${failures.length} of ${CASES} cases failed${skip.length ? ` (no re-entry from ${skip.join(', ')})` : ''}, e.g.\n${failures.slice(0, 8).join('\n')}`);
  return failures;
}

test(`${CASES} seeded cases of listeners calling start()/stop() mid-transition keep C-APP-2 and C-CONN-5 (TEST_SEED=${BASE})`, () => {
  expect(survey([])).toEqual([]);
});

test(`the same ${CASES} cases without re-entry from 'connecting' listeners (the defect the first test mostly finds)`, () => {
  expect(survey(['state connecting'])).toEqual([]);
});
