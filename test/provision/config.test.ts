// C-PROVISION: the checks on what config mode receives, the urlencoded parser, the AP name.
import fc from 'fast-check';
import { BlynkError, ErrorCode } from '../../src/errors';
import { accessPointName, uniquePart } from '../../src/provision/ap-name';
import { acceptConfig, isHostName, serverFor } from '../../src/provision/config';
import { parseForm, splitTarget } from '../../src/provision/query';
import { isWellFormedString } from '../../src/util/utf8';
import { TOKEN } from '../support/tokens';

const args = (o: Record<string, string>) => new Map(Object.entries(o));

describe('acceptConfig (C-PROVISION, /config arguments)', () => {
  test('a good configuration, with the Edgent defaults for host and port', () => {
    const a = acceptConfig(args({ ssid: 'Home', pass: 'secret123', blynk: TOKEN }));
    expect(a).toEqual({ config: { ssid: 'Home', pass: 'secret123', token: TOKEN, host: 'blynk.cloud', port: 443 }, save: false });
  });

  test('ssidManual wins over ssid; save=1 marks it for storing at once', () => {
    const a = acceptConfig(args({ ssid: 'Scanned', ssidManual: 'Typed', blynk: TOKEN, save: '1', host: 'fra1.blynk.cloud', port_ssl: '8443' }));
    expect(a).toMatchObject({ config: { ssid: 'Typed', host: 'fra1.blynk.cloud', port: 8443 }, save: true });
    expect(acceptConfig(args({ ssid: 'x', blynk: TOKEN, save: '0' }))).toMatchObject({ save: false });
  });

  test.each([
    [{ blynk: TOKEN }, 'ssid'],
    [{ ssid: '', blynk: TOKEN }, 'ssid'],
    [{ ssid: 'Home' }, 'token'],
    [{ ssid: 'Home', blynk: TOKEN.slice(1) }, '32 characters'],
    [{ ssid: 'Home', blynk: TOKEN + 'x' }, '32 characters'],
    [{ ssid: 'Home', blynk: TOKEN.slice(0, 31) + '!' }, '32 characters'],
    [{ ssid: 'x'.repeat(33), blynk: TOKEN }, 'longer than 32'],
    [{ ssid: 'é'.repeat(17), blynk: TOKEN }, 'longer than 32'], // 34 bytes, 17 characters
    [{ ssid: 'a\u0001b', blynk: TOKEN }, 'control'],
    [{ ssid: 'Home', pass: 'p'.repeat(64), blynk: TOKEN }, 'password'],
    [{ ssid: 'Home', pass: 'a\nb', blynk: TOKEN }, 'control'],
    [{ ssid: 'Home', blynk: TOKEN, host: 'not a host' }, 'host'],
    [{ ssid: 'Home', blynk: TOKEN, host: 'a..b' }, 'host'],
    [{ ssid: 'Home', blynk: TOKEN, host: '300.1.1.1' }, 'host'],
    [{ ssid: 'Home', blynk: TOKEN, host: 'ftp://blynk.cloud' }, 'URI'],
    [{ ssid: 'Home', blynk: TOKEN, host: 'h'.repeat(256) }, '255'],
    [{ ssid: 'Home', blynk: TOKEN, port_ssl: '0' }, 'port_ssl'],
    [{ ssid: 'Home', blynk: TOKEN, port_ssl: '65536' }, 'port_ssl'],
    [{ ssid: 'Home', blynk: TOKEN, port_ssl: '44x' }, 'port_ssl'],
  ])('%j is refused (%s)', (o, what) => {
    const a = acceptConfig(args(o as Record<string, string>));
    expect(a).toBeInstanceOf(BlynkError);
    expect((a as BlynkError).code).toBe(ErrorCode.PROVISION_INVALID);
    expect((a as BlynkError).message).toContain(what);
    expect((a as BlynkError).message).not.toContain(TOKEN);
  });

  test('a 64-digit hex WPA key is a valid password', () => {
    expect(acceptConfig(args({ ssid: 'Home', pass: 'ab'.repeat(32), blynk: TOKEN }))).not.toBeInstanceOf(BlynkError);
  });

  test('hosts: names, IPv4, and server URIs; the MQTT server for each', () => {
    expect(isHostName('blynk.cloud')).toBe(true);
    expect(isHostName('192.168.1.10')).toBe(true);
    expect(isHostName('-bad.example')).toBe(false);
    expect(isHostName('1.2.3')).toBe(false);
    expect(serverFor('fra1.blynk.cloud')).toBe('mqtts://fra1.blynk.cloud:8883');
    expect(serverFor('mqtt://127.0.0.1:1883')).toBe('mqtt://127.0.0.1:1883');
  });
});

