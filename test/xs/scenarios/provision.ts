// Blynk.Inject inside XS (C-PROVISION): the provisioner on the mock HAL through the runtime
// bundle: config mode, a configuration over the mock HTTP server, online with info/mcu, valid
// in flash, reconfigure back to config mode, a refused token back with last_error 703.
import { Provisioner, createMockHal } from '../../../build/entries/xs-mock';
import { FakeBroker } from '../../../tools/broker/fake-broker';
import { TOKEN } from '../../support/tokens';
import { equal, ok } from './assert';
import { watchForToken } from './device';

export function provisionCycle(): void {
  const hal = createMockHal({ provisioning: true, networkUp: false });
  watchForToken(hal);
  const p = hal.provisioning!;
  p.wifi.networks = [{ ssid: 'Home', password: 'secret123', bssid: 'aa:bb:cc:dd:ee:ff', rssi: -50, security: 'WPA2', channel: 6 }];
  const broker = new FakeBroker(hal);
  const prov = new Provisioner({ hal, templateId: 'TMPLxs', templateName: 'Thermostat', firmware: { version: '1.0.0' } });
  prov.start();
  equal(prov.state, 'config-mode', 'unconfigured: config mode');
  const get = (target: string) => {
    const ex = p.httpServer.request('GET', target);
    hal.time.advance(1000);
    return { status: ex.response?.status, body: JSON.parse(ex.text()) as Record<string, unknown> };
  };
  equal(get('/board_info.json').body.tmpl_id, 'TMPLxs', 'board info');
  equal(get('/config?ssid=Home&blynk=short').status, 500, 'a short token refused');
  equal(get(`/config?ssid=Caf%C3%A9&blynk=${TOKEN}&host=%ZZ`).status, 400, 'bad percent-encoding refused');
  equal(hal.storage.writes.length, 0, 'nothing stored for bad requests');
  equal(get(`/config?ssid=Home&pass=secret123&blynk=${TOKEN}`).body.msg, 'Trying to connect...', 'accepted');
  hal.time.advance(5000);
  equal(prov.state, 'running', 'online');
  ok(broker.uplinks().some(([t]) => t === 'info/mcu'), 'info/mcu sent');
  equal(prov.status.valid, true, 'valid after the login');
  ok(hal.storage.writes.some((w) => w.key.startsWith('blynk.cfg.') && w.ok), 'the record written to flash');
  broker.push('downlink/reconfigure', '');
  hal.time.advance(100);
  equal(prov.state, 'config-mode', 'reconfigure: config mode');
  broker.connackCode = 4;
  get(`/config?ssid=Home&pass=secret123&blynk=${TOKEN}`);
  hal.time.advance(5000);
  equal(prov.state, 'config-mode', 'wrong token: config mode');
  equal(get('/board_info.json').body.last_error, 703, 'last_error 703');
}
