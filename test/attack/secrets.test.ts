// Attack on C-SECRETS: a cloud that echoes the token back everywhere it can (redirect URIs, OTA
// URLs, diag text, unknown topics, error paths), and configurations that carry it. Checked: no
// event payload of any kind (not only errors), no log line and no flash record other than the
// configuration holds the token, in any letter case or percent-encoded.
import { MockStorage } from '../../hal/mock';
import { Emitter } from '../../src/util/emitter';
import { makeApiDevice, makeDevice, bringOnline } from '../support/device';
import { TOKEN } from '../support/tokens';
import { run } from './helpers';

const pct = (s: string) => Array.from(s, (c) => '%' + c.charCodeAt(0).toString(16)).join('');
const forms = [TOKEN, TOKEN.toLowerCase(), TOKEN.toUpperCase(), pct(TOKEN), encodeURIComponent(TOKEN).replace(/./, (c) => pct(c))];

function leaks(text: string): string[] {
  const low = text.toLowerCase();
  return forms.filter((f) => low.includes(f.toLowerCase()) || low.includes(TOKEN.slice(1).toLowerCase()));
}

/** Every event payload of every emitter while `fn` runs, as text. */
function allEvents(fn: () => void): string[] {
  const seen: string[] = [];
  const emit = Emitter.prototype.emit;
  Emitter.prototype.emit = function (this: Emitter<Record<string, unknown>>, event: string, value: unknown) {
    const text = JSON.stringify(value, (_k, v: unknown) => (v instanceof Error ? { message: v.message, ...(v as { detail?: object }).detail } : v)) ?? '';
    seen.push(`${event} ${text}`);
    return emit.call(this, event, value);
  } as typeof Emitter.prototype.emit;
  try {
    fn();
  } finally {
    Emitter.prototype.emit = emit;
  }
  return seen;
}

function flash(s: MockStorage): string {
  return Array.from(s.records.values(), (v) => Buffer.from(v).toString('latin1')).join('\n');
}

describe('C-SECRETS: a cloud that echoes the token', () => {
  test('held: redirects, OTA offers, diag and unknown topics carrying the token leave it in no event, log line or flash record', () => {
    const storage = new MockStorage();
    let logText = '';
    const events = allEvents(() => {
      const d = makeApiDevice({ server: 'wss://blynk.cloud:443/mqtt', logLevel: 'debug' });
      for (const uri of [
        `wss://fra1.blynk.cloud:443/${TOKEN}`,
        `wss://fra1.blynk.cloud:443/mqtt?t=${TOKEN.toUpperCase()}`,
        `wss://${TOKEN.toLowerCase()}.blynk.cloud/mqtt`,
        `mqtts://${TOKEN}:8883`,
        `wss://u:${TOKEN}@fra1.blynk.cloud/mqtt`,
      ]) {
        d.broker.push('downlink/redirect', uri);
        d.broker.settle();
      }
      for (const url of [`https://fra1.blynk.cloud/${TOKEN}/fw.bin`, `https://fra1.blynk.cloud/fw.bin?token=${TOKEN}`, `http://${TOKEN}.example/fw.bin`]) {
        d.hal.http!.serve(url, { status: 403 });
        d.broker.push('downlink/ota/json', JSON.stringify({ url, size: 100, ver: TOKEN, type: TOKEN }));
        d.broker.settle();
        run(d.hal, 2000);
      }
      d.broker.push('downlink/diag', `your token is ${TOKEN}`);
      d.broker.push(`downlink/${TOKEN}`, TOKEN);
      d.broker.push('downlink/utc/all/json', `{"tz_name":"${TOKEN}"`);
      d.broker.settle();
      run(d.hal, 5000);
      logText = d.hal.log.text();
      for (const [k, v] of d.hal.storage.records) storage.records.set(k, v);
    });
    expect(events.filter((e) => leaks(e).length > 0)).toEqual([]);
    expect(leaks(logText)).toEqual([]);
    expect(leaks(flash(storage))).toEqual([]);
  });

  test('a redirect with the token percent-encoded leaves it in no event, log line or flash record', () => {
    let d!: ReturnType<typeof makeDevice>;
    const events = allEvents(() => {
      d = makeDevice({ server: 'wss://blynk.cloud:443/mqtt' });
      bringOnline(d);
      d.broker.push('downlink/redirect', `wss://fra1.blynk.cloud:443/mqtt?t=${pct(TOKEN)}`);
      d.broker.settle();
      run(d.hal, 5000);
    });
    expect(events.filter((e) => leaks(e).length > 0)).toEqual([]);
    expect(leaks(d.hal.log.text())).toEqual([]);
    expect(leaks(flash(d.hal.storage))).toEqual([]);
  });

  test('an OTA URL with the token percent-encoded in its path: the ota event and the log do not carry it', () => {
    let d!: ReturnType<typeof makeApiDevice>;
    const events = allEvents(() => {
      d = makeApiDevice();
      const url = `https://fra1.blynk.cloud/${pct(TOKEN)}/fw.bin`;
      d.hal.http!.serve(url, { status: 403 });
      d.broker.push('downlink/ota/json', JSON.stringify({ url, size: 100 }));
      d.broker.settle();
      run(d.hal, 2000);
    });
    expect(events.filter((e) => e.startsWith('ota') && leaks(e).length > 0)).toEqual([]);
    expect(leaks(d.hal.log.text())).toEqual([]);
  });

  test('a configured server whose WebSocket path carries the token is a CONFIG error: it would be copied into every redirect record (C-SECRETS: only the configuration record may hold it)', () => {
    expect(() => makeDevice({ server: `wss://blynk.cloud:443/mqtt/${TOKEN}` })).toThrow(/must not contain the auth token/);
  });
});

describe('held: tokens of unusual shape', () => {
  for (const token of ['a.b*c+d?(x)[y]{z}|^$\\/1234', 'MiXeDcAsE-TokEN_42', 'åäö-ünïcødé-tøkën']) {
    test(`held: ${JSON.stringify(token)} connects, and appears in no log line or event in any letter case`, () => {
      const events = allEvents(() => {
        const d = makeDevice({ token, logLevel: 'debug', server: 'wss://blynk.cloud:443/mqtt' });
        bringOnline(d);
        d.broker.push('downlink/redirect', `wss://fra1.blynk.cloud:443/mqtt?${token.toUpperCase()}`);
        d.broker.push('downlink/diag', `echo ${token.toLowerCase()}`);
        d.broker.settle();
        run(d.hal, 3000);
        expect(d.client.online).toBe(true);
        const low = d.hal.log.text().toLowerCase();
        expect(low.includes(token.toLowerCase())).toBe(false);
      });
      expect(events.filter((e) => e.toLowerCase().includes(JSON.stringify(token.toLowerCase()).slice(1, -1)))).toEqual([]);
    });
  }
});
