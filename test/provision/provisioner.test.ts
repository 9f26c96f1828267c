// C-PROVISION on the mock HAL (virtual time, fake broker): config mode when unconfigured, the
// configuration applied, valid only after the first login, last_error on each failure, and
// downlink/reconfigure back to config mode. C-SECRETS: the token never leaves masked.
import { createMockHal, type MockHal } from '../../hal/mock';
import { ConfigStore } from '../../src/provision/config-store';
import { Provisioner, type ProvisionStateChange } from '../../src/provision/provisioner';
import { FakeBroker } from '../../tools/broker/fake-broker';
import { TOKEN } from '../support/tokens';

interface Rig {
  hal: MockHal;
  broker: FakeBroker;
  prov: Provisioner;
  states: ProvisionStateChange[];
}

function rig(o: { storage?: MockHal['storage']; joinTries?: number } = {}): Rig {
  const hal = createMockHal({ provisioning: true, networkUp: false, storage: o.storage });
  hal.provisioning!.wifi.networks = [
    { ssid: 'Home', password: 'secret123', bssid: '11:22:33:44:55:66', rssi: -60, security: 'WPA2', channel: 6 },
    { ssid: 'Cafe', password: '', bssid: '11:22:33:44:55:67', rssi: -40, security: 'OPEN', channel: 1 },
    { ssid: '', password: '', bssid: '11:22:33:44:55:68', rssi: -30, security: 'OPEN', channel: 1 },
  ];
  const broker = new FakeBroker(hal);
  const prov = new Provisioner({
    hal, templateId: 'TMPL0001', templateName: 'Thermostat', firmware: { version: '1.2.3', build: 'Nov 26 2026 10:00:00' },
    device: { backoff: { baseMs: 100, capMs: 1000 } }, joinTries: o.joinTries,
  });
  const states: ProvisionStateChange[] = [];
  prov.on('state', (s) => states.push(s));
  return { hal, broker, prov, states };
}

const http = (r: Rig) => r.hal.provisioning!.httpServer;
const json = (r: Rig, target: string, method = 'GET') => {
  const ex = http(r).request(method, target);
  r.hal.time.advance(1000);
  return { status: ex.response?.status, body: JSON.parse(ex.text()) };
};
const configQuery = (o: Record<string, string> = {}) => `/config?${new URLSearchParams({ ssid: 'Home', pass: 'secret123', blynk: TOKEN, host: 'blynk.cloud', ...o })}`;
function run(r: Rig, ms: number): void {
  r.hal.time.advance(ms);
}

test('unconfigured: config mode with the AP, HTTP and DNS; board info and the scan as Edgent serves them', () => {
  const r = rig();
  r.prov.start();
  expect(r.prov.state).toBe('config-mode');
  const wifi = r.hal.provisioning!.wifi;
  expect(wifi.accessPoint).toMatch(/^Blynk Thermostat-[0-9A-Z]{4}$/);
  expect(r.hal.provisioning!.dns.names).toEqual(['blynk.setup']);
  expect(http(r).limits).toEqual({ maxRequestBytes: 2048, requestTimeoutMs: 10_000, maxConnections: 4 });
  const info = json(r, '/board_info.json');
  expect(info).toEqual({ status: 200, body: { board: 'Thermostat', tmpl_id: 'TMPL0001', fw_type: 'TMPL0001', fw_ver: '1.2.3', ssid: wifi.accessPoint, bssid: wifi.apMac, mac: wifi.mac, last_error: 0, wifi_scan: true, static_ip: false } });
  expect(r.prov.state).toBe('configuring');
  const scan = json(r, '/wifi_scan.json');
  expect(scan.body).toEqual([
    { ssid: 'Cafe', bssid: '11:22:33:44:55:67', rssi: -40, sec: 'OPEN', ch: 1 },
    { ssid: 'Home', bssid: '11:22:33:44:55:66', rssi: -60, sec: 'WPA2', ch: 6 },
  ]);
  const page = http(r).request('GET', '/');
  expect(page.response?.contentType).toMatch(/^text\/html/);
  expect(page.text()).toContain('name="blynk"');
});

test('concurrent scans share one', () => {
  const r = rig();
  r.prov.start();
  const a = http(r).request('GET', '/wifi_scan.json');
  const b = http(r).request('GET', '/wifi_scan.json');
  run(r, 1000);
  expect(a.response?.status).toBe(200);
  expect(b.text()).toBe(a.text());
  expect(r.hal.provisioning!.wifi.journal.filter((j) => j === 'scan')).toHaveLength(1);
});

