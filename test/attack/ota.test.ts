// Attack on Blynk.Air (src/blynk/ota.ts, ota-policy.ts, downlink.ts): the application's stop()
// and dispose() racing an asynchronous onOta decision, URLs the policy and the HAL read
// differently, and slow or hostile image servers (C-OTA-2, C-APP-2).
import { createHash } from 'node:crypto';
import { checkOffer, DEFAULT_OTA_RULES } from '../../src/blynk/ota-policy';
import { BlynkDevice } from '../../src/blynk/device';
import { ErrorCode } from '../../src/errors';
import type { MockHttpResponse } from '../../hal/mock';
import { makeApiDevice, type ApiDevice } from '../support/device';
import { TOKEN } from '../support/tokens';
import { run, ticks } from './helpers';

const URL_OK = 'https://fra1.blynk.cloud/fw.bin';

function offer(d: ApiDevice, o: Record<string, unknown>): void {
  d.broker.push('downlink/ota/json', JSON.stringify(o));
  d.broker.settle();
}

function image(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
}

describe('C-APP-2: the last start/stop wins over an asynchronous onOta decision', () => {
  test('stop() while onOta is deciding, then the download fails: the device stays stopped', async () => {
    const d = makeApiDevice();
    let answer!: (v: boolean) => void;
    d.device.onOta(() => new Promise<boolean>((r) => (answer = r)));
    d.hal.http!.serve(URL_OK, { status: 500 });
    offer(d, { url: URL_OK, size: 1000 });
    d.device.stop();
    run(d.hal, 1000);
    answer(true);
    await ticks();
    run(d.hal, 60_000);
    // The updater pauses a connection that was already stopped, counts that as its own pause,
    // and its failure path calls start(): online against the application's stop().
    expect(d.device.state).toBe('stopped');
  });

  test('dispose() while onOta is deciding: the disposed device never connects again, and a new device on the token is alone', async () => {
    const d = makeApiDevice();
    let answer!: (v: boolean) => void;
    d.device.onOta(() => new Promise<boolean>((r) => (answer = r)));
    d.hal.http!.serve(URL_OK, { status: 500 });
    offer(d, { url: URL_OK, size: 1000 });
    d.device.dispose();
    run(d.hal, 1000);
    const next = new BlynkDevice({ hal: d.hal, token: TOKEN, templateId: 'TMPL0001' });
    next.start();
    run(d.hal, 5000);
    expect(next.online).toBe(true);
    answer(true);
    await ticks();
    run(d.hal, 60_000);
    expect(d.device.state).toBe('stopped');
    expect(d.hal.transport.openCount).toBe(1);
  });

  test('stop() from the "ota" listener on phase "downloading", then the download fails: the device stays stopped', () => {
    const d = makeApiDevice();
    d.device.on('ota', (p) => {
      if (p.phase === 'downloading') d.device.stop(); // "no MQTT while we update"
    });
    d.hal.http!.serve(URL_OK, { status: 500 });
    offer(d, { url: URL_OK, size: 1000 });
    run(d.hal, 60_000);
    // OtaUpdater.start() emits 'downloading' before it sets run.paused = true, so the
    // application's stop() is overwritten and the failure path calls start().
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.OTA_HTTP);
    expect(d.device.state).toBe('stopped');
  });

  test('held: stop() during the download, then a failure: stays stopped', () => {
    const d = makeApiDevice();
    d.hal.http!.serve(URL_OK, { body: image(4000), chunkSize: 100, intervalMs: 100, errorAt: 2000 });
    offer(d, { url: URL_OK, size: 4000 });
    run(d.hal, 500);
    d.device.stop();
    run(d.hal, 60_000);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.OTA_DOWNLOAD);
    expect(d.device.state).toBe('stopped');
  });

  test('held: the download fails on its own: back online', () => {
    const d = makeApiDevice();
    d.hal.http!.serve(URL_OK, { body: image(4000), chunkSize: 100, intervalMs: 100, errorAt: 2000 });
    offer(d, { url: URL_OK, size: 4000 });
    run(d.hal, 60_000);
    expect(d.device.state).toBe('online');
  });
});

describe('dispose() frees the HAL: a disposed device no longer updates or reboots it', () => {
  test('dispose() during a download: the download is aborted and the disposed runtime never reboots the board', () => {
    const d = makeApiDevice();
    const fw = image(20_000);
    d.hal.http!.serve(URL_OK, { body: fw, chunkSize: 500, intervalMs: 100, headers: { 'x-md5': createHash('md5').update(fw).digest('hex') } });
    offer(d, { url: URL_OK, size: fw.length, ver: '2.0.0' });
    run(d.hal, 1000);
    expect(d.hal.ota!.state).toBe('writing');
    d.device.dispose();
    // e.g. the provisioner disposing the old device before starting the next configuration's
    const next = new BlynkDevice({ hal: d.hal, token: TOKEN, templateId: 'TMPL0001' });
    next.start();
    run(d.hal, 60_000);
    expect(d.hal.device.reboots).toBe(0);
    expect(d.hal.ota!.state).not.toBe('writing');
  });
});

