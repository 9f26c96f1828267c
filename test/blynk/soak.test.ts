// A seeded soak on the fake clock: 30 simulated days of random faults — cuts, stalls, garbage,
// redirects (good and bad), flash faults and reboots, network flaps, broker refusals — with the
// invariants checked after every step. SOAK_SEED=n reproduces a run; SOAK_DAYS shortens it.
import { MockStorage, SeededRandom } from '../../hal/mock';
import { EndpointStore } from '../../src/blynk/endpoint-store';
import { ErrorCode, type BlynkError } from '../../src/errors';
import { makeDevice, type TestDevice } from '../support/device';
import { publish } from '../../tools/broker/server-codec';

const SEED = Number(process.env.SOAK_SEED ?? 20261126);
const DAYS = Number(process.env.SOAK_DAYS ?? 30);
const DAY = 24 * 3600_000;
const CAP = 60_000;

const GOOD_REDIRECTS = ['mqtts://fra1.blynk.cloud:8883', 'mqtts://lon1.blynk.cloud:8883', 'wss://ny3.blynk.cloud:443/mqtt', 'mqtts://blynk.cloud:8883'];
const BAD_REDIRECTS = ['mqtt://fra1.blynk.cloud:1883', 'mqtts://evil.example:8883', 'garbage', 'mqtts://sgp1.blynk.cloud:0'];

interface Run {
  d: TestDevice;
  rnd: SeededRandom;
  storage: MockStorage;
  steps: number;
  reboots: number;
  redirects: number;
  faults: Record<string, number>;
  onlineMs: number;
  /** Time from which nothing stands in the way of being online (network up, broker healthy). */
  healthySince: number;
  /** An auth refusal happened: the device may wait out the 15-minute retry. */
  authWaitUntil: number;
  errors: BlynkError[];
  problems: string[];
}

function boot(run: Run, startTime: number): void {
  run.storage.powerOn();
  const d = makeDevice({}, { seed: run.rnd.int(1, 1e9), storage: run.storage, latencyMs: run.rnd.int(0, 300) });
  d.hal.time.advanceTo(startTime);
  run.d = d;
  d.client.events.on('error', (e) => run.errors.push(e));
  d.client.events.on('redirect', (r) => {
    run.redirects++;
    const stored = new EndpointStore(run.storage).get()?.uri;
    if (r.persisted && stored !== r.to) run.problems.push(`redirect to ${r.to} reported persisted but flash holds ${stored}`);
    const last = run.storage.writes[run.storage.writes.length - 1];
    if (!r.persisted && last?.ok !== false) run.problems.push(`redirect to ${r.to} not persisted without a flash fault`);
  });
  d.client.events.on('state', (s) => {
    const m = /retry in (\d+) ms/.exec(s.reason);
    if (m && Number(m[1]) > CAP) run.problems.push(`backoff ${m[1]} ms over the cap`);
  });
  d.client.start();
}

function check(run: Run): void {
  const { d } = run;
  const t = d.hal.transport;
  if (t.openCount > 1 || t.maxConcurrent > 1) run.problems.push(`two transports at once (${t.maxConcurrent})`);
  // (The fixed receive ring is checked after every framer call by the framer fuzz test.)
  const internal = run.errors.filter((e) => e.code === ErrorCode.INTERNAL || e.code === ErrorCode.HANDLER_FAILED);
  if (internal.length > 0) run.problems.push(`unexpected: ${internal[0]!.message}`);
  const now = d.hal.time.now();
  // Liveness: healthy for longer than the backoff cap plus a connect, the device is online.
  const due = Math.max(run.healthySince + CAP + 5_000, run.authWaitUntil);
  if (now > due && !d.client.online && d.hal.network.isUp()) {
    run.problems.push(`offline at ${now} though healthy since ${run.healthySince} (state ${d.client.state})`);
  }
}

