// `npm start -- --provision` (C-PROVISION): the demo device starts unconfigured in config mode,
// a client does what the Blynk app does, the device comes online with info/mcu, and
// downlink/reconfigure sends it back to config mode.
import { spawnSync } from 'node:child_process';
import { checkForTokens } from '../support/secrets-guard';

test('npm start -- --provision tells the Blynk.Inject story and ends by itself', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/demo/main.ts', '--provision'], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' },
  });
  const out = `${r.stdout}${r.stderr}`;
  checkForTokens('demo output', out);
  expect(out).not.toMatch(/\bdemo[0-9a-f]{28}\b/); // the demo's own token, unmasked
  expect(out).toContain('provisioning: idle -> config-mode (no configuration)');
  expect(out).toMatch(/GET \/board_info\.json -> 200 \{"board":"Thermostat"/);
  expect(out).toMatch(/GET \/wifi_scan\.json -> 200 \[\{"ssid":"Home Wi-Fi"/);
  expect(out).toMatch(/GET \/config\?.*blynk=\*\*\*\*[0-9a-f]{4}.* -> 200 \{"status":"ok","msg":"Trying to connect..."\}/);
  expect(out).toContain('joined "Home Wi-Fi"');
  expect(out).toContain('← info/mcu {"tmpl":"TMPLdemo0001"');
  expect(out).toContain('provisioning: running -> config-mode (downlink/reconfigure)');
  expect(out).toContain('valid in flash: true');
  expect(out).not.toMatch(/failed|\berror\b/i);
  expect(r.status).toBe(0);
});