test('the full cycle: config, join, online, valid in flash, Hotspot Name; wrong token and reconfigure back to config mode', () => {
  const r = rig();
  r.prov.start();
  const ok = json(r, configQuery());
  expect(ok).toEqual({ status: 200, body: { status: 'ok', msg: 'Trying to connect...' } });
  // Nothing is in flash before the first login (Edgent: config_save after the cloud connects).
  expect(new ConfigStore(r.hal.storage).get()).toBeUndefined();
  run(r, 5000);
  expect(r.prov.state).toBe('running');
  expect(r.prov.device?.online).toBe(true);
  expect(r.hal.provisioning!.wifi.accessPoint).toBeUndefined();
  expect(http(r).listening).toBe(false);
  const stored = new ConfigStore(r.hal.storage).get();
  expect(stored).toMatchObject({ valid: true, lastError: 0, config: { ssid: 'Home', token: TOKEN, host: 'blynk.cloud' } });
  expect(r.hal.journal).toContain('transport.open mqtts://blynk.cloud:8883');
  const up = r.broker.uplinks();
  expect(up.map(([t]) => t)).toContain('info/mcu');
  expect(up).toContainEqual(['meta/Hotspot Name', r.prov.apName]);
  expect(r.prov.status.token).toBe(`****${TOKEN.slice(-4)}`);

  // The console's "Reconfigure": back to config mode, the stored configuration kept.
  r.broker.push('downlink/reconfigure', '');
  run(r, 100);
  expect(r.prov.state).toBe('config-mode');
  expect(r.hal.provisioning!.wifi.accessPoint).toBeDefined();
  expect(new ConfigStore(r.hal.storage).get()?.valid).toBe(true);

  // A token the cloud refuses: back to config mode with 703.
  r.broker.connackCode = 5;
  expect(json(r, configQuery()).status).toBe(200);
  run(r, 5000);
  expect(r.prov.state).toBe('config-mode');
  expect(json(r, '/board_info.json').body.last_error).toBe(703);
  expect(new ConfigStore(r.hal.storage).get()).toMatchObject({ config: undefined, lastError: 703 });
  expect(r.states.map((s) => s.to)).toEqual(['config-mode', 'joining', 'connecting', 'running', 'config-mode', 'joining', 'connecting', 'config-mode', 'configuring']);
  for (const line of r.hal.log.lines) expect(line.message).not.toContain(TOKEN);
});

test('Wi-Fi lost while running: joined again, back online (Edgent: running -> connecting net)', () => {
  const r = rig();
  r.prov.start();
  json(r, configQuery());
  run(r, 5000);
  expect(r.prov.device?.online).toBe(true);
  const wifi = r.hal.provisioning!.wifi;
  const router = wifi.networks;
  wifi.networks = []; // the router is off
  wifi.leave();
  r.broker.conn?.cut('reset');
  run(r, 60_000);
  expect(r.prov.state).toBe('running'); // a valid configuration is never dropped for a network outage
  expect(r.prov.device?.online).toBe(false);
  wifi.networks = router;
  run(r, 15_000);
  expect(r.prov.device?.online).toBe(true);
  expect(wifi.journal.filter((j) => j === 'join Home').length).toBeGreaterThan(2);
});

test('a network that cannot be joined: last_error 701 after joinTries', () => {
  const r = rig({ joinTries: 2 });
  r.prov.start();
  json(r, configQuery({ pass: 'wrong-password' }));
  run(r, 60_000);
  expect(r.prov.state).toBe('config-mode');
  expect(r.hal.provisioning!.wifi.journal.filter((j) => j.startsWith('join'))).toHaveLength(2);
  expect(json(r, '/board_info.json').body.last_error).toBe(701);
});

test('a cloud that never answers: last_error 702 after cloudTimeoutMs', () => {
  const r = rig();
  r.broker.blackHole = true;
  r.prov.start();
  json(r, configQuery());
  run(r, 55_000);
  expect(r.prov.state).toBe('config-mode');
  expect(json(r, '/board_info.json').body.last_error).toBe(702);
});

