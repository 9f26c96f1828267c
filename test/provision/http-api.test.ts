// C-PROVISION, hostile input: seeded random requests at config mode's HTTP API never throw,
// always get exactly one answer with a known status, and only a well-formed configuration ever
// reaches `apply` (nothing else could be stored).
import fc from 'fast-check';
import type { HttpServerResponse } from '../../hal/interfaces';
import { acceptConfig, type AcceptedConfig } from '../../src/provision/config';
import { handleRequest, scanResult, type ConfigModeActions } from '../../src/provision/http-api';
import { parseForm } from '../../src/provision/query';
import { TOKEN } from '../support/tokens';

function actions(): ConfigModeActions & { applied: AcceptedConfig[]; resets: number; reboots: number } {
  const a = {
    applied: [] as AcceptedConfig[],
    resets: 0,
    reboots: 0,
    boardInfo: () => ({ board: 'B', tmpl_id: 'T', fw_type: 'T', fw_ver: '1', ssid: 'AP', bssid: '', mac: '', last_error: 0, wifi_scan: true, static_ip: false }),
    scan: (done: (n: []) => void) => done([]),
    apply: (x: AcceptedConfig) => (a.applied.push(x), 'ok' as const),
    reset: () => (a.resets++, true),
    reboot: () => void a.reboots++,
    page: new Uint8Array([60, 104, 62]),
  };
  return a;
}

const STATUSES = [200, 400, 404, 405, 409, 415, 500, 501];
const piece = fc.oneof(
  fc.constantFrom('ssid=Home', `blynk=${TOKEN}`, 'pass=x', 'host=blynk.cloud', 'save=1', 'ssidManual=', '&', '=', '%', '%zz', '%C3', '%00', '+', '#', '?', 'ssid=a%20b', 'port_ssl=443'),
  fc.string({ maxLength: 12 }),
);

test('property: random requests never throw, get one known answer, and only valid configurations are applied', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'get', ''),
      fc.constantFrom('/', '/config', '/board_info.json', '/wifi_scan.json', '/reset', '/reboot', '/update', '/x', '', 'config', '//config'),
      fc.array(piece, { maxLength: 8 }),
      fc.uint8Array({ maxLength: 64 }),
      fc.constantFrom(undefined, 'application/x-www-form-urlencoded', 'text/plain'),
      (method, path, parts, body, contentType) => {
        const a = actions();
        const answers: HttpServerResponse[] = [];
        const query = parts.join('');
        expect(() => handleRequest(a, { method, target: `${path}?${query}`, contentType, body }, (r) => answers.push(r))).not.toThrow();
        expect(answers).toHaveLength(1);
        const r = answers[0]!;
        expect(STATUSES).toContain(r.status);
        if (r.contentType === 'application/json') expect(() => JSON.parse(new TextDecoder().decode(r.body))).not.toThrow();
        for (const x of a.applied) {
          // What was applied is exactly what the strict checks accept.
          const again = acceptConfig(new Map([['ssid', x.config.ssid], ['pass', x.config.pass], ['blynk', x.config.token], ['host', x.config.host], ['port_ssl', String(x.config.port)]]));
          expect(again).toEqual({ config: x.config, save: false });
          expect(r.status).toBe(200);
        }
        expect(a.applied.length).toBeLessThanOrEqual(1);
        expect(new TextDecoder().decode(r.body)).not.toContain(TOKEN);
      },
    ),
    { seed: 4242, numRuns: 3000 },
  );
});

test('a configuration in the body and the query together: merged, a duplicate refused', () => {
  const a = actions();
  const out: HttpServerResponse[] = [];
  const body = new TextEncoder().encode(`blynk=${TOKEN}`);
  handleRequest(a, { method: 'POST', target: '/config?ssid=Home', contentType: 'application/x-www-form-urlencoded', body }, (r) => out.push(r));
  expect(out[0]!.status).toBe(200);
  expect(a.applied[0]!.config).toMatchObject({ ssid: 'Home', token: TOKEN });
  handleRequest(a, { method: 'POST', target: '/config?ssid=Home', contentType: 'application/x-www-form-urlencoded', body: new TextEncoder().encode('ssid=Other') }, (r) => out.push(r));
  expect(out[1]!.status).toBe(400);
  expect(parseForm('a=1')).toEqual(new Map([['a', '1']]));
});

test('scan results: strongest 15 named networks, hostile names escaped as JSON', () => {
  const nets = Array.from({ length: 30 }, (_, i) => ({ ssid: i === 3 ? '' : `n"${i}\\</script>`, bssid: 'b', rssi: -i, security: 'WPA2' as const, channel: 1 }));
  const r = scanResult(nets);
  expect(r).toHaveLength(15);
  expect(r[0]!.rssi).toBe(0);
  expect(r.every((n) => n.ssid !== '')).toBe(true);
  expect(JSON.parse(JSON.stringify(r))[1].ssid).toBe('n"1\\</script>');
});
