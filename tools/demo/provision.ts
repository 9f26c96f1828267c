// `npm start -- --provision`: Blynk.Inject. The demo device boots with no Wi-Fi credentials and
// no token, so it enters config mode (an access point, simulated here, and a real HTTP server on
// 127.0.0.1). A client then does what the Blynk app does: reads board info and the Wi-Fi scan,
// sends the configuration; the device joins, comes online at the emulator with info/mcu; the
// emulator sends downlink/reconfigure and the device is back in config mode. Node HAL only.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeHal } from '../../hal/node';
import { maskToken } from '../../src/index';
import { Provisioner } from '../../src/provision/provisioner';
import { startEmulator } from '../emulator';
import type { Narrator } from './narrator';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`the demo expected ${what} within ${ms / 1000} s`);
    await pause(20);
  }
}

export async function provisionDemo(say: Narrator, templateId: string): Promise<void> {
  // Edgent's token shape: 32 characters of [-_a-zA-Z0-9].
  const token = `demo${randomBytes(14).toString('hex')}`;
  say.line('demo', 'starting the local Blynk.Cloud emulator');
  const emu = await startEmulator({ tokens: [token] });
  say.watch(emu);
  const flash = mkdtempSync(join(tmpdir(), 'blynk-demo-flash-'));
  const hal = createNodeHal({
    storageDir: flash,
    wifi: { networks: [{ ssid: 'Home Wi-Fi', password: 'correct horse', rssi: -52 }, { ssid: 'Neighbours', password: 'x'.repeat(12), rssi: -78 }] },
    log: (level, message) => {
      if (level !== 'debug') say.line('device', `${level === 'info' ? '' : `${level}: `}${message}`);
    },
  });
  hal.provisioning!.wifi.onEvent = (what) => say.line('wifi', what);
  const prov = new Provisioner({
    hal, templateId, templateName: 'Thermostat', firmware: { version: '1.0.0', build: 'Nov 26 2026 12:00:00' },
    httpPort: 0, switchDelayMs: 300, device: { backoff: { baseMs: 200, capMs: 2000 } },
    setup: (device) => device.on('online', () => device.write('Temperature', 21.5)),
  });
  prov.on('state', (s) => say.line('device', `provisioning: ${s.from} -> ${s.to} (${s.reason})${s.lastError ? `, last_error ${s.lastError}` : ''}`));
  try {
    say.line('demo', `the device boots with empty flash (${flash})`);
    prov.start();
    await until(() => (prov.status.httpPort ?? 0) > 0, 5000, 'config mode');
    let base = `http://127.0.0.1:${prov.status.httpPort}`;
    say.line('app', `joins the access point "${prov.apName}" and talks to ${base} (192.168.4.1 on a real board)`);
    await pause(500);
    const get = async (path: string) => {
      const res = await fetch(`${base}${path}`);
      const text = await res.text();
      say.line('app', `GET ${path.replace(token, maskToken(token))} -> ${res.status} ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`);
      return JSON.parse(text);
    };
    await get('/board_info.json');
    await get('/wifi_scan.json');
    await pause(500);
    say.line('app', `the user picks "Home Wi-Fi"; the app sends the Wi-Fi credentials, the token ${maskToken(token)} and the host`);
    await get(`/config?${new URLSearchParams({ ssid: 'Home Wi-Fi', pass: 'correct horse', blynk: token, host: emu.uri('mqtt'), port_ssl: '443' })}`);
    await until(() => prov.state === 'running', 15_000, 'the device online');
    await until(() => emu.device(token).infoMcu !== undefined, 5000, 'info/mcu');
    await pause(1500);
    say.line('demo', 'the user taps "Reconfigure" in the console: the cloud sends downlink/reconfigure');
    await emu.reconfigure(token);
    await until(() => prov.state === 'config-mode' && (prov.status.httpPort ?? 0) > 0, 5000, 'config mode again');
    base = `http://127.0.0.1:${prov.status.httpPort}`; // a new server (on a board: port 80 again)
    await pause(300);
    await get('/board_info.json');
    const s = prov.status;
    say.line('summary', `provisioned over HTTP: Wi-Fi "${s.ssid}", token ${s.token}, host ${s.host}; valid in flash: ${s.valid}`);
    say.line('summary', `info/mcu at the cloud: ${emu.device(token).infoMcu?.raw ?? '-'}`);
    say.line('summary', `now: ${s.state} on access point "${s.apName}" (the stored configuration is kept until a new one or /reset)`);
  } finally {
    prov.stop();
    hal.dispose();
    await emu.close();
    rmSync(flash, { recursive: true, force: true });
  }
}