test('a stored valid configuration boots straight online; a new one clears a stored redirect (C-REDIRECT-7)', () => {
  const r = rig();
  r.prov.start();
  r.broker.redirectOnConnect = 'mqtts://fra1.blynk.cloud:8883';
  json(r, configQuery());
  run(r, 5000);
  expect(r.prov.device?.storedEndpoint).toBe('mqtts://fra1.blynk.cloud:8883');
  r.prov.stop();
  const again = rig({ storage: r.hal.storage });
  again.prov.start();
  again.hal.time.advance(5000);
  expect(again.prov.state).toBe('running');
  expect(again.hal.journal.filter((j) => j.startsWith('transport.open'))[0]).toBe('transport.open mqtts://fra1.blynk.cloud:8883');
  // Reconfigured for another host: the redirect learned under the old configuration is not used.
  again.prov.enterConfigMode('button');
  json(again, configQuery({ host: 'ny3.example.com' }));
  again.hal.time.advance(5000);
  expect(again.hal.journal.filter((j) => j.startsWith('transport.open')).pop()).toBe('transport.open mqtts://ny3.example.com:8883');
});

test('bad requests get clear errors and store nothing; a second config while one is applied is 409', () => {
  const r = rig();
  r.prov.start();
  const bad = [
    configQuery({ blynk: 'short' }),
    configQuery({ ssid: '' }),
    '/config?ssid=%FF&blynk=' + TOKEN,
    '/config?ssid=a&ssid=b&blynk=' + TOKEN,
    configQuery({ host: 'bad host!' }),
  ];
  for (const q of bad) {
    const res = json(r, q);
    expect(res.status === 500 || res.status === 400).toBe(true);
    expect(res.body.status).toBe('error');
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);
  }
  expect(json(r, '/nope').status).toBe(404);
  expect(json(r, '/board_info.json', 'DELETE').status).toBe(405);
  expect(json(r, '/update').status).toBe(501);
  expect(r.hal.storage.writes).toEqual([]);
  expect(r.prov.state).toBe('config-mode');
  const first = http(r).request('GET', configQuery());
  const second = http(r).request('GET', configQuery({ ssid: 'Cafe' }));
  expect(first.response?.status).toBe(200);
  expect(second.response?.status).toBe(409);
});

test('/reset forgets the configuration; /reboot answers, then reboots', () => {
  const r = rig();
  r.prov.start();
  json(r, configQuery({ save: '1' }));
  expect(new ConfigStore(r.hal.storage).get()?.valid).toBe(true);
  run(r, 5000);
  r.prov.enterConfigMode();
  expect(json(r, '/reset')).toEqual({ status: 200, body: { status: 'ok', msg: 'Configuration reset' } });
  expect(new ConfigStore(r.hal.storage).get()?.config).toBeUndefined();
  const writes = r.hal.storage.writes.length;
  for (let i = 0; i < 50; i++) json(r, '/reset');
  expect(r.hal.storage.writes.length).toBe(writes); // a repeated /reset does not wear the flash
  expect(json(r, '/reboot').body.msg).toBe('Rebooting');
  http(r).request('GET', '/reboot');
  run(r, 1000);
  expect(r.hal.device.reboots).toBe(1);
});

test('C-SECRETS: a token pasted into the network name is masked in the log too', () => {
  const r = rig();
  r.prov.start();
  json(r, configQuery({ ssid: TOKEN }));
  run(r, 5000);
  expect(r.hal.log.text()).toContain('****');
  expect(r.hal.log.text()).not.toContain(TOKEN);
});

test('reset() from the application while running: forgotten, config mode', () => {
  const r = rig();
  r.prov.start();
  json(r, configQuery());
  run(r, 5000);
  expect(r.prov.state).toBe('running');
  expect(r.prov.reset()).toBe(true);
  expect(r.prov.state).toBe('config-mode');
  expect(new ConfigStore(r.hal.storage).get()?.config).toBeUndefined();
  expect(r.prov.device).toBeUndefined();
});

test('without provisioning in the HAL: a clear error, no crash', () => {
  const hal = createMockHal();
  const prov = new Provisioner({ hal, templateId: 'TMPL0001', templateName: 'T' });
  const errors: string[] = [];
  prov.on('error', (e) => errors.push(e.code));
  prov.start();
  expect(prov.state).toBe('stopped');
  expect(errors).toEqual(['PROVISION_UNSUPPORTED']);
});
