// Attack on C-SECRETS and C-APP-1 after BlynkClient's emit(), report() and the session's events
// were merged into one deliver(event, value, clean?) and `sessionEvent` became a field holding
// it (issue 14): every path must still mask the token for the observer (BlynkDevice) and the
// listeners alike, in any case and percent-encoded; a throwing observer or listener must not
// stop the others or reach the caller.
import { BlynkError, ErrorCode, err } from '../../src/errors';
import { Emitter } from '../../src/util/emitter';
import { maskToken } from '../../src/util/secrets';
import { makeApiDevice, makeDevice, bringOnline } from '../support/device';
import { TOKEN } from '../support/tokens';

const pct = (s: string) => Array.from(s, (c) => '%' + c.charCodeAt(0).toString(16)).join('');
const decodeOnce = (s: string) => s.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
const text = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (x instanceof Error ? { message: x.message, detail: (x as BlynkError).detail } : x)) ?? '';
const shows = (s: string) => s.toLowerCase().includes(TOKEN.toLowerCase()) || decodeOnce(s).toLowerCase().includes(TOKEN.toLowerCase());
/** The token in every form at once: plain, upper case and percent-encoded. */
const ALL = `a ${TOKEN} b ${TOKEN.toUpperCase()} c ${pct(TOKEN)}`;

function watch(d: ReturnType<typeof makeDevice>) {
  const seen: string[] = [];
  d.client.observer = { clientEvent: (event, value) => seen.push(`observer ${event} ${text(value)}`) };
  for (const ev of ['state', 'error', 'online', 'redirect', 'fallback', 'network', 'subscribed', 'duplicate'] as const) {
    d.client.events.on(ev, (v: unknown) => void seen.push(`listener ${ev} ${text(v)}`));
  }
  return seen;
}

describe('C-SECRETS: every way out of BlynkClient.deliver (attack5)', () => {
  test('the session\'s events (hooks.sessionEvent) are scrubbed for the observer and the listeners', () => {
    const d = makeDevice();
    const seen = watch(d);
    const e = new BlynkError(ErrorCode.CONNECTION_LOST, ALL, { why: ALL.toLowerCase() });
    d.client.sessionEvent('state', { from: 'idle', to: 'connecting', reason: ALL, error: e });
    d.client.sessionEvent('error', e);
    d.client.sessionEvent('duplicate', { closes: 3, waitMs: 1000 });
    d.client.sessionEvent('network', false);
    d.client.sessionEvent('subscribed', [0, 0x80]);
    expect(seen.filter((l) => l.startsWith('observer')).length).toBe(5);
    expect(seen.filter((l) => l.startsWith('listener')).length).toBe(5);
    for (const l of seen) expect(shows(l)).toBe(false);
    expect(seen.join('\n')).toContain(maskToken(TOKEN));
    expect(seen).toContain('listener subscribed [0,128]');
    expect(seen).toContain('listener network false');
  });

  test('emit() scrubs, nested and frozen payloads too; the caller\'s object is not changed', () => {
    const d = makeDevice();
    const seen = watch(d);
    const payload = Object.freeze({ from: Object.freeze([ALL]) as unknown as string, to: ALL, persisted: true });
    d.client.emit('redirect', payload);
    expect(seen.length).toBe(2);
    for (const l of seen) expect(shows(l)).toBe(false);
    expect(payload.to).toBe(ALL);
  });

  test('report(): the error returned, logged, observed and listened to is one scrubbed object', () => {
    const d = makeDevice();
    const got: unknown[] = [];
    d.client.observer = { clientEvent: (_e, v) => void got.push(v) };
    d.client.events.on('error', (v) => void got.push(v));
    const r = d.client.report(err(ErrorCode.BAD_VALUE, ALL, { url: `https://x/${pct(TOKEN)}?t=${TOKEN}`, n: 2 }), 'error');
    expect(shows(r.message)).toBe(false);
    expect(shows(String(r.detail?.url))).toBe(false);
    expect(r.detail?.n).toBe(2);
    expect(got).toEqual([r, r]);
    expect(got[0]).toBe(r);
    expect(got[1]).toBe(r);
    for (const l of d.hal.log.lines) expect(shows(l.message)).toBe(false);
    expect(d.hal.log.lines.some((l) => l.level === 'error' && l.message.includes('BAD_VALUE'))).toBe(true);
  });

  test('a throwing observer is logged (scrubbed) and the listeners still get the event; a throwing listener does not stop the next', () => {
    const d = makeDevice();
    const got: string[] = [];
    d.client.observer = {
      clientEvent: () => {
        throw new Error(`observer broke on ${TOKEN.toLowerCase()}`);
      },
    };
    d.client.events.on('network', () => {
      throw new Error(`listener broke on ${pct(TOKEN)}`);
    });
    d.client.events.on('network', (v) => void got.push(`second ${String(v)}`));
    expect(() => d.client.sessionEvent('network', true)).not.toThrow();
    expect(() => d.client.emit('network', false)).not.toThrow();
    expect(got).toEqual(['second true', 'second false']);
    const log = d.hal.log.lines.map((l) => l.message);
    expect(log.filter((m) => m.includes("the 'network' observer failed")).length).toBe(2);
    expect(log.filter((m) => m.includes("a 'network' listener failed")).length).toBe(2);
    for (const m of log) expect(shows(m)).toBe(false);
  });

  test('the session calls sessionEvent on the client: a state change reaches BlynkDevice\'s listeners once each, in order', () => {
    const { device, hal } = makeApiDevice({}, { online: false });
    const states: string[] = [];
    device.on('state', (s) => void states.push(`${s.from}>${s.to}`));
    device.start();
    for (let i = 0; i < 50 && !device.online; i++) hal.time.step();
    expect(device.online).toBe(true);
    expect(states[0]).toBe('idle>connecting');
    expect(states[states.length - 1]).toMatch(/>online$/);
    expect(new Set(states).size).toBe(states.length);
  });

  test('a hostile cloud: a redirect whose URI holds the token plain and percent-encoded leaves it in no event and no log line', () => {
    const seen: string[] = [];
    const emit = Emitter.prototype.emit;
    Emitter.prototype.emit = function (this: Emitter<Record<string, unknown>>, event: string, value: unknown) {
      seen.push(`${event} ${text(value)}`);
      return emit.call(this, event, value);
    } as typeof Emitter.prototype.emit;
    try {
      const d = makeDevice({ server: 'mqtts://blynk.cloud:8883' });
      bringOnline(d);
      d.broker.push('downlink/redirect', `mqtts://fra1.blynk.cloud:8883/${TOKEN}/${pct(TOKEN)}`);
      d.broker.settle();
      d.broker.push('downlink/redirect', `mqtts://${TOKEN.toLowerCase()}.x/${pct(TOKEN.toUpperCase())}`);
      d.broker.settle();
      for (let i = 0; i < 20; i++) d.hal.time.step();
      for (const l of d.hal.log.lines) expect(shows(l.message)).toBe(false);
    } finally {
      Emitter.prototype.emit = emit;
    }
    expect(seen.length).toBeGreaterThan(3);
    for (const l of seen) expect(shows(l)).toBe(false);
  });
});
