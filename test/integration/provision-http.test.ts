// C-PROVISION: every config-mode endpoint over real HTTP on 127.0.0.1 (the Node HAL's server,
// a simulated Wi-Fi), with good and bad input: nothing a request sends crashes the device,
// writes flash, or leaves a half-written configuration; each bad request gets a clear error.
import { connect } from 'node:net';
import { createNodeHal, type NodeHal } from '../../hal/node';
import { ConfigStore } from '../../src/provision/config-store';
import { Provisioner } from '../../src/provision/provisioner';
import { checkForTokens } from '../support/secrets-guard';
import { TOKEN } from '../support/tokens';
import { waitFor } from '../support/wait';

let hal: NodeHal;
let prov: Provisioner;
let base: string;
let port: number;
const logs: string[] = [];

const NETWORKS = [
  { ssid: 'Home', password: 'secret123', rssi: -61 },
  { ssid: 'Café "Quote"', password: '', rssi: -40 },
];

async function boot(extra: Partial<ConstructorParameters<typeof Provisioner>[0]> = {}): Promise<void> {
  hal = createNodeHal({
    wifi: { networks: NETWORKS },
    log: (level, m) => {
      checkForTokens('node HAL log', m);
      logs.push(`${level} ${m}`);
    },
  });
  prov = new Provisioner({ hal, templateId: 'TMPLhttp', templateName: 'Thermostat', firmware: { version: '2.0.0' }, httpPort: 0, requestTimeoutMs: 500, switchDelayMs: 60_000, ...extra });
  prov.start();
  await waitFor(() => (prov.status.httpPort ?? 0) > 0, 'the config-mode HTTP server listening');
  port = prov.status.httpPort!;
  base = `http://127.0.0.1:${port}`;
}

afterEach(() => {
  prov?.stop();
  hal?.dispose();
});

/** Send raw bytes and collect the whole answer (the server closes after one request). */
function raw(bytes: string | Buffer, opts: { keepOpenMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    s.on('data', (d) => got.push(d));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(got).toString('utf8')));
    s.write(bytes);
    if (opts.keepOpenMs === undefined) s.end();
  });
}

const statusOf = (answer: string) => Number(answer.slice(9, 12));
const cfg = (o: Record<string, string> = {}) => new URLSearchParams({ ssid: 'Home', pass: 'secret123', blynk: TOKEN, ...o }).toString();

