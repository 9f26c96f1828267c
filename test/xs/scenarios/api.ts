// Device API round trips inside XS (BlynkDevice on the mock HAL): uplink bytes, downlinks to
// handlers, request/reply promises, and a Blynk.Air update through the portable digests.
import { BlynkDevice, createMockHal, utf8Decode, type BlynkError, type MockHal } from '../../../build/entries/xs-mock';
import { FakeBroker } from '../../../tools/broker/fake-broker';
import { TOKEN } from '../../support/tokens';
import { equal, fail, ok } from './assert';
import { hex, tokenLeaks, watchForToken } from './device';

interface Api {
  hal: MockHal;
  broker: FakeBroker;
  device: BlynkDevice;
  errors: BlynkError[];
}

function onlineDevice(): Api {
  const hal = createMockHal({ seed: 3 });
  watchForToken(hal);
  const broker = new FakeBroker(hal);
  const device = new BlynkDevice({ hal, token: TOKEN, templateId: 'TMPL0001', firmware: { version: '1.0.0', build: 'Nov 26 2026 10:00:00' } });
  const errors: BlynkError[] = [];
  device.on('error', (e) => {
    if (e.message.indexOf(TOKEN) >= 0) tokenLeaks.push(`error: ${e.message}`);
    errors.push(e);
  });
  device.start();
  for (let i = 0; i < 100 && !device.online; i++) hal.time.step();
  hal.time.flush();
  if (!device.online) fail(`device did not come online: ${device.state}`);
  return { hal, broker, device, errors };
}

function lastUplink(d: Api): [string, string] {
  const p = d.broker.packets('publish').pop();
  if (!p) fail('no uplink');
  return [p.topic, utf8Decode(p.payload)];
}

function push(d: Api, topic: string, payload: string, qos = 0, id = 1): void {
  d.broker.push(topic, payload, qos, id);
  d.hal.time.flush();
}

export function apiUplinks(): void {
  const d = onlineDevice();
  const cases: [() => unknown, [string, string]][] = [
    [() => d.device.write('Temperature', 21.7), ['ds/Temperature', '21.7']],
    [() => d.device.write('Power', true), ['ds/Power', '1']],
    [() => d.device.write('Label', 'héllo 😀'), ['ds/Label', 'héllo 😀']],
    [() => d.device.write('RGB', [255, 128, 0]), ['ds/RGB', '255\u0000128\u00000']],
    [() => d.device.setProperty('Status', 'color', 'E4F6F7'), ['ds/Status/prop/color', 'E4F6F7']],
    [() => d.device.writeBatch({ Temperature: 23.1, Location: { lat: 50.45, lon: 30.52 } }), ['batch_ds', '{"Temperature":23.1,"Location":[30.52,50.45]}']],
    [() => d.device.sync('Power', 'Set Temperature'), ['get/ds', 'Power,Set Temperature']],
  ];
  for (const [send, expected] of cases) {
    equal(send(), null, `sending ${expected[0]}`);
    equal(lastUplink(d), expected, 'uplink');
  }
  equal(d.device.write('a/b', 1)?.code, 'BAD_NAME', "a name with '/'");
  equal(d.errors, [], 'errors');
}

export function apiDownlinks(): void {
  const d = onlineDevice();
  const got: string[] = [];
  d.device.onWrite('Power', (v) => got.push(`Power=${v}`));
  d.device.onWrite('Set Temperature', (v, name) => got.push(`${name}=${v}`));
  d.device.onAnyWrite((name, v) => got.push(`any ${name}=${v}`));
  let pings = 0;
  d.device.on('ping', () => pings++);
  push(d, 'downlink/ds/Power', '1');
  push(d, 'downlink/ds/Set Temperature', '23.5');
  push(d, 'downlink/ds/Label', 'café ☕');
  push(d, 'downlink/ping', '', 1, 9);
  equal(got, ['Power=1', 'Set Temperature=23.5', 'any Label=café ☕'], 'handler calls');
  equal(pings, 1, 'pings');
  equal(d.broker.packets('puback').map((p) => p.id), [9], 'PUBACK ids');
  d.device.onWrite('Boom', () => {
    throw new Error('handler bug');
  });
  push(d, 'downlink/ds/Boom', '1');
  equal(d.errors.map((e) => e.code), ['HANDLER_FAILED'], 'a throwing handler is reported');
  ok(d.device.online, 'still online');
}

export async function apiRequests(): Promise<void> {
  const d = onlineDevice();
  const values = d.device.requestValues(['Power', 'Set Temperature']);
  equal(lastUplink(d), ['get/ds', 'Power,Set Temperature'], 'request uplink');
  push(d, 'downlink/ds/Power', '1');
  push(d, 'downlink/ds/Set Temperature', '22');
  equal(await values, { Power: '1', 'Set Temperature': '22' }, 'requestValues');
  const time = d.device.requestTime();
  push(d, 'downlink/utc/all/json', JSON.stringify({ tz_name: 'Europe/Berlin', tz_rule: 'CET-1CEST', tz_offset: 60, dst_offset: 0, time: 1795689600000, iso8601: 'x' }));
  const t = await time;
  equal([t.tz_name, t.time], ['Europe/Berlin', 1795689600000], 'requestTime');
  const late = d.device.requestLocation(2000);
  d.hal.time.advance(2000);
  const e = await late.then(
    () => fail('requestLocation resolved without a reply'),
    (x: BlynkError) => x,
  );
  equal(e.code, 'TIMEOUT', 'a request without a reply');
}

const URL = 'https://fra1.blynk.cloud/static/fw.bin';
// md5 (hex) and sha256 (base64) of image(50_000), computed with node:crypto.
const FW_MD5 = 'f69bc975ecdff220216c3db87ab6867a';
const FW_SHA256 = 'wFkou8tb3RfcBpDOjJjQ2EW2CLWnFJQT8TQlzazVgvQ=';

function image(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

export function apiOta(): void {
  const d = onlineDevice();
  const fw = image(50_000);
  d.hal.http!.serve(URL, { body: fw, headers: { 'x-md5': FW_MD5, 'x-sha256': FW_SHA256 }, chunkSize: 1460 });
  const phases: string[] = [];
  d.device.on('ota', (p) => phases.push(p.phase));
  push(d, 'downlink/ota/json', JSON.stringify({ url: URL, size: fw.length, type: 'TMPL0001', ver: '1.1.0', build: 'Nov 27 2026 10:00:00' }));
  for (let i = 0; i < 10_000 && d.hal.device.reboots === 0 && d.hal.time.step(); i++);
  equal(d.errors.map((e) => `${e.code}: ${e.message}`), [], 'errors');
  equal(d.hal.ota!.state, 'complete', 'OTA writer');
  equal(hex(d.hal.ota!.image) === hex(fw), true, 'image written intact');
  equal(phases, ['downloading', 'verifying', 'done'], 'OTA phases');
  equal(d.hal.device.reboots, 1, 'reboots');
  equal(d.broker.packets('disconnect').length, 1, 'clean DISCONNECT for the download');
}