function fault(run: Run): void {
  const { d, rnd } = run;
  const b = d.broker;
  const now = d.hal.time.now();
  const kind = rnd.pick(['cut', 'cut', 'stall', 'garbage', 'redirect', 'redirect', 'badRedirect', 'flash', 'network', 'refuse', 'connack', 'auth', 'oversize', 'traffic', 'traffic', 'traffic']);
  run.faults[kind] = (run.faults[kind] ?? 0) + 1;
  const conn = b.conn;
  const sick = (ms: number) => (run.healthySince = Math.max(run.healthySince, now + ms));
  switch (kind) {
    case 'cut':
      conn?.cut(rnd.pick(['reset', 'closed'] as const));
      sick(0);
      break;
    case 'stall': {
      const ms = rnd.int(1000, 120_000);
      b.blackHole = true;
      d.hal.time.set(() => (b.blackHole = false), ms);
      sick(ms + 45_000 * 1.5);
      break;
    }
    case 'garbage':
      if (conn) b.send(Uint8Array.from({ length: rnd.int(1, 40) }, () => rnd.int(0, 255)));
      sick(0);
      break;
    case 'redirect':
      if (conn) b.push('downlink/redirect', rnd.pick(GOOD_REDIRECTS));
      break;
    case 'badRedirect':
      if (conn) b.push('downlink/redirect', rnd.pick(BAD_REDIRECTS));
      break;
    case 'flash':
      if (rnd.next() < 0.5) {
        run.storage.failNext = 1;
        if (conn) b.push('downlink/redirect', rnd.pick(GOOD_REDIRECTS.slice(0, 3)));
      } else {
        // A power cut in the middle of a flash write, then the device boots again.
        run.storage.tearNext = true;
        if (conn) b.push('downlink/redirect', rnd.pick(GOOD_REDIRECTS.slice(0, 3)));
        d.hal.time.flush();
        if (run.storage.poweredOff) {
          run.reboots++;
          boot(run, now + rnd.int(100, 5000));
          run.healthySince = run.d.hal.time.now();
        }
      }
      break;
    case 'network': {
      const ms = rnd.int(100, 600_000);
      d.hal.network.set(false);
      d.hal.time.set(() => d.hal.network.set(true), ms);
      sick(ms);
      break;
    }
    case 'refuse': {
      const ms = rnd.int(1000, 300_000);
      b.refuse = rnd.pick(['refused', 'tls', 'dns', 'reset'] as const);
      d.hal.time.set(() => (b.refuse = null), ms);
      sick(ms);
      conn?.cut();
      break;
    }
    case 'connack': {
      const ms = rnd.int(1000, 300_000);
      b.connackCode = rnd.int(1, 3);
      d.hal.time.set(() => (b.connackCode = 0), ms);
      sick(ms);
      conn?.cut();
      break;
    }
    case 'auth': {
      b.connackCode = 5;
      d.hal.time.set(() => (b.connackCode = 0), 1000);
      conn?.cut();
      run.authWaitUntil = now + 15 * 60_000 + CAP + 10_000;
      break;
    }
    case 'oversize':
      if (conn) b.send(publish('downlink/ds/Terminal', 'x'.repeat(rnd.int(1100, 5000)), rnd.int(0, 1), 9));
      break;
    case 'traffic':
      if (d.client.online) d.client.publish('ds/Temperature', (15 + rnd.next() * 10).toFixed(1));
      if (conn) b.push(rnd.pick(['downlink/ds/Power', 'downlink/ping']), '1', rnd.pick([0, 1]), rnd.int(1, 65535));
      break;
  }
}

test(`C-RECONNECT/C-REDIRECT/C-LIMITS soak: ${DAYS} simulated days of random faults (SOAK_SEED=${SEED})`, () => {
  const rnd = new SeededRandom(SEED);
  const run: Run = {
    d: undefined as unknown as TestDevice,
    rnd,
    storage: new MockStorage(),
    steps: 0,
    reboots: 0,
    redirects: 0,
    faults: {},
    onlineMs: 0,
    healthySince: 0,
    authWaitUntil: 0,
    errors: [],
    problems: [],
  };
  boot(run, 0);
  const end = DAYS * DAY;
  try {
    while (run.d.hal.time.now() < end && run.problems.length === 0) {
      const dt = rnd.int(1000, 20 * 60_000);
      const online = run.d.client.online;
      run.d.hal.time.advance(dt);
      if (online && run.d.client.online) run.onlineMs += dt;
      check(run);
      fault(run);
      run.d.hal.time.flush();
      check(run);
      run.steps++;
    }
  } catch (e) {
    run.problems.push(`exception: ${String(e)}`);
  }
  const summary = {
    seed: SEED,
    steps: run.steps,
    reboots: run.reboots,
    redirects: run.redirects,
    connects: run.d.client.counters.connects,
    onlineShare: Number((run.onlineMs / run.d.hal.time.now()).toFixed(3)),
    faults: run.faults,
  };
  if (run.problems.length > 0) {
    throw new Error(`soak failed (reproduce with SOAK_SEED=${SEED}): ${run.problems.slice(0, 5).join('; ')}\n${JSON.stringify(summary)}`);
  }
  expect(run.steps).toBeGreaterThan(1000);
  expect(run.redirects).toBeGreaterThan(10);
  expect(run.d.hal.time.now()).toBeGreaterThanOrEqual(end);
});
