// C-PROVISION end to end on real sockets: a device on the Node HAL (simulated Wi-Fi, real
// config-mode HTTP server) set up over HTTP like the Blynk app does, against the local
// Blynk.Cloud emulator: unconfigured -> configured -> online (info/mcu) -> downlink/reconfigure
// back to config mode -> a wrong token back to config mode with last_error 703 -> configured
// again -> a reboot goes straight online from flash.
import { startEmulator, type Emulator } from '../../tools/emulator';
import { createNodeHal, type NodeHal } from '../../hal/node';
import { ConfigStore } from '../../src/provision/config-store';
import { Provisioner, type ProvisionState } from '../../src/provision/provisioner';
import { checkForTokens } from '../support/secrets-guard';
import { flashDir, cleanupNodeDevices } from '../support/node-device';
import { OTHER_TOKEN, TOKEN } from '../support/tokens';
import { waitFor } from '../support/wait';

let emu: Emulator;
const running: { prov: Provisioner; hal: NodeHal }[] = [];

beforeAll(async () => {
  emu = await startEmulator({ tokens: [TOKEN] });
});
afterEach(() => {
  for (const r of running.splice(0)) {
    r.prov.stop();
    r.hal.dispose();
  }
  cleanupNodeDevices();
});
afterAll(async () => {
  await emu.close();
});

function device(storageDir: string) {
  const hal = createNodeHal({
    storageDir,
    wifi: { networks: [{ ssid: 'Home', password: 'secret123' }] },
    log: (_level, m) => checkForTokens('node HAL log', m),
  });
  const prov = new Provisioner({
    hal, templateId: 'TMPLemu', templateName: 'Thermostat', firmware: { version: '1.0.0', build: 'Nov 26 2026 10:00:00' },
    httpPort: 0, switchDelayMs: 20, cloudTimeoutMs: 15_000, device: { backoff: { baseMs: 100, capMs: 500 } },
  });
  const states: ProvisionState[] = [];
  prov.on('state', (s) => states.push(s.to));
  running.push({ prov, hal });
  return { hal, prov, states };
}

async function configMode(prov: Provisioner): Promise<string> {
  await waitFor(() => (prov.state === 'config-mode' || prov.state === 'configuring') && (prov.status.httpPort ?? 0) > 0, 'config mode, listening');
  return `http://127.0.0.1:${prov.status.httpPort}`;
}

async function sendConfig(base: string, token: string): Promise<unknown> {
  // What the Blynk app does: board info first, then the configuration.
  const info = await (await fetch(`${base}/board_info.json`)).json();
  const q = new URLSearchParams({ ssid: 'Home', pass: 'secret123', blynk: token, host: emu.uri('mqtt') });
  const res = await fetch(`${base}/config?${q}`);
  expect(res.status).toBe(200);
  return info;
}

test('the whole cycle against the emulator', async () => {
  const flash = flashDir();
  const { prov, states } = device(flash);
  prov.start();
  let base = await configMode(prov);
  expect(await sendConfig(base, TOKEN)).toMatchObject({ tmpl_id: 'TMPLemu', last_error: 0 });
  await waitFor(() => prov.state === 'running', 'online with the configuration');
  await emu.waitUntil(() => emu.device(TOKEN).infoMcu !== undefined);
  expect(emu.device(TOKEN).infoMcu!.json).toMatchObject({ tmpl: 'TMPLemu', ver: '1.0.0' });
  await emu.waitUntil(() => emu.uplinks(TOKEN, 'meta/Hotspot Name').length === 1);
  expect(new ConfigStore(createNodeHal({ storageDir: flash, log: () => undefined }).storage).get()).toMatchObject({ valid: true, lastError: 0 });

  // The console's Reconfigure.
  await emu.reconfigure(TOKEN);
  base = await configMode(prov);
  await waitFor(() => !emu.isConnected(TOKEN), 'the device gone from the cloud');

  // A token the cloud does not know: CONNACK 4, back to config mode with 703.
  await sendConfig(base, OTHER_TOKEN);
  await waitFor(() => states.lastIndexOf('config-mode') > states.lastIndexOf('connecting') && states.lastIndexOf('connecting') > 0 && prov.state === 'config-mode', 'back in config mode after the wrong token');
  base = await configMode(prov);
  expect(emu.authFailures(OTHER_TOKEN)).toBeGreaterThanOrEqual(1);
  expect(((await (await fetch(`${base}/board_info.json`)).json()) as { last_error: number }).last_error).toBe(703);

  // Configured again, then a reboot (same flash) goes straight online.
  await sendConfig(base, TOKEN);
  await waitFor(() => prov.state === 'running', 'online again');
  prov.stop();
  await waitFor(() => !emu.isConnected(TOKEN), 'the first device gone');
  const second = device(flash);
  second.prov.start();
  await waitFor(() => second.prov.state === 'running', 'online after the reboot, from flash');
  expect(second.states).toEqual(['joining', 'connecting', 'running']);
  expect(second.prov.status.token).toBe(`****${TOKEN.slice(-4)}`);
}, 60_000);
