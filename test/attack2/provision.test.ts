// Second attacker on Blynk.Inject: the provisioner makes a new BlynkDevice on the same HAL while
// the disposed one may still hold it (the HAL is released only once its transport is gone).
import { createMockHal, type MockHal } from '../../hal/mock';
import { ConfigStore } from '../../src/provision/config-store';
import { Provisioner } from '../../src/provision/provisioner';
import { FakeBroker } from '../../tools/broker/fake-broker';
import { TOKEN } from '../support/tokens';
import { run } from '../attack/helpers';

const CONFIG = { ssid: 'Home', pass: 'secret123', token: TOKEN, host: 'blynk.cloud', port: 443 };

function rig(provisioning: boolean) {
  const hal: MockHal = createMockHal({ provisioning, networkUp: !provisioning });
  if (provisioning) hal.provisioning!.wifi.networks = [{ ssid: 'Home', password: 'secret123', bssid: '11:22:33:44:55:66', rssi: -60, security: 'WPA2', channel: 6 }];
  new ConfigStore(hal.storage).save(CONFIG, true, 0);
  const broker = new FakeBroker(hal);
  const prov = new Provisioner({ hal, templateId: 'TMPL0001', templateName: 'Thermostat', firmware: { version: '1.2.3', build: 'Nov 26 2026 10:00:00' }, device: { backoff: { baseMs: 100, capMs: 1000 } } });
  const errors: string[] = [];
  prov.on('error', (e) => errors.push(`${e.code}: ${e.message}`));
  return { hal, broker, prov, errors };
}

test('C-PROVISION: provisioner stop(); start() while online (network managed elsewhere) keeps the valid configuration', () => {
  const r = rig(false);
  r.prov.start();
  run(r.hal, 5000);
  expect(r.prov.state).toBe('running');
  r.prov.stop();
  r.prov.start();
  run(r.hal, 5000);
  expect(r.errors).toEqual([]);
  expect(new ConfigStore(r.hal.storage).get()?.config?.token).toBe(TOKEN);
  expect(r.prov.state).toBe('running');
});

test('C-PROVISION: downlink/reconfigure, then a new /config while the old connection is slow to close: the new configuration is not wiped', () => {
  const r = rig(true);
  r.prov.start();
  run(r.hal, 10_000);
  expect(r.prov.state).toBe('running');
  r.hal.transport.last!.holdClose = true; // the cloud never confirms the close (abandoned after 5 s)
  r.broker.push('downlink/reconfigure', '');
  run(r.hal, 500);
  expect(r.prov.state).toBe('config-mode');
  r.hal.provisioning!.httpServer.request('GET', `/config?${new URLSearchParams({ ssid: 'Home', pass: 'secret123', blynk: TOKEN, host: 'blynk.cloud', save: '1' })}`);
  run(r.hal, 20_000);
  expect(r.errors).toEqual([]);
  expect(new ConfigStore(r.hal.storage).get()?.config?.token).toBe(TOKEN);
});
