// The policy tests, framework-free: each case is a function that throws on failure, so the same
// cases run in jest (test/session/policies.test.ts) and inside XS (the xs scenarios import
// them through the bundle). They cover the pure policies: reconnect (C-RECONNECT-1/2, C-CONN-4,
// C-DUPLICATE), redirect (C-REDIRECT-1..8) and OTA (C-OTA-1/2).
// The runtime comes through the XS test entry, so that the XS scenario bundle uses the bundled runtime.
import {
  BlynkError,
  checkOffer,
  DEFAULT_ALLOWED_HOSTS,
  DEFAULT_BACKOFF,
  DEFAULT_DUPLICATE,
  DEFAULT_OTA_RULES,
  downloadDeadlineMs,
  err,
  ErrorCode,
  parseEndpoint,
  RedirectPolicy,
  ReconnectPolicy,
  SeededRandom,
  windowMinimum,
} from '../../build/entries/xs-mock';
import type { RedirectRules } from '../../src/blynk/redirect-policy';
import type { Endpoint } from '../../src/session/endpoint';
import type { Loss } from '../../src/session/reconnect';

export type PolicyCase = [name: string, run: () => void];

function ok(cond: unknown, what: string): void {
  if (!cond) throw new Error(what);
}

const SEED = 20261126;
const lost = (now: number, more: Partial<Loss> = {}): Loss => ({ error: err(ErrorCode.CONNECTION_LOST, 'x'), networkUp: true, now, peerClosed: false, ...more });
const reconnect = (seed = SEED) =>
  new ReconnectPolicy(new SeededRandom(seed), { backoff: DEFAULT_BACKOFF, stableAfterMs: 60_000, authRetryMs: 900_000, duplicate: DEFAULT_DUPLICATE });
const ep = (uri: string): Endpoint => parseEndpoint(uri) as Endpoint;
const TOKEN = 'PolicyTok3nAbCdEfGhIjKlMnOpQrSt9';
const rules = (more: Partial<RedirectRules> = {}): RedirectRules => ({
  allowDowngrade: false,
  allowHosts: [...DEFAULT_ALLOWED_HOSTS, 'blynk.cloud'],
  maxInWindow: 3,
  windowMs: 60_000,
  fallbackAfter: 3,
  persist: true,
  ...more,
});

