// Blynk.Inject on the Moddable SDK: a device that ships without Wi-Fi credentials or a token.
// With no valid configuration in flash it opens the access point "Blynk <template name>-XXXX"
// and serves config mode (docs/provisioning.md) until the Blynk app or a browser sends one;
// then it joins the network and comes online. `downlink/reconfigure` brings it back.
// mcconfig settings: template, name (the template's name), version, port (HTTP, default 80).
import config from 'mc/config';
import Preference from 'preference';
import WiFi from 'wifi';
import { Server } from 'http';
import DnsServer from 'dns/server';
import { Provisioner, createModdableHal, moddableModules } from 'blynk';

const say = (text) => trace(`[provision] ${text}\n`);

const hal = createModdableHal(moddableModules({ Preference }), { provisioning: { WiFi, Server, DnsServer } });
const prov = new Provisioner({
  hal,
  templateId: config.template || 'TMPL00000000',
  templateName: config.name || 'Device',
  firmware: { version: config.version || '1.0.0' },
  httpPort: Number(config.port) || 80,
  setup: (device) => device.on('online', () => say(`online at ${device.endpoint}`)),
});
prov.on('state', (s) => say(`${s.from} -> ${s.to} (${s.reason})${s.lastError ? ` last_error ${s.lastError}` : ''}`));
prov.on('error', (e) => say(`error ${e.code}: ${e.message}`));
prov.start();
if (prov.state === 'config-mode') say(`config mode on port ${Number(config.port) || 80}, access point "${prov.apName}"`);