describe('C-OTA-2: the host policy reads the URL as the HAL does', () => {
  test('a backslash: "https://evil.example\\.blynk.cloud/" is evil.example to a WHATWG parser (the Node HAL), so it is refused', () => {
    const url = 'https://evil.example\\.blynk.cloud/fw.bin';
    expect(new URL(url).host).toBe('evil.example'); // what hal/node/http.ts connects to
    const refused = checkOffer({ url, size: 100 }, { firmwareType: 'T', capacity: 1 << 20, secure: true, allowHosts: ['blynk.cloud', '.blynk.cloud'] }, DEFAULT_OTA_RULES);
    expect(refused).not.toBeNull();
  });

  test('the same offer on a device: no request goes out', () => {
    const d = makeApiDevice();
    const url = 'https://evil.example\\.blynk.cloud/fw.bin';
    d.hal.http!.serve(url, { body: image(1000) });
    offer(d, { url, size: 1000 });
    run(d.hal, 5000);
    expect(d.hal.http!.requests).toEqual([]);
  });

  const held = [
    'http://fra1.blynk.cloud/fw.bin',
    'https://evil.example/fw.bin',
    'https://fra1.blynk.cloud@evil.example/fw.bin',
    'https://fra1.blynk.cloud:443@evil.example/fw.bin',
    'https://evil.example#.blynk.cloud/fw.bin',
    'https://evil.example?.blynk.cloud/fw.bin',
    'https://evil.example\t.blynk.cloud/fw.bin',
    'https://evilblynk.cloud/fw.bin',
    'https://blynk.cloud.evil.example/fw.bin',
    'ftp://fra1.blynk.cloud/fw.bin',
    ' https://evil.example/fw.bin',
  ];
  for (const url of held) {
    test(`held: ${JSON.stringify(url)} while MQTT runs on TLS is refused, and the device stays online`, () => {
      const d = makeApiDevice();
      d.hal.http!.serve(url, { body: image(1000) });
      offer(d, { url, size: 1000 });
      run(d.hal, 5000);
      expect(d.hal.http!.requests).toEqual([]);
      expect(d.device.online).toBe(true);
    });
  }
});

describe('held: slow and hostile image servers (C-OTA-2)', () => {
  test('held: a server trickling 200 bytes every 25 s is cut after one rate window and the device is back online', () => {
    const d = makeApiDevice();
    d.hal.http!.serve(URL_OK, { body: image(100_000), chunkSize: 200, intervalMs: 25_000 });
    offer(d, { url: URL_OK, size: 100_000 });
    run(d.hal, 3 * 60_000);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.OTA_DOWNLOAD);
    expect(d.device.online).toBe(true);
  });

  test('held: a server sending just enough per window is cut at the overall deadline, then online', () => {
    const d = makeApiDevice();
    const size = 500_000;
    // 16 KiB per minute: above the window minimum (15 KiB), far below 1 KiB/s.
    d.hal.http!.serve(URL_OK, { body: image(size), chunkSize: 1024, intervalMs: 3750 });
    offer(d, { url: URL_OK, size });
    const deadline = 120_000 + Math.ceil((size / 1024) * 1000);
    run(d.hal, deadline + 30_000, 1000);
    expect(d.errors.map((e) => e.message).join(' ')).toMatch(/deadline/);
    expect(d.device.online).toBe(true);
  });

  test('held: more bytes than offered, a wrong digest, a Content-Length that disagrees: each refused, online, no reboot', () => {
    const fw = image(2000);
    const md5 = createHash('md5').update(fw).digest('hex');
    const cases: MockHttpResponse[] = [
      { body: image(3000), headers: { 'x-md5': md5 }, length: null },
      { body: fw, headers: { 'x-md5': md5.replace(/^./, md5[0] === '0' ? '1' : '0') } },
      { body: fw, length: 1999 },
      { body: fw, headers: { 'x-sha256': 'not base64!' } },
    ];
    for (const c of cases) {
      const d = makeApiDevice();
      d.hal.http!.serve(URL_OK, { chunkSize: 500, ...c });
      offer(d, { url: URL_OK, size: 2000 });
      run(d.hal, 10_000);
      expect(d.hal.device.reboots).toBe(0);
      expect(d.device.online).toBe(true);
    }
  });

  test('held: an offer while a download runs is OTA_BUSY, and the first download completes', () => {
    const d = makeApiDevice({ ota: { disconnect: false } });
    const fw = image(4000);
    d.hal.http!.serve(URL_OK, { body: fw, chunkSize: 100, intervalMs: 50, headers: { 'x-md5': createHash('md5').update(fw).digest('hex') } });
    offer(d, { url: URL_OK, size: 4000, ver: '2.0.0' });
    run(d.hal, 200);
    offer(d, { url: URL_OK, size: 4000, ver: '3.0.0' });
    run(d.hal, 10_000);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.OTA_BUSY);
    expect(d.hal.device.reboots).toBe(1);
  });
});