describe('parseForm (urlencoded, strict)', () => {
  test('percent-escapes become UTF-8 text, + is a space, empty pairs are skipped', () => {
    const m = parseForm('ssid=Caf%C3%A9+Wi-Fi&&pass=a%26b%3Dc&flag');
    expect(m).toEqual(new Map([['ssid', 'Café Wi-Fi'], ['pass', 'a&b=c'], ['flag', '']]));
  });

  test.each([
    ['ssid=%C3', 'UTF-8'], // a cut sequence
    ['ssid=%ED%A0%80', 'UTF-8'], // a surrogate
    ['ssid=%C0%AF', 'UTF-8'], // overlong
    ['ssid=a%00b', 'NUL'],
    ['ssid=%G1', 'percent'],
    ['ssid=%4', 'percent'],
    ['ssid=a b', 'raw'],
    ['ssid=caf\u00e9', 'raw'],
    ['ssid=a&ssid=b', 'twice'],
    [Array.from({ length: 30 }, (_, i) => `a${i}=1`).join('&'), 'too many'],
  ])('%s is refused (%s)', (q, what) => {
    const m = parseForm(q);
    expect(m).toBeInstanceOf(BlynkError);
    expect((m as BlynkError).code).toBe(ErrorCode.PROVISION_REQUEST);
    expect((m as BlynkError).message).toContain(what);
  });

  test('property: any text, encoded as browsers do, comes back unchanged', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 8 }), (o) => {
        const clean = Object.entries(o).filter(([k, v]) => !(k + v).includes('\0') && isWellFormedString(k + v));
        const text = new URLSearchParams(clean).toString();
        expect(parseForm(text)).toEqual(new Map(clean));
      }),
      { seed: 1307 },
    );
  });

  test('property: random bytes never throw; the result is a map or a PROVISION_REQUEST error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const m = parseForm(s);
        expect(m instanceof Map || (m instanceof BlynkError && m.code === ErrorCode.PROVISION_REQUEST)).toBe(true);
      }),
      { seed: 1308 },
    );
  });

  test('splitTarget', () => {
    expect(splitTarget('/config?ssid=a')).toEqual({ path: '/config', query: 'ssid=a' });
    expect(splitTarget('config')).toBeInstanceOf(BlynkError);
  });
});

describe('the access point name (Edgent getWiFiName)', () => {
  test('prefix, template name, 4 characters from the MAC; cut to 31 characters', () => {
    const n = accessPointName('Thermostat', '24:0a:c4:12:34:56');
    expect(n).toMatch(/^Blynk Thermostat-[0W8N4Y1HP5DF9K6JM3C2UA7R]{4}$/);
    expect(accessPointName('Thermostat', '24:0a:c4:12:34:56')).toBe(n);
    expect(accessPointName('Thermostat', '24:0a:c4:12:34:57')).not.toBe(n);
    expect(accessPointName('A very long template name indeed', '24:0a:c4:12:34:56').length).toBeLessThanOrEqual(31);
    expect(accessPointName('T', '00:00:00:00:00:00', 'Acme')).toMatch(/^Acme T-/);
  });

  test('no character twice in a row', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
      const u = uniquePart(n);
      for (let i = 1; i < u.length; i++) expect(u[i]).not.toBe(u[i - 1]);
    }), { seed: 1309 });
    expect(uniquePart(0)).toBe('0W0W');
  });
});
