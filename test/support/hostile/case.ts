// One generated case of the hostile-cloud property test: a device (BlynkDevice on the mock HAL,
// virtual time) against HostileMockCloud, driven by a list of generated actions (broker
// behaviour, network, application calls), with the invariants checked after every step. The
// result is the list of invariant violations (empty: the case passed).
// The runtime comes through the XS test entry, so that inside XS the bundled runtime runs these cases.
import { BlynkDevice, BlynkError, createMockHal, MockStorage, SeededRandom } from '../../../build/entries/xs-mock';
import type { MockHal } from '../../../hal/mock';
import { publish } from '../../../tools/broker/server-codec';
import { TOKEN } from '../tokens';
import { HostileMockCloud, type ConnackMode, type SubackMode } from './mock-cloud';

export const K_MS = 45_000;
const TICK = 1000;
const AUTH_RETRY = 15 * 60_000;
const SERVERS = ['mqtts://blynk.cloud:8883', 'mqtt://blynk.cloud:1883', 'wss://blynk.cloud:443/mqtt', 'mqtt://127.0.0.1:1883'] as const;

const REDIRECTS = (tok: string): string[] => [
  'mqtts://fra1.blynk.cloud:8883',
  'mqtt://fra1.blynk.cloud:1883',
  'mqtts://FRA1.blynk.cloud.:8883',
  `mqtts://${tok.toLowerCase()}.blynk.cloud:8883`,
  `wss://lon1.blynk.cloud:443/${tok}`,
  'wss://lon1.blynk.cloud/mq\u0000tt',
  'wss://ny3.blynk.cloud:443/mqtt',
  'mqtts://evil.example:8883',
  'not a uri',
];

export type Action =
  | { k: 'time'; ms: number }
  | { k: 'connack'; mode: ConnackMode }
  | { k: 'suback'; mode: SubackMode }
  | { k: 'pings'; on: boolean }
  | { k: 'split'; max: number }
  | { k: 'refuse'; on: boolean }
  | { k: 'push'; what: 'ds' | 'bom' | 'ping' | 'diag' | 'unknown' | 'meta' | 'dup'; n: number }
  | { k: 'redirect'; i: number }
  | { k: 'ota'; url: 'good' | 'http' | 'foreign' | 'slow' | 'token'; size: number }
  | { k: 'garbage'; bytes: number[] }
  | { k: 'overdeclare' }
  | { k: 'oversize'; size: number }
  | { k: 'partial'; n: number }
  | { k: 'trickle'; everyMs: number }
  | { k: 'cut'; how: 'closed' | 'reset' }
  | { k: 'early' }
  | { k: 'network'; up: boolean }
  | { k: 'app'; op: 'start' | 'stop' | 'write' | 'batch-null' | 'batch-bad' | 'on-write-bad' | 'throw' | 'reject' | 'ota-async-false' | 'ota-weird' | 'ota-async-true' };

export interface Case {
  server: number;
  /** Firmware that ran before on the same flash, with another (or the same) server, and followed a redirect. */
  before: number | null;
  actions: Action[];
}

// The generator: seeded, with no dependency on fast-check, so the same cases are made in jest
// and inside XS. A case is the seed: `randomCase(seed)` rebuilds it exactly.
type Pick = SeededRandom;
const one = <T>(r: Pick, xs: readonly T[]): T => r.pick(xs);
const ACTIONS: [weight: number, make: (r: Pick) => Action][] = [
  [6, (r) => ({ k: 'time', ms: r.next() < 0.5 ? r.int(0, 2000) : r.int(2000, 120_000) })],
  [1, (r) => ({ k: 'connack', mode: one<ConnackMode>(r, ['ok', 'ok', 'auth', 'refuse', 'session-present', 'sp-auth', 'garbage', 'silent', 'ping-first']) })],
  [1, (r) => ({ k: 'suback', mode: one<SubackMode>(r, ['ok', 'ok', 'wrong-id', 'wrong-count', 'refused', 'silent']) })],
  [1, (r) => ({ k: 'pings', on: r.next() < 0.5 })],
  [1, (r) => ({ k: 'split', max: one(r, [0, 0, 1, 3, 50]) })],
  [1, (r) => ({ k: 'refuse', on: r.next() < 0.5 })],
  [3, (r) => ({ k: 'push', what: one(r, ['ds', 'bom', 'ping', 'diag', 'unknown', 'meta', 'dup'] as const), n: r.int(0, 1000) })],
  [1, (r) => ({ k: 'redirect', i: r.int(0, REDIRECTS('x').length - 1) })],
  [1, (r) => ({ k: 'ota', url: one(r, ['good', 'http', 'foreign', 'slow', 'token'] as const), size: r.int(100, 200_000) })],
  [1, (r) => ({ k: 'garbage', bytes: Array.from({ length: r.int(1, 12) }, () => r.int(0, 255)) })],
  [1, () => ({ k: 'overdeclare' })],
  [1, (r) => ({ k: 'oversize', size: r.int(1100, 9000) })],
  [1, (r) => ({ k: 'partial', n: r.int(1, 30) })],
  [1, (r) => ({ k: 'trickle', everyMs: one(r, [500, 1000, 20_000, 44_000]) })],
  [1, (r) => ({ k: 'cut', how: one(r, ['closed', 'reset'] as const) })],
  [1, () => ({ k: 'early' })],
  [1, (r) => ({ k: 'network', up: r.next() < 0.5 })],
  [3, (r) => ({ k: 'app', op: one(r, ['start', 'start', 'stop', 'write', 'batch-null', 'batch-bad', 'on-write-bad', 'throw', 'reject', 'ota-async-false', 'ota-weird', 'ota-async-true'] as const) })],
];
const TOTAL = ACTIONS.reduce((n, [w]) => n + w, 0);