test('GET /board_info.json, /wifi_scan.json and / answer as Edgent does', async () => {
  await boot();
  const info = await fetch(`${base}/board_info.json`);
  expect(info.status).toBe(200);
  expect(info.headers.get('content-type')).toBe('application/json');
  expect(await info.json()).toEqual({
    board: 'Thermostat', tmpl_id: 'TMPLhttp', fw_type: 'TMPLhttp', fw_ver: '2.0.0', ssid: prov.apName,
    bssid: hal.provisioning!.wifi.apMac, mac: hal.provisioning!.wifi.mac, last_error: 0, wifi_scan: true, static_ip: false,
  });
  const scan = (await (await fetch(`${base}/wifi_scan.json`)).json()) as { ssid: string }[];
  expect(scan.map((n) => n.ssid)).toEqual(['Café "Quote"', 'Home']);
  expect(scan[1]).toMatchObject({ rssi: -61, sec: 'WPA2' });
  const page = await fetch(`${base}/`);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  const html = await page.text();
  expect(html).toContain('name="blynk"');
  expect(html).not.toMatch(/(src|href)="?https?:/); // no external resources
  expect(Buffer.byteLength(html)).toBeLessThan(4096);
});

test('GET /config with a good configuration: 200 and the device leaves config mode to join', async () => {
  await boot({ switchDelayMs: 50 });
  const res = await fetch(`${base}/config?${cfg({ host: 'mqtt://127.0.0.1:1' })}`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok', msg: 'Trying to connect...' });
  await waitFor(() => prov.state === 'connecting', 'the device joined and connecting');
  expect(hal.provisioning!.wifi.joined).toBe('Home');
  expect(hal.provisioning!.wifi.accessPoint).toBeUndefined();
});

test('POST /config (the web page\'s way) with save=1 stores it valid at once', async () => {
  await boot();
  const res = await fetch(`${base}/config`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: cfg({ save: '1' }) });
  expect(await res.json()).toEqual({ status: 'ok', msg: 'Configuration saved' });
  expect(new ConfigStore(hal.storage).get()).toMatchObject({ valid: true, config: { ssid: 'Home', token: TOKEN } });
});

test('bad /config requests: a clear error each, nothing stored, config mode carries on', async () => {
  await boot();
  const bad: [string, number, string][] = [
    [cfg({ blynk: '' }), 500, 'token'],
    [cfg({ blynk: 'x'.repeat(31) }), 500, '32 characters'],
    [cfg({ blynk: `${TOKEN.slice(0, 31)}%` }), 500, '32 characters'],
    [cfg({ ssid: '' }), 500, 'ssid'],
    [cfg({ ssid: 'x'.repeat(40) }), 500, 'longer'],
    [cfg({ pass: 'p'.repeat(70) }), 500, 'password'],
    [cfg({ host: 'http://evil' }), 500, 'host'],
    [cfg({ host: 'a_b.example' }), 500, 'host'],
    [cfg({ port_ssl: '99999' }), 500, 'port_ssl'],
    [`${cfg()}&ssid=Other`, 400, 'twice'],
    ['ssid=%FF%FE&blynk=' + TOKEN, 400, 'UTF-8'],
    ['ssid=a%00&blynk=' + TOKEN, 400, 'NUL'],
    ['ssid=%zz&blynk=' + TOKEN, 400, 'percent'],
  ];
  for (const [q, status, what] of bad) {
    const res = await fetch(`${base}/config?${q}`);
    const body = (await res.json()) as { status: string; msg: string };
    expect([q, res.status]).toEqual([q, status]);
    expect(body.status).toBe('error');
    expect(body.msg).toContain(what);
    expect(JSON.stringify(body)).not.toContain(TOKEN);
  }
  expect(new ConfigStore(hal.storage).get()).toBeUndefined();
  expect(prov.state).toBe('config-mode');
  // A form body of the wrong type, a method that does not belong.
  expect((await fetch(`${base}/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ssid":"a"}' })).status).toBe(415);
  expect((await fetch(`${base}/board_info.json`, { method: 'PUT', body: 'x' })).status).toBe(405);
  expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
  expect((await fetch(`${base}/update`, { method: 'POST', body: 'firmware' })).status).toBe(501);
});

test('raw bytes: invalid UTF-8 in the target, an oversize request, a huge header, a stalled client', async () => {
  await boot();
  expect(statusOf(await raw(Buffer.concat([Buffer.from('GET /config?ssid='), Buffer.from([0xc3, 0x28]), Buffer.from(` HTTP/1.1\r\nHost: x\r\n\r\n`)])))).toBe(400);
  const big = 'x'.repeat(5000);
  expect(statusOf(await raw(`POST /config HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${big.length}\r\n\r\n${big}`))).toBe(413);
  expect(statusOf(await raw(`GET /board_info.json HTTP/1.1\r\nHost: x\r\nX-Big: ${big}\r\n\r\n`))).toBe(431);
  expect(statusOf(await raw('GET /board_info.json HTTP/1.1\r\nHost: x\r\n', { keepOpenMs: 1 }))).toBe(408);
  expect(statusOf(await raw(`POST /config HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nssid=Home`, { keepOpenMs: 1 }))).toBe(408);
  expect(statusOf(await raw('NONSENSE\r\n\r\n'))).toBe(400);
  // Still serving, nothing stored.
  expect((await fetch(`${base}/board_info.json`)).status).toBe(200);
  expect(new ConfigStore(hal.storage).get()).toBeUndefined();
});

test('concurrent requests: all answered; stalled clients beyond maxConnections are refused with 503', async () => {
  await boot({ maxConnections: 3 });
  const all = await Promise.all(Array.from({ length: 3 }, () => fetch(`${base}/board_info.json`).then((r) => r.status)));
  expect(all).toEqual([200, 200, 200]);
  const stalls = [raw('GET /', { keepOpenMs: 1 }), raw('GET /', { keepOpenMs: 1 }), raw('GET /', { keepOpenMs: 1 })];
  await new Promise((r) => setTimeout(r, 50));
  expect(statusOf(await raw('GET /board_info.json HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe(503);
  expect((await Promise.all(stalls)).map(statusOf)).toEqual([408, 408, 408]);
  expect((await fetch(`${base}/board_info.json`)).status).toBe(200);
});

test('two good configurations at once: one is taken, the other gets 409', async () => {
  await boot();
  const [a, b] = await Promise.all([fetch(`${base}/config?${cfg()}`), fetch(`${base}/config?${cfg({ ssid: 'Café "Quote"', pass: '' })}`)]);
  expect([a.status, b.status].sort()).toEqual([200, 409]);
});

test('/reset and /reboot', async () => {
  let reboots = 0;
  hal = createNodeHal({ wifi: { networks: NETWORKS }, onReboot: () => reboots++, log: () => undefined });
  new ConfigStore(hal.storage).save(undefined, false, 701); // an earlier attempt failed
  prov = new Provisioner({ hal, templateId: 'TMPLhttp', templateName: 'T', httpPort: 0 });
  prov.start();
  await waitFor(() => (prov.status.httpPort ?? 0) > 0, 'listening');
  base = `http://127.0.0.1:${prov.status.httpPort}`;
  expect(((await (await fetch(`${base}/board_info.json`)).json()) as { last_error: number }).last_error).toBe(701);
  expect(await (await fetch(`${base}/reset`)).json()).toEqual({ status: 'ok', msg: 'Configuration reset' });
  expect(((await (await fetch(`${base}/board_info.json`)).json()) as { last_error: number }).last_error).toBe(0);
  expect(await (await fetch(`${base}/reboot`)).json()).toEqual({ status: 'ok', msg: 'Rebooting' });
  await waitFor(() => reboots === 1, 'the reboot');
});
