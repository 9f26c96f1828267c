import { createHash } from 'node:crypto';
import { ErrorCode } from '../../src/errors';
import type { OtaProgress } from '../../src/blynk/ota';
import { makeApiDevice, type ApiDevice } from '../support/device';

const URL = 'https://fra1.blynk.cloud/static/fw.bin?token=secret-download-token';

function image(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('base64');

function offer(d: ApiDevice, o: Record<string, unknown>): OtaProgress[] {
  const seen: OtaProgress[] = [];
  d.device.on('ota', (p) => seen.push(p));
  d.broker.push('downlink/ota/json', JSON.stringify({ url: URL, ...o }));
  d.hal.time.flush();
  return seen;
}

function runUntilSettled(d: ApiDevice, ms = 120_000): void {
  const end = d.hal.time.now() + ms;
  while (d.hal.time.now() < end && d.hal.time.step()) {
    if (d.hal.device.reboots > 0) return;
  }
}

/** After a failure: writer aborted, device back online on the old firmware, no reboot. */
function expectRecovered(d: ApiDevice, code: string): void {
  runUntilSettled(d, 30_000);
  expect(d.errors.map((e) => e.code)).toContain(code);
  expect(['idle', 'aborted']).toContain(d.hal.ota!.state); // never left writing, never completed
  expect(d.hal.ota!.aborts).toBeGreaterThanOrEqual(1);
  expect(d.hal.device.reboots).toBe(0);
  for (let i = 0; i < 50 && !d.device.online; i++) d.hal.time.step();
  expect(d.device.online).toBe(true);
}

describe('C-OTA Blynk.Air', () => {
  test('success: streamed into the writer, md5 and sha256 checked, then a clean disconnect and a reboot', () => {
    const d = makeApiDevice();
    const fw = image(50_000);
    d.hal.http!.serve(URL, { body: fw, headers: { 'x-md5': md5(fw), 'x-sha256': sha(fw) }, chunkSize: 1460 });
    const seen = offer(d, { size: fw.length, type: 'TMPL0001', ver: '1.1.0', build: 'Nov 27 2026 10:00:00' });
    runUntilSettled(d);
    expect(d.hal.http!.requests).toEqual([URL]);
    expect(d.hal.ota!.state).toBe('complete');
    expect(Buffer.from(d.hal.ota!.image).equals(Buffer.from(fw))).toBe(true);
    expect(d.hal.device.reboots).toBe(1);
    expect(seen.map((p) => p.phase)).toEqual(['downloading', 'verifying', 'done']);
    expect(d.broker.packets('disconnect')).toHaveLength(1); // the MQTT link was closed cleanly for the download
    expect(d.hal.log.text()).not.toContain('secret-download-token');
    expect(d.errors).toEqual([]);
  });

  test('a hex x-sha256 is accepted too, and no digest headers means a length check only', () => {
    const variants: Record<string, string>[] = [{ 'x-sha256': createHash('sha256').update(image(3000)).digest('hex') }, {}];
    for (const headers of variants) {
      const d = makeApiDevice();
      d.hal.http!.serve(URL, { body: image(3000), headers });
      offer(d, { size: 3000 });
      runUntilSettled(d);
      expect(d.hal.device.reboots).toBe(1);
    }
  });

  test('the MQTT connection can stay up during the download', () => {
    const d = makeApiDevice({ ota: { disconnect: false } });
    d.hal.http!.serve(URL, { body: image(5000), chunkSize: 100 });
    offer(d, { size: 5000 });
    d.hal.time.advance(10);
    expect(d.device.online).toBe(true);
    runUntilSettled(d);
    expect(d.hal.device.reboots).toBe(1);
  });

  test('same version and build is a no-op', () => {
    const d = makeApiDevice();
    offer(d, { size: 100, ver: '1.0.0', build: 'Nov 26 2026 10:00:00' });
    expect(d.hal.http!.requests).toEqual([]);
    expect(d.device.online).toBe(true);
  });

  test('wrong firmware type: rejected before anything is downloaded', () => {
    const d = makeApiDevice();
    offer(d, { size: 100, type: 'OtherProduct' });
    expect(d.errors.map((e) => e.code)).toEqual([ErrorCode.OTA_REJECTED]);
    expect(d.hal.http!.requests).toEqual([]);
    expect(d.device.online).toBe(true);
  });

  test('too large for the OTA partition: rejected before anything is downloaded', () => {
    const d = makeApiDevice({}, { otaCapacity: 10_000 });
    offer(d, { size: 10_001 });
    expect(d.errors[0]).toMatchObject({ code: ErrorCode.OTA_REJECTED, detail: { size: 10_001, limit: 10_000 } });
    expect(d.hal.http!.requests).toEqual([]);
  });

  test('malformed offers are BAD_PAYLOAD', () => {
    const d = makeApiDevice();
    d.broker.push('downlink/ota/json', '{"size": 5}');
    d.broker.push('downlink/ota/json', 'nope');
    d.broker.push('downlink/ota/json', JSON.stringify({ url: 'ftp://x/y', size: 5 }));
    d.broker.push('downlink/ota/json', JSON.stringify({ url: URL, size: -1 }));
    d.hal.time.flush();
    expect(d.errors.map((e) => e.code)).toEqual(Array(4).fill(ErrorCode.BAD_PAYLOAD));
  });

  test('a device without OTA support says so', () => {
    const d = makeApiDevice({}, { otaCapacity: 0 });
    offer(d, { size: 100 });
    expect(d.errors.map((e) => e.code)).toEqual([ErrorCode.OTA_UNSUPPORTED]);
  });

  test('the application can decline an offer', () => {
    const d = makeApiDevice();
    d.device.onOta(() => false);
    offer(d, { size: 100 });
    expect(d.hal.http!.requests).toEqual([]);
  });

  test('truncated download: aborted, reported, back online', () => {
    const d = makeApiDevice();
    d.hal.http!.serve(URL, { body: image(20_000), cutAt: 12_000 });
    offer(d, { size: 20_000 });
    expectRecovered(d, ErrorCode.OTA_DOWNLOAD);
  });

  test('digest mismatch: aborted, reported, back online', () => {
    const d = makeApiDevice();
    const fw = image(8000);
    d.hal.http!.serve(URL, { body: fw, headers: { 'x-md5': md5(image(7999)) } });
    offer(d, { size: 8000 });
    expectRecovered(d, ErrorCode.OTA_DIGEST);
    const d2 = makeApiDevice();
    d2.hal.http!.serve(URL, { body: fw, headers: { 'x-sha256': sha(image(10)) } });
    offer(d2, { size: 8000 });
    expectRecovered(d2, ErrorCode.OTA_DIGEST);
  });

  test.each([403, 404, 500])('HTTP %i: reported, back online', (status) => {
    const d = makeApiDevice();
    d.hal.http!.serve(URL, { status, body: new Uint8Array(10) });
    offer(d, { size: 100 });
    expectRecovered(d, ErrorCode.OTA_HTTP);
  });

  test('Content-Length different from the offered size is refused', () => {
    const d = makeApiDevice();
    d.hal.http!.serve(URL, { body: image(100), length: 99 });
    offer(d, { size: 100 });
    expectRecovered(d, ErrorCode.OTA_DOWNLOAD);
  });

  test('a network error in the middle of the body (power-loss-like abort of the transfer)', () => {
    const d = makeApiDevice();
    d.hal.http!.serve(URL, { body: image(30_000), errorAt: 15_000 });
    offer(d, { size: 30_000 });
    expectRecovered(d, ErrorCode.OTA_DOWNLOAD);
  });

  test('the flash write failing half-way (power dropping on the partition) aborts the writer', () => {
    const d = makeApiDevice();
    d.hal.ota!.failWriteAt = 10_000;
    d.hal.http!.serve(URL, { body: image(30_000) });
    offer(d, { size: 30_000 });
    expectRecovered(d, ErrorCode.OTA_WRITE);
  });

  test('begin or complete failing in the writer', () => {
    const d = makeApiDevice();
    d.hal.ota!.failBegin = true;
    d.hal.http!.serve(URL, { body: image(1000) });
    offer(d, { size: 1000 });
    expectRecovered(d, ErrorCode.OTA_WRITE);
    const d2 = makeApiDevice();
    d2.hal.ota!.failComplete = true;
    d2.hal.http!.serve(URL, { body: image(1000) });
    offer(d2, { size: 1000 });
    expectRecovered(d2, ErrorCode.OTA_WRITE);
  });

  test('a stalled download times out', () => {
    const d = makeApiDevice();
    d.hal.http!.serve(URL, { body: image(5000), cutAt: 1000, stall: true });
    offer(d, { size: 5000 });
    d.hal.time.advance(29_000);
    expect(d.errors).toEqual([]);
    expectRecovered(d, ErrorCode.OTA_DOWNLOAD);
    expect(d.hal.http!.aborted).toBe(1);
  });

  test('the server not answering at all (DNS, refused)', () => {
    const d = makeApiDevice();
    d.hal.http!.serve(URL, { fail: 'ECONNREFUSED' });
    offer(d, { size: 100 });
    expectRecovered(d, ErrorCode.OTA_DOWNLOAD);
  });

  test('only one OTA at a time: a second offer while one runs is refused (OTA_BUSY); the first completes', () => {
    const d = makeApiDevice({ ota: { disconnect: false } });
    d.hal.http!.serve(URL, { body: image(20_000), chunkSize: 100 });
    offer(d, { size: 20_000 });
    d.hal.time.advance(5);
    d.broker.push('downlink/ota/json', JSON.stringify({ url: URL + '2', size: 10 }));
    d.hal.time.advance(1);
    expect(d.errors.map((e) => e.code)).toEqual([ErrorCode.OTA_BUSY]);
    runUntilSettled(d);
    expect(d.hal.device.reboots).toBe(1);
    expect(d.hal.http!.requests).toEqual([URL]);
  });

  test('after a failure a new offer can run', () => {
    const d = makeApiDevice();
    d.hal.http!.serve(URL, { status: 500 });
    offer(d, { size: 100 });
    expectRecovered(d, ErrorCode.OTA_HTTP);
    d.hal.http!.serve(URL, { body: image(100) });
    offer(d, { size: 100 });
    runUntilSettled(d);
    expect(d.hal.device.reboots).toBe(1);
  });
});
