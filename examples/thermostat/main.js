// Thermostat: a Blynk device on the Moddable SDK (ESP32, or the Linux simulator).
//
// Datastreams (set them up in the template): "Temperature" (double, out), "Power" (switch, in),
// "Set Temperature" (double, in), "Heating" (switch, out). Settings come from mcconfig
// (docs/moddable.md): token, template, optional server, version, ca and period. Manifest:
// examples/thermostat/manifest.json, which includes the library's (the repository root's).
import config from 'mc/config';
import Timer from 'timer';
import Preference from 'preference';
import { BlynkDevice, asBoolean, asNumber, createModdableHal, maskToken, moddableModules } from 'blynk';
import { platformOptions } from 'thermostat/platform';
import { Thermostat } from 'thermostat';
import { readSettings, summary } from 'thermostat/settings';
// Version, type (the template id) and build time, fixed when mcconfig linked the app; the same
// values are in the image's Blynk.Air info tag.
import firmware from 'blynk/firmware';

const say = (text) => trace(`[thermostat] ${text}\n`);

function main() {
  let settings;
  try {
    settings = readSettings(config);
  } catch (e) {
    say(`not starting: ${e.message}`);
    return;
  }
  say(summary({ ...settings, version: firmware.version }, maskToken));

  const hal = createModdableHal(moddableModules({ Preference }), { tls: { certificates: settings.certificates }, ...platformOptions(settings) });
  const device = new BlynkDevice({
    hal,
    token: settings.token,
    templateId: settings.template,
    firmware, // info/mcu sends what the tag in this image says
    ...(settings.server ? { server: settings.server } : {}),
    // A thermostat's readings are only worth their latest value: keep that one while offline.
    offline: 'keep-latest',
  });
  if (device.storedEndpoint) say(`using ${device.storedEndpoint}, kept from an earlier redirect`);

  const thermostat = new Thermostat();
  const report = () => {
    const problem = device.write('Temperature', thermostat.reading);
    if (problem) say(`Temperature not sent: ${problem.code}`);
  };
  const heatingChanged = () => {
    say(`heating ${thermostat.heating ? 'on' : 'off'} at ${thermostat.reading} °C (setpoint ${thermostat.setpoint} °C)`);
    device.write('Heating', thermostat.heating);
  };

  device.onWrite('Power', (value) => {
    const on = asBoolean(value);
    const was = thermostat.heating;
    if (!thermostat.setPower(on)) return;
    say(`power ${on ? 'on' : 'off'}`);
    if (was !== thermostat.heating) heatingChanged();
  });
  device.onWrite('Set Temperature', (value) => {
    const wanted = asNumber(value);
    const was = thermostat.heating;
    const used = thermostat.setSetpoint(wanted);
    if (used === undefined) return say(`ignoring setpoint "${value}"`);
    say(`setpoint ${used} °C`);
    if (used !== wanted) device.write('Set Temperature', used); // clamped: show the app what is used
    if (was !== thermostat.heating) heatingChanged();
  });

  device.on('online', () => {
    say(`online at ${device.endpoint}`);
    device.sync('Power', 'Set Temperature'); // the values the app set while we were away
    // The cloud may have missed a change while we were away (or in the last packets of the
    // previous connection): send the whole state, not just the reading.
    device.write('Heating', thermostat.heating);
    report();
  });
  device.on('state', ({ from, to }) => {
    if (from === 'online') say(`offline (${to})`);
  });
  device.on('redirect', ({ to, persisted }) => say(`moving to ${to}${persisted ? ' (remembered for the next boot)' : ''}`));
  device.on('error', (e) => say(`${e.code}: ${e.message}`));

  Timer.repeat(() => {
    if (thermostat.step(settings.period)) heatingChanged();
    report();
  }, settings.period * 1000);

  device.start();
}

main();
