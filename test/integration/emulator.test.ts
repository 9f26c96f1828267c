// The runtime on the Node HAL (real sockets) against the local Blynk.Cloud emulator, over
// mqtt, mqtts and wss: the whole device contract end to end.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../tools/emulator';
import { ErrorCode } from '../../src/errors';
import { cleanupNodeDevices, flashDir, nodeDevice, startOnline, type NodeDevice } from '../support/node-device';
import { OTHER_TOKEN, TOKEN } from '../support/tokens';
import { sleep, waitFor } from '../support/wait';

let emu: Emulator;
const FW = { version: '1.0.0', build: 'Nov 26 2026 10:00:00' };

beforeAll(async () => {
  emu = await startEmulator({ tokens: [TOKEN], regions: { global: {}, fra1: {} } });
});
afterEach(() => cleanupNodeDevices());
afterAll(async () => {
  await emu.close();
});

function dev(server: string, extra: Record<string, unknown> = {}, hal: Record<string, unknown> = {}): NodeDevice {
  return nodeDevice(
    { token: TOKEN, templateId: 'TMPLemu', firmware: FW, server, backoff: { baseMs: 100, capMs: 1000 }, ...extra },
    { ca: emu.ca.pem, ...hal },
  );
}

describe.each(['mqtt', 'mqtts', 'wss'] as const)('over %s', (scheme) => {
  test('connect, subscribe, info/mcu, values both ways, ping acknowledged', async () => {
    const d = dev(emu.uri(scheme));
    const writes: string[] = [];
    d.device.onWrite('Power', (v) => writes.push(v));
    await startOnline(d);
    await emu.waitUntil(() => emu.device(TOKEN).infoMcu !== undefined);
    expect(emu.device(TOKEN).infoMcu!.json).toEqual({ tmpl: 'TMPLemu', ver: '1.0.0', build: FW.build, type: 'TMPLemu', rxbuff: 1024 });
    expect(emu.currentConnection(TOKEN)).toMatchObject({ username: 'device', clientId: '', keepalive: 45, clean: true, scheme });
    expect(d.device.write('Temperature', 21.7)).toBeNull();
    await emu.waitUntil(() => emu.datastream(TOKEN, 'Temperature') === '21.7');
    await emu.writeDatastream(TOKEN, 'Power', 1);
    await waitFor(() => writes.length === 1, 'the Power write at the device');
    expect(writes).toEqual(['1']);
    const ping = await emu.ping(TOKEN);
    expect(ping.messageId).toBeGreaterThan(0);
    expect(d.device.counters.pubacksSent).toBeGreaterThanOrEqual(1);
    expect(d.errors).toEqual([]);
  });
});

test('the get/ requests are answered from the cloud state', async () => {
  const d = dev(emu.uri('mqtt'));
  await startOnline(d);
  d.device.write('Set Temperature', 22);
  await emu.waitUntil(() => emu.datastream(TOKEN, 'Set Temperature') === '22');
  await expect(d.device.requestValues(['Set Temperature'])).resolves.toEqual({ 'Set Temperature': '22' });
  const t = await d.device.requestTime();
  expect(typeof t.time).toBe('number');
  await expect(d.device.requestLocation()).resolves.toEqual({ lat: 50.45, lon: 30.52 });
});

test('C-REDIRECT a redirect to a regional listener is followed and persisted; the next boot connects straight there', async () => {
  const flash = flashDir();
  const first = dev(emu.uri('mqtts'), {}, { storageDir: flash });
  await startOnline(first);
  const target = emu.uri('mqtts', 'fra1');
  const before = emu.connections(TOKEN).length;
  await emu.redirect(TOKEN, target);
  await waitFor(() => first.device.online && first.device.endpoint === target, 'the device on fra1');
  expect(first.device.storedEndpoint).toBe(target);
  expect(emu.connections(TOKEN).slice(before).map((c) => c.region)).toEqual(['fra1']);
  expect(emu.maxConcurrent(TOKEN)).toBe(1);
  first.shutdown();
  await emu.waitUntil(() => !emu.isConnected(TOKEN));

  const n = emu.connections(TOKEN).length;
  const second = dev(emu.uri('mqtts'), {}, { storageDir: flash }); // same flash: a reboot
  await startOnline(second);
  expect(second.device.endpoint).toBe(target);
  expect(emu.connections(TOKEN).slice(n).map((c) => c.region)).toEqual(['fra1']); // one connection, not two
});