export const POLICY_CASES: PolicyCase[] = [
  [
    'C-RECONNECT-1 backoff: delays in [0, min(60 s, 1 s * 2^n)) over 500 seeded runs, and jitter reaches near each ceiling',
    () => {
      const maxSeen = new Array<number>(12).fill(0);
      for (let run = 0; run < 500; run++) {
        const p = reconnect(SEED + run);
        for (let n = 0; n < 12; n++) {
          const w = p.next(lost(n * 1000));
          ok(w.kind === 'backoff', `expected a backoff, got ${w.kind}`);
          if (w.kind !== 'backoff') return;
          const ceiling = Math.min(60_000, 1000 * 2 ** n);
          ok(w.ms >= 0 && w.ms < ceiling, `retry ${n}: ${w.ms} ms outside [0, ${ceiling})`);
          maxSeen[n] = Math.max(maxSeen[n]!, w.ms);
        }
      }
      maxSeen.forEach((m, n) => ok(m > 0.9 * Math.min(60_000, 1000 * 2 ** n), `retry ${n}: jitter never came near the ceiling (${m})`));
    },
  ],
  [
    'C-RECONNECT-1 backoff stays at the cap after thousands of failures (no overflow)',
    () => {
      const p = reconnect();
      for (let i = 0; i < 3000; i++) {
        const w = p.next(lost(i));
        ok(w.kind === 'backoff' && w.ms < 60_000, `failure ${i}: ${JSON.stringify(w)}`);
      }
      ok(p.ceiling() === 60_000, 'ceiling not at the cap');
    },
  ],
  [
    'C-RECONNECT-1 a connection up for the stable period resets the backoff; a shorter one does not',
    () => {
      const p = reconnect();
      for (let i = 0; i < 6; i++) p.next(lost(i));
      p.online(10_000);
      p.next(lost(20_000));
      ok(p.retries === 7, `retries ${p.retries} after a short connection`);
      p.online(30_000);
      p.next(lost(30_000 + 60_000));
      ok(p.retries === 1, `retries ${p.retries} after a stable connection (expected the reset, then one retry)`);
    },
  ],
  [
    'C-RECONNECT-2 network down: wait for it, no timer',
    () => {
      const w = reconnect().next(lost(0, { networkUp: false }));
      ok(w.kind === 'network', JSON.stringify(w));
    },
  ],
  [
    'C-CONN-4 CONNACK 4/5: the auth wait, not the backoff',
    () => {
      const w = reconnect().next(lost(0, { error: err(ErrorCode.AUTH_FAILED, 'x') }));
      ok(w.kind === 'auth' && w.ms === 900_000, JSON.stringify(w));
    },
  ],
  [
    'C-DUPLICATE three peer closes in a row before the stable period mean another device: minutes, doubling to the cap',
    () => {
      const p = reconnect();
      const waits: string[] = [];
      let now = 0;
      for (let i = 0; i < 8; i++) {
        p.online(now);
        now += 5000;
        const w = p.next(lost(now, { peerClosed: true }));
        waits.push(w.kind);
        if (i >= 2) {
          ok(w.kind === 'duplicate', `close ${i + 1}: ${JSON.stringify(w)}`);
          if (w.kind !== 'duplicate') return;
          const full = Math.min(30 * 60_000, 5 * 60_000 * 2 ** (i - 2));
          ok(w.ms >= full / 2 && w.ms < full, `close ${i + 1}: wait ${w.ms} outside [${full / 2}, ${full})`);
        }
        now += 1000;
      }
      ok(waits[0] === 'backoff' && waits[1] === 'backoff', `first two: ${waits.slice(0, 2)}`);
    },
  ],
  [
    'C-DUPLICATE an error close, or a stable connection, breaks the streak',
    () => {
      const p = reconnect();
      p.online(0);
      p.next(lost(1000, { peerClosed: true }));
      p.online(2000);
      p.next(lost(3000, { peerClosed: true }));
      p.online(4000);
      p.next(lost(5000, { peerClosed: false })); // a reset, not a kick
      p.online(6000);
      ok(p.next(lost(7000, { peerClosed: true })).kind === 'backoff', 'an error close did not reset the streak');
      p.online(8000);
      p.next(lost(9000, { peerClosed: true }));
      p.online(10_000);
      ok(p.next(lost(10_000 + 60_000, { peerClosed: true })).kind === 'backoff', 'a stable connection did not reset the streak');
    },
  ],
  [
    'C-REDIRECT-7 a stored record is used only under the server it was learned under, never less secure',
    () => {
      const p = new RedirectPolicy(rules(), ep('mqtts://blynk.cloud:8883'), TOKEN);
      ok(p.boot({ uri: 'mqtt://fra1.blynk.cloud:1883', server: 'mqtts://blynk.cloud:8883' }) !== null, 'a plain record under an mqtts server was used');
      ok(p.boot({ uri: 'mqtts://fra1.blynk.cloud:8883', server: 'mqtt://blynk.cloud:1883' }) !== null, 'a record from another server was used');
      ok(p.boot({ uri: 'mqtts://fra1.blynk.cloud:8883', server: 'mqtts://blynk.cloud:8883' }) === null, 'a good record was refused');
      ok(p.target().host === 'fra1.blynk.cloud', 'target is not the stored endpoint');
    },
  ],
  [
    'C-REDIRECT-8 hosts normalized (case, trailing dot); control characters and the token refused',
    () => {
      const p = new RedirectPolicy(rules(), ep('mqtts://fra1.blynk.cloud:8883'), TOKEN);
      const cur = ep('mqtts://fra1.blynk.cloud:8883');
      const same = p.decide('mqtts://FRA1.Blynk.Cloud.:8883', cur, 0);
      ok(!(same instanceof BlynkError) && 'same' in same, `trailing dot: ${JSON.stringify(same)}`);
      for (const bad of ['wss://lon1.blynk.cloud/mq\u0000tt', 'wss://lon1.blynk.cloud/a\u0007', 'mqtts://lon1.blynk.cloud\t:8883']) {
        const d = p.decide(bad, cur, 0);
        ok(d instanceof BlynkError && d.code === ErrorCode.REDIRECT_INVALID, `${JSON.stringify(bad)}: ${JSON.stringify(d)}`);
      }
      const t = p.decide(`mqtts://${TOKEN.toLowerCase()}.blynk.cloud:8883`, cur, 0);
      ok(t instanceof BlynkError && t.code === ErrorCode.REDIRECT_REJECTED && t.message.toLowerCase().indexOf(TOKEN.toLowerCase()) < 0, 'token in the host');
    },
  ],
  [
    'C-REDIRECT-2/5 downgrade, foreign host and the loop guard',
    () => {
      const p = new RedirectPolicy(rules(), ep('mqtts://blynk.cloud:8883'), TOKEN);
      const cur = ep('mqtts://blynk.cloud:8883');
      const down = p.decide('mqtt://fra1.blynk.cloud:1883', cur, 0);
      ok(down instanceof BlynkError && down.code === ErrorCode.REDIRECT_REJECTED, 'downgrade followed');
      const foreign = p.decide('mqtts://evil.example:8883', cur, 0);
      ok(foreign instanceof BlynkError && foreign.code === ErrorCode.REDIRECT_REJECTED, 'foreign host followed');
      for (let i = 0; i < 3; i++) {
        const d = p.decide(`mqtts://r${i}.blynk.cloud:8883`, cur, i);
        ok(!(d instanceof BlynkError) && 'follow' in d, `redirect ${i} refused`);
        if (!(d instanceof BlynkError) && 'follow' in d) p.followed(d.follow, i);
      }
      const loop = p.decide('mqtts://r9.blynk.cloud:8883', cur, 10);
      ok(loop instanceof BlynkError && loop.code === ErrorCode.REDIRECT_LOOP, 'a 4th redirect within a minute was followed');
    },
  ],
  [
    'C-REDIRECT-4 three failures in a row at the redirected endpoint fall back; auth failures do not count',
    () => {
      const p = new RedirectPolicy(rules(), ep('mqtts://blynk.cloud:8883'), TOKEN);
      p.boot({ uri: 'mqtts://fra1.blynk.cloud:8883', server: 'mqtts://blynk.cloud:8883' });
      const r = p.target();
      ok(p.attemptEnded(r, false, err(ErrorCode.AUTH_FAILED, 'x')) === null, 'auth counted');
      ok(p.attemptEnded(r, false, err(ErrorCode.CONNECT_FAILED, 'x')) === null, '1');
      ok(p.attemptEnded(r, false, err(ErrorCode.CONNECT_FAILED, 'x')) === null, '2');
      const f = p.attemptEnded(r, false, err(ErrorCode.CONNECT_FAILED, 'x'));
      ok(f !== null && f.to === 'mqtts://blynk.cloud:8883', `no fallback: ${JSON.stringify(f)}`);
      ok(p.target().host === 'blynk.cloud', 'still on the redirected endpoint');
    },
  ],
  [
    'C-OTA-2 over TLS: http:// and foreign hosts refused unless allowed; type and size checked',
    () => {
      const facts = { firmwareType: 'T', capacity: 1000, secure: true, allowHosts: [...DEFAULT_ALLOWED_HOSTS] };
      const offer = (url: string, more = {}) => ({ url, size: 100, ...more });
      ok(checkOffer(offer('https://fra1.blynk.cloud/x'), facts, DEFAULT_OTA_RULES) === null, 'good offer refused');
      ok(checkOffer(offer('http://fra1.blynk.cloud/x'), facts, DEFAULT_OTA_RULES)?.code === ErrorCode.OTA_REJECTED, 'http accepted');
      ok(checkOffer(offer('https://evil.example/x'), facts, DEFAULT_OTA_RULES)?.code === ErrorCode.OTA_REJECTED, 'foreign host accepted');
      ok(checkOffer(offer('http://evil.example/x'), facts, { ...DEFAULT_OTA_RULES, allowInsecure: true, allowAnyHost: true }) === null, 'explicit allow ignored');
      ok(checkOffer(offer('http://evil.example/x'), { ...facts, secure: false }, DEFAULT_OTA_RULES) === null, 'plain MQTT: http refused');
      ok(checkOffer(offer('https://fra1.blynk.cloud/x', { type: 'U' }), facts, DEFAULT_OTA_RULES)?.code === ErrorCode.OTA_REJECTED, 'wrong type accepted');
      ok(checkOffer(offer('https://fra1.blynk.cloud/x', { size: 1001 }), facts, DEFAULT_OTA_RULES)?.code === ErrorCode.OTA_REJECTED, 'too large accepted');
    },
  ],
  [
    'C-OTA-2 the deadline grows with the image at the minimum rate; a window needs a quarter of it',
    () => {
      ok(downloadDeadlineMs(1_500_000, DEFAULT_OTA_RULES) === 120_000 + Math.ceil((1_500_000 / 1024) * 1000), 'deadline formula');
      ok(windowMinimum(DEFAULT_OTA_RULES) === 15_360, `window minimum ${windowMinimum(DEFAULT_OTA_RULES)}`);
    },
  ],
];