function randomAction(r: Pick): Action {
  let x = r.next() * TOTAL;
  for (const [w, make] of ACTIONS) {
    if ((x -= w) < 0) return make(r);
  }
  return ACTIONS[0]![1](r);
}

/** The case for `seed`: the configured server, maybe firmware that ran before, and 1 to 40 actions. */
export function randomCase(seed: number): Case {
  const r = new SeededRandom(seed);
  const server = r.int(0, SERVERS.length - 1);
  const before = r.next() < 1 / 3 ? r.int(0, SERVERS.length - 1) : null;
  const actions = Array.from({ length: r.int(1, 40) }, () => randomAction(r));
  return { server, before, actions };
}

const isSecure = (uri: string): boolean => /^(mqtts|wss|https):/i.test(uri);
const hostOf = (uri: string): string => uri.replace(/^[a-z]+:\/\//i, '').replace(/[:/?#].*$/, '').toLowerCase();
const allowed = (host: string, server: string): boolean => host === 'blynk.cloud' || host.endsWith('.blynk.cloud') || host === hostOf(server);

/** Boot a device on `server` on the given flash, let it follow a redirect, then throw it away. */
function runBefore(storage: MockStorage, server: string): void {
  const hal = createMockHal({ storage, seed: 99 });
  const cloud = new HostileMockCloud(hal, () => 0.5);
  const device = new BlynkDevice({ hal, token: TOKEN, templateId: 'TMPL0001', server, logLevel: 'error' });
  device.start();
  for (let i = 0; i < 200 && !device.online; i++) hal.time.step();
  const scheme = server.slice(0, server.indexOf(':'));
  cloud.push('downlink/redirect', scheme.startsWith('ws') ? `${scheme}://fra1.blynk.cloud/mqtt` : `${scheme}://fra1.blynk.cloud`);
  for (let i = 0; i < 200; i++) hal.time.step();
  device.stop();
  for (let i = 0; i < 50; i++) hal.time.step();
}

export interface CaseHost {
  /** Let the application's promises run (setImmediate on Node; a few promise turns inside XS). */
  settle(): Promise<void>;
  /** Start counting rejections nobody handled; returns the function that stops and reports them. */
  watchUnhandled?(): () => unknown[];
}

export async function runCase(c: Case, seed: number, host: CaseHost, opts: { all?: boolean } = {}): Promise<string[]> {
  const settle = () => host.settle();
  const found: string[] = [];
  // `v` is what stops the case: the first violation, unless a survey wants them all.
  const v: string[] = opts.all ? [] : found;
  const fail = (what: string) => {
    if (found.length < 50 && !found.some((f) => f.slice(0, 24) === what.slice(0, 24))) found.push(what);
  };
  const storage = new MockStorage();
  const server = SERVERS[c.server]!;
  if (c.before !== null) runBefore(storage, SERVERS[c.before]!);
  const hal: MockHal = createMockHal({ storage, seed });
  const rng = new SeededRandom(seed);
  const rand = () => rng.next();
  const cloud = new HostileMockCloud(hal, rand);
  const tokenLower = TOKEN.toLowerCase();
  const leaks = (s: string) => s.toLowerCase().indexOf(tokenLower) >= 0;
  hal.log.onLine = (_l, m) => leaks(m) && fail(`I5 token in a log line: ${m.slice(0, 80)}`);
  hal.log.limit = 50;
  let device: BlynkDevice;
  try {
    device = new BlynkDevice({ hal, token: TOKEN, templateId: 'TMPL0001', server, logLevel: 'debug', ota: { stallTimeoutMs: 30_000 } });
  } catch (e) {
    return [`construct threw: ${String(e)}`];
  }
  // ---- observation ----
  let onlineSince: number | undefined;
  let subscribedOnConn = 0;
  let authAt: number | undefined;
  let callsAtAuth = 0;
  let appCalls = 0;
  let lastApp = 'start' as 'start' | 'stop';
  let opensWhenStopped = 0;
  const pushed = new Set<string>();
  const declinedOffers = new Set<string>();
  // Offers pushed but maybe not yet delivered (the cloud's latency): the handler in place when
  // one arrives decides it, so a handler change re-marks them.
  const undelivered: { n: string; at: number }[] = [];
  const setOtaMode = (m: typeof otaMode) => {
    otaMode = m;
    for (const u of undelivered) {
      if (hal.time.now() >= u.at + cloud.latencyMs) continue; // it arrived: decided by the handler it met
      if (m === 'async-false' || m === 'weird') declinedOffers.add(u.n);
      else declinedOffers.delete(u.n);
    }
  };
  let otaMode: 'accept' | 'async-false' | 'weird' | 'async-true' = 'accept';
  let offerN = 0;
  const serializer = (_k: string, x: unknown) => (x instanceof Error ? { message: x.message, ...(x as object) } : x);
  for (const ev of ['state', 'error', 'online', 'redirect', 'fallback', 'network', 'subscribed', 'ota', 'ping', 'duplicate'] as const) {
    device.on(ev as 'state', (val: unknown) => {
      let text = '';
      try {
        text = JSON.stringify(val, serializer) ?? '';
      } catch {
        text = String(val);
      }
      if (leaks(text)) fail(`I5 token in a '${ev}' event: ${text.slice(0, 120)}`);
    });
  }
  device.on('state', (s) => {
    const now = hal.time.now();
    const rec = cloud.record(hal.transport.last);
    if (s.to === 'online') {
      onlineSince = now;
      subscribedOnConn = 0;
      if (!rec?.acceptableConnack) fail(`I8 online without an acceptable CONNACK (${s.reason})`);
    } else if (s.from === 'online') onlineSince = undefined;
    // A refusal starts the auth wait; entering auth-failed again without one (an attempt due while
    // the wait runs, after the runtime's own pause) is that same wait going on.
    if (s.to === 'auth-failed' && s.error) {
      if (!rec?.authRefusal) fail(`I8 auth-failed without a CONNACK 4/5 (${s.reason})`);
      authAt = now;
      callsAtAuth = appCalls;
    }
    if (s.to === 'connecting' && authAt !== undefined) {
      // (an explicit stop() and start() by the application may reconnect sooner: the last call wins)
      if (now - authAt < AUTH_RETRY - TICK && appCalls === callsAtAuth) fail(`I3 auth retry after ${now - authAt} ms`);
      authAt = undefined;
    }
    // Full jitter within the n-th ceiling: [0, min(60 s, 1 s * 2^(n-1))) (C-RECONNECT-1).
    const m = /retry in (\d+) ms \(retry (\d+)\)/.exec(s.reason);
    if (s.to === 'backoff' && m) {
      const ceiling = Math.min(60_000, 1000 * 2 ** (Number(m[2]) - 1));
      if (Number(m[1]) >= ceiling) fail(`I3 backoff of ${m[1]} ms at retry ${m[2]}, over its ceiling ${ceiling}`);
    }
  });
  device.on('subscribed', () => {
    subscribedOnConn++;
    const rec = cloud.record(hal.transport.last);
    if (!rec || rec.matchingSubacks < subscribedOnConn) fail('I8 subscribed without a matching SUBACK');
  });
  device.onAnyWrite((name, value) => {
    // Only the writes this cloud made whole: partial and trickled packets may legitimately merge
    // with what follows them into some other name.
    if (!/^(N\d|\uFEFF?B\d+)$/.test(name)) return;
    if (!pushed.has(`${name}\u0001${value}`)) fail(`I10 a write arrived changed: ${JSON.stringify([name, value])}`);
  });
  const opens0 = hal.transport.onRecord;
  hal.transport.onRecord = (conn) => {
    opens0?.(conn);
    if (lastApp === 'stop') opensWhenStopped++;
  };
  const unhandled: unknown[] = [];
  const check = () => {
    const now = hal.time.now();
    if (device.online && onlineSince !== undefined) {
      const rec = cloud.record(hal.transport.last);
      const proof = Math.max(onlineSince, rec?.lastWhole ?? -Infinity);
      if (now - proof > 1.5 * K_MS + TICK) fail(`I1 online ${now - proof} ms without a whole packet`);
    }
    if (hal.transport.openCount > 1) fail(`I2 ${hal.transport.openCount} transports at once`);
    if (opensWhenStopped > 0) fail('I7 a transport opened after stop()');
    if (isSecure(server)) {
      const stored = device.storedEndpoint;
      if (stored && !isSecure(stored)) fail(`I6 stored endpoint ${stored} is less secure than ${server}`);
      const ep = device.endpoint;
      if (ep && !isSecure(ep)) fail(`I6 endpoint in use ${ep} is less secure than ${server}`);
    }
    for (const [k, rec] of hal.storage.records) if (leaks(latin1(rec))) fail(`I5 token in flash record ${k}`);
    const st = device.storedEndpoint;
    if (st && (st !== st.toLowerCase().replace(/\.(?=:|$)/, '') || /[\u0000-\u001f\u007f]/.test(st))) fail(`I11 stored endpoint not normalized: ${JSON.stringify(st)}`);
    for (const url of hal.http?.requests ?? []) {
      if (isSecure(server) && (!/^https:/i.test(url) || !allowed(hostOf(url), server))) fail(`I9 OTA download from ${url.slice(0, 60)} while MQTT is on TLS`);
      const n = /[?&]n=(\d+)/.exec(url)?.[1];
      if (n && declinedOffers.has(n)) fail(`I9 a declined offer was downloaded (${otaMode})`);
    }
  };
  const app = (fn: () => unknown) => {
    try {
      const out = fn();
      if (out && typeof (out as Promise<unknown>).then === 'function') (out as Promise<unknown>).then(undefined, (e) => unhandled.push(e));
    } catch (e) {
      fail(`I4 an API call threw: ${String(e)}`);
    }
  };
  const advance = (ms: number) => {
    const end = hal.time.now() + ms;
    while (hal.time.now() < end) {
      const due = hal.time.nextDue();
      if (due === undefined || due > end) {
        hal.time.advanceTo(end);
        check();
        break;
      }
      hal.time.step();
      check();
      if (v.length) return;
    }
  };
  const red = REDIRECTS(TOKEN);
  const okBody = new Uint8Array(3000).fill(7);
  const act = (a: Action) => {
    switch (a.k) {
      case 'time':
        return advance(a.ms);
      case 'connack':
        cloud.connackMode = a.mode;
        return;
      case 'suback':
        cloud.subackMode = a.mode;
        return;
      case 'pings':
        cloud.answerPings = a.on;
        return;
      case 'split':
        cloud.splitMax = a.max;
        return;
      case 'refuse':
        cloud.refuse = a.on;
        return;
      case 'push': {
        if (a.what === 'ds' || a.what === 'bom' || a.what === 'dup') {
          const name = a.what === 'bom' ? `\uFEFFB${a.n}` : `N${a.n % 4}`;
          const value = a.what === 'bom' ? `\uFEFF${a.n}` : `v\u00e9${a.n}`;
          pushed.add(`${name}\u0001${value}`);
          const p = publish(`downlink/ds/${name}`, value, a.n % 2, 1 + (a.n % 100));
          cloud.send(p);
          if (a.what === 'dup') cloud.send(p);
        } else if (a.what === 'ping') cloud.send(publish('downlink/ping', '', 1, 1 + a.n));
        else if (a.what === 'diag') cloud.push('downlink/diag', `diag ${a.n}`);
        else if (a.what === 'meta') cloud.push(`downlink/meta/m${a.n}`, 'x');
        else cloud.push(`downlink/new/${a.n}`, 'x');
        return;
      }
      case 'redirect':
        cloud.push('downlink/redirect', red[a.i]!);
        return;
      case 'ota': {
        const n = String(++offerN);
        const base =
          a.url === 'http' ? 'http://fra1.blynk.cloud/fw.bin' : a.url === 'foreign' ? 'https://evil.example/fw.bin' : a.url === 'slow' ? 'https://fra1.blynk.cloud/slow.bin' : 'https://fra1.blynk.cloud/fw.bin';
        const url = `${base}?n=${n}${a.url === 'token' ? `&t=${TOKEN}` : ''}`;
        const body = a.url === 'slow' ? new Uint8Array(a.size) : okBody;
        hal.http?.serve(url, a.url === 'slow' ? { body, chunkSize: 1, intervalMs: 29_000 } : { body });
        if (otaMode === 'async-false' || otaMode === 'weird') declinedOffers.add(n);
        undelivered.push({ n, at: hal.time.now() });
        cloud.push('downlink/ota/json', JSON.stringify({ url, size: body.length, ver: `2.0.${n}` }));
        return;
      }
      case 'garbage':
        cloud.send(Uint8Array.from(a.bytes));
        return;
      case 'overdeclare':
        cloud.send(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0x7f, 0, 3, 0x61, 0x2f, 0x62));
        return;
      case 'oversize':
        cloud.send(publish('downlink/ds/big', 'x'.repeat(a.size)));
        return;
      case 'partial':
        cloud.partial(publish('downlink/ds/p', 'y'.repeat(40)), a.n);
        return;
      case 'trickle':
        cloud.trickle(publish('downlink/ds/t', 'z'.repeat(300)), a.everyMs);
        return;
      case 'cut':
        cloud.cut(a.how);
        return;
      case 'early':
        cloud.send(Uint8Array.of(0xd0, 0x00, 0x90, 0x03, 0x00, 0x01, 0x00));
        return;
      case 'network':
        hal.network.set(a.up);
        return;
      case 'app':
        switch (a.op) {
          case 'start':
          case 'stop':
            appCalls++;
            lastApp = a.op;
            return app(() => (a.op === 'start' ? device.start() : device.stop()));
          case 'write':
            return app(() => device.write('Temp', 21.5));
          case 'batch-null':
            return app(() => device.writeBatch(null as never));
          case 'batch-bad':
            return app(() => device.writeBatch({ A: [1, undefined] as never }));
          case 'on-write-bad':
            return app(() => device.onWrite('N3', 42 as never));
          case 'throw':
            return app(() =>
              device.onWrite('N1', () => {
                throw new Error('handler threw');
              }),
            );
          case 'reject':
            return app(() =>
              device.onWrite('N2', async () => {
                throw new Error('handler rejected');
              }),
            );
          case 'ota-async-false':
            setOtaMode('async-false');
            return app(() => device.onOta((async () => false) as never));
          case 'ota-async-true':
            setOtaMode('async-true');
            return app(() => device.onOta((async () => true) as never));
          case 'ota-weird':
            setOtaMode('weird');
            return app(() => device.onOta((() => 'yes') as never));
        }
    }
  };
  const stopWatching = host.watchUnhandled?.();
  try {
    app(() => device.start());
    for (const a of c.actions) {
      act(a);
      await settle(); // let the application's promises run (async handlers, onOta)
      check();
      if (v.length) return v;
    }
    // Liveness: the cloud behaves again. The application's last call decides where it ends.
    cloud.connackMode = 'ok';
    cloud.subackMode = 'ok';
    cloud.answerPings = true;
    cloud.refuse = false;
    cloud.splitMax = 0;
    hal.network.set(true);
    const reboots = hal.device.reboots;
    for (let i = 0; i < 240 && !(lastApp === 'start' && device.online); i++) {
      advance(30_000);
      await settle();
      if (v.length) return v;
    }
    if (hal.device.reboots === reboots && hal.device.reboots === 0) {
      if (lastApp === 'start' && !device.online) fail(`L1 not online 2 h after the cloud recovered (state ${device.state})`);
      if (lastApp === 'stop' && device.state !== 'stopped') fail(`L2 not stopped after the last call stop() (state ${device.state})`);
    }
    await settle();
  } finally {
    if (stopWatching) unhandled.push(...stopWatching());
    try {
      (device as unknown as { dispose?: () => void }).dispose?.();
    } catch {
      // a dispose that throws is checked elsewhere
    }
  }
  if (unhandled.length) fail(`I4 ${unhandled.length} rejection(s) escaped: ${String(unhandled[0])}`);
  return found;
}

/** Bytes as latin1 text (no Buffer inside XS). */
function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

export function isBlynkError(x: unknown): x is BlynkError {
  return x instanceof BlynkError;
}