test('C-REDIRECT-2 a redirect that would drop TLS is refused; the connection stays', async () => {
  const d = dev(emu.uri('mqtts'));
  await startOnline(d);
  const n = emu.connections(TOKEN).length;
  await emu.redirect(TOKEN, emu.uri('mqtt', 'fra1'));
  await waitFor(() => d.errors.length > 0, 'the refusal');
  expect(d.errors[0]!.code).toBe(ErrorCode.REDIRECT_REJECTED);
  expect(d.device.online).toBe(true);
  expect(emu.connections(TOKEN).length).toBe(n);
});

test('C-CONN-4 a bad token is auth-failed, with no retry storm', async () => {
  const d = nodeDevice({ token: OTHER_TOKEN, templateId: 'T', server: emu.uri('mqtt'), backoff: { baseMs: 10, capMs: 50 } });
  d.device.start();
  await waitFor(() => d.device.state === 'auth-failed', 'auth-failed');
  expect(d.errors[0]).toMatchObject({ code: ErrorCode.AUTH_FAILED, detail: { returnCode: 4 } });
  await sleep(300); // with a 50 ms backoff cap, a storm would show up here
  expect(emu.authFailures(OTHER_TOKEN)).toBe(1);
  expect(d.device.state).toBe('auth-failed');
});

test('C-LIMITS-3 an oversize downlink is dropped and counted; the connection stays and the next message arrives', async () => {
  const d = dev(emu.uri('mqtt'));
  const got: string[] = [];
  d.device.onWrite('Terminal', (v) => got.push(v));
  await startOnline(d);
  await emu.publish(TOKEN, 'downlink/ds/Terminal', 'x'.repeat(3000));
  await emu.publish(TOKEN, 'downlink/ds/Terminal', 'after');
  await waitFor(() => got.length === 1, 'the message after the oversize one');
  expect(got).toEqual(['after']);
  expect(d.device.counters.overflowDrops).toBe(1);
  expect(d.errors.map((e) => e.code)).toEqual([ErrorCode.OVERFLOW]);
  expect(emu.connections(TOKEN).filter((c) => c.endedAt === undefined)).toHaveLength(1);
});

describe('C-OTA end to end', () => {
  const image = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7 + 3) & 0xff));

  test('downloaded over HTTP, digests checked, written to a file, then reboot', async () => {
    const dir = flashDir();
    const otaPath = join(dir, 'firmware.bin');
    const d = dev(emu.uri('mqtt'), {}, { otaPath });
    await startOnline(d);
    const phases: string[] = [];
    d.device.on('ota', (p) => phases.push(p.phase));
    const { image: hosted } = await emu.pushOta(TOKEN, { image: { data: image }, ver: '1.1.0', type: 'TMPLemu' });
    await waitFor(() => d.reboots === 1, 'the reboot into the new image', 30_000);
    expect(phases).toEqual(['downloading', 'verifying', 'done']);
    expect(readFileSync(otaPath).equals(image)).toBe(true);
    expect(hosted!.downloads.length).toBe(1);
  });

  test('a digest mismatch aborts the update; the device is back online on the old firmware', async () => {
    const dir = flashDir();
    const d = dev(emu.uri('mqtt'), {}, { otaPath: join(dir, 'firmware.bin') });
    await startOnline(d);
    await emu.pushOta(TOKEN, { image: { data: image, failure: { kind: 'wrong-sha256' } }, ver: '1.1.0' });
    await waitFor(() => d.errors.some((e) => e.code === ErrorCode.OTA_DIGEST), 'the digest error', 30_000);
    await waitFor(() => d.device.online, 'back online');
    expect(d.reboots).toBe(0);
  });

  test('over HTTPS with the emulator CA, and a truncated download', async () => {
    const dir = flashDir();
    const d = dev(emu.uri('mqtts'), {}, { otaPath: join(dir, 'firmware.bin') });
    await startOnline(d);
    await emu.pushOta(TOKEN, { image: { data: image, https: true, failure: { kind: 'truncate', at: 50_000 } }, ver: '1.1.0' });
    await waitFor(() => d.errors.some((e) => e.code === ErrorCode.OTA_DOWNLOAD), 'the truncation', 30_000);
    await waitFor(() => d.device.online, 'back online');
    await emu.pushOta(TOKEN, { image: { data: image, https: true }, ver: '1.1.0' });
    await waitFor(() => d.reboots === 1, 'the reboot', 30_000);
  });
});
