// Defects an independent attack found in the Blynk layer and the device API (issue 10), one
// test each, named for the defect. Each was seen failing before its fix.
import { createHash } from 'node:crypto';
import { createMockHal, MockStorage } from '../../hal/mock';
import { BlynkDevice } from '../../src/blynk/device';
import { BlynkError, ErrorCode } from '../../src/errors';
import { FakeBroker } from '../../tools/broker/fake-broker';
import { publish } from '../../tools/broker/server-codec';
import { bringOnline, makeApiDevice, makeDevice, type ApiDevice } from '../support/device';
import { TOKEN } from '../support/tokens';

function steps(d: { hal: { time: { step(): boolean; advance(ms: number): void; now(): number } } }, ms: number): void {
  const end = d.hal.time.now() + ms;
  while (d.hal.time.now() < end) if (!d.hal.time.step()) d.hal.time.advance(Math.min(1000, end - d.hal.time.now()));
}

async function ticks(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

function image(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 13 + 1) & 0xff;
  return b;
}

function serveImage(d: ApiDevice, url: string, fw: Uint8Array, extra: Record<string, unknown> = {}): void {
  d.hal.http!.serve(url, { body: fw, headers: { 'x-md5': createHash('md5').update(fw).digest('hex') }, chunkSize: 1000, ...extra });
}

describe('defect 2: a stored redirect outlives its configuration (C-REDIRECT-7)', () => {
  test('a redirect learned under mqtt:// is not used after the firmware moves to mqtts://', () => {
    const storage = new MockStorage();
    const a = makeDevice({ server: 'mqtt://blynk.cloud:1883' }, { storage });
    a.broker.redirectOnConnect = 'mqtt://fra1.blynk.cloud:1883';
    bringOnline(a);
    steps(a, 5000);
    expect(a.client.storedEndpoint).toBe('mqtt://fra1.blynk.cloud:1883');
    const b = makeDevice({ server: 'mqtts://blynk.cloud:8883' }, { storage });
    bringOnline(b);
    expect(b.hal.journal.filter((j) => j.startsWith('transport.open'))[0]).toBe('transport.open mqtts://blynk.cloud:8883');
  });

  test('a record learned under another server is not used (the other order: no TLS loop)', () => {
    const storage = new MockStorage();
    const a = makeDevice({ server: 'mqtts://blynk.cloud:8883' }, { storage });
    a.broker.redirectOnConnect = 'mqtts://fra1.blynk.cloud:8883';
    bringOnline(a);
    steps(a, 5000);
    const b = makeDevice({ server: 'mqtt://127.0.0.1:1883' }, { storage });
    bringOnline(b);
    expect(b.hal.journal.filter((j) => j.startsWith('transport.open'))[0]).toBe('transport.open mqtt://127.0.0.1:1883');
  });

  test('under the same configured server the stored record is still used (C-REDIRECT-4)', () => {
    const storage = new MockStorage();
    const a = makeDevice({}, { storage });
    a.broker.redirectOnConnect = 'mqtts://fra1.blynk.cloud:8883';
    bringOnline(a);
    steps(a, 5000);
    const b = makeDevice({}, { storage });
    bringOnline(b);
    expect(b.hal.journal.filter((j) => j.startsWith('transport.open'))[0]).toBe('transport.open mqtts://fra1.blynk.cloud:8883');
  });
});

describe('defect 3: async handlers crash the host (C-APP-1)', () => {
  test('a rejecting async onWrite, onAnyWrite, onDownlink and event listener are each reported as HANDLER_FAILED, nothing unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const d = makeApiDevice();
      d.device.onWrite('A', async () => {
        throw new Error('boom A');
      });
      d.device.onAnyWrite(async () => {
        throw new Error('boom any');
      });
      d.device.onDownlink(async () => {
        throw new Error('boom other');
      });
      d.device.on('ping', (async () => {
        throw new Error('boom listener');
      }) as never);
      d.broker.push('downlink/ds/A', '1');
      d.broker.push('downlink/ds/B', '2');
      d.broker.push('downlink/something/new', 'x');
      d.broker.push('downlink/ping', '', 1, 9);
      d.hal.time.flush();
      await ticks();
      const failed = d.errors.filter((e) => e.code === ErrorCode.HANDLER_FAILED).map((e) => e.message);
      expect(failed.some((m) => m.includes('boom A'))).toBe(true);
      expect(failed.some((m) => m.includes('boom any'))).toBe(true);
      expect(failed.some((m) => m.includes('boom other'))).toBe(true);
      expect(failed.some((m) => m.includes('boom listener'))).toBe(true);
      expect(unhandled).toEqual([]);
      expect(d.device.online).toBe(true);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('defect 4: an async onOta that resolves to false installs the image (C-OTA-2)', () => {
  const URL = 'https://fra1.blynk.cloud/fw.bin';
  test('Promise<false> declines: nothing is downloaded', async () => {
    const d = makeApiDevice();
    serveImage(d, URL, image(5000));
    d.device.onOta(async () => false);
    d.broker.push('downlink/ota/json', JSON.stringify({ url: URL, size: 5000 }));
    d.hal.time.flush();
    await ticks();
    steps(d, 10_000);
    await ticks();
    steps(d, 10_000);
    expect(d.hal.http!.requests).toEqual([]);
    expect(d.hal.device.reboots).toBe(0);
  });

  test('Promise<true> accepts and installs', async () => {
    const d = makeApiDevice();
    serveImage(d, URL, image(5000));
    d.device.onOta(async () => true);
    d.broker.push('downlink/ota/json', JSON.stringify({ url: URL, size: 5000 }));
    d.hal.time.flush();
    await ticks();
    steps(d, 10_000);
    expect(d.hal.http!.requests).toEqual([URL]);
    expect(d.hal.ota!.state).toBe('complete');
  });

  test('a value that is neither boolean nor a promise declines with a clear error', async () => {
    const d = makeApiDevice();
    serveImage(d, URL, image(5000));
    d.device.onOta((() => 'yes') as never);
    d.broker.push('downlink/ota/json', JSON.stringify({ url: URL, size: 5000 }));
    d.hal.time.flush();
    await ticks();
    steps(d, 10_000);
    expect(d.hal.http!.requests).toEqual([]);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.OTA_REJECTED);
  });
});

describe('defect 6: stop() during a Blynk.Air download is overridden', () => {
  test('the download fails after the application stopped the device: it stays stopped', () => {
    const d = makeApiDevice();
    const URL = 'https://fra1.blynk.cloud/fw.bin';
    serveImage(d, URL, image(20_000), { errorAt: 10_000, chunkSize: 500 });
    d.broker.push('downlink/ota/json', JSON.stringify({ url: URL, size: 20_000 }));
    d.hal.time.flush();
    d.hal.time.advance(3);
    d.device.stop();
    steps(d, 60_000);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.OTA_DOWNLOAD);
    expect(d.device.state).toBe('stopped');
  });
});

describe('defect 7: a download has no overall deadline (C-OTA-2)', () => {
  test('a server sending a byte just under the stall timeout is aborted by the deadline, and the device is back online', () => {
    const d = makeApiDevice();
    const URL = 'https://fra1.blynk.cloud/fw.bin';
    serveImage(d, URL, image(100_000), { chunkSize: 1, intervalMs: 29_000 });
    d.broker.push('downlink/ota/json', JSON.stringify({ url: URL, size: 100_000 }));
    d.hal.time.flush();
    steps(d, 30 * 60_000);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.OTA_DOWNLOAD);
    expect(d.device.online).toBe(true);
  });
});

describe('defect 8: OTA over plain http:// or from any host while MQTT runs on TLS (C-OTA-2)', () => {
  test('http:// is refused by default while MQTT is on mqtts', () => {
    const d = makeApiDevice();
    const URL = 'http://fra1.blynk.cloud/fw.bin';
    serveImage(d, URL, image(5000));
    d.broker.push('downlink/ota/json', JSON.stringify({ url: URL, size: 5000 }));
    d.hal.time.flush();
    steps(d, 10_000);
    expect(d.hal.http!.requests).toEqual([]);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.OTA_REJECTED);
  });

  test('a host outside the redirect allow-list is refused by default', () => {
    const d = makeApiDevice();
    const URL = 'https://evil.example/fw.bin';
    serveImage(d, URL, image(5000));
    d.broker.push('downlink/ota/json', JSON.stringify({ url: URL, size: 5000 }));
    d.hal.time.flush();
    steps(d, 10_000);
    expect(d.hal.http!.requests).toEqual([]);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.OTA_REJECTED);
  });

  test('the application can allow both explicitly', () => {
    const d = makeApiDevice({ ota: { allowInsecure: true, allowAnyHost: true } as never });
    const URL = 'http://evil.example/fw.bin';
    serveImage(d, URL, image(5000));
    d.broker.push('downlink/ota/json', JSON.stringify({ url: URL, size: 5000 }));
    d.hal.time.flush();
    steps(d, 10_000);
    expect(d.hal.http!.requests).toEqual([URL]);
  });
});

describe('defect 9: the token in events and flash (C-SECRETS, C-REDIRECT-8)', () => {
  test('a redirect or OTA URL echoing the token reaches no event, detail, log line or flash record', () => {
    const d = makeApiDevice();
    const seen: string[] = [];
    for (const ev of ['state', 'error', 'redirect', 'fallback', 'ota', 'online'] as const) d.device.on(ev, (v) => seen.push(JSON.stringify(v, (_k, x) => (x instanceof BlynkError ? { ...x, message: x.message } : x))));
    d.broker.push('downlink/redirect', `mqtts://${TOKEN.toLowerCase()}.blynk.cloud:8883`);
    d.broker.push('downlink/redirect', `wss://fra1.blynk.cloud:443/${TOKEN}`);
    d.broker.push('downlink/redirect', `mqtts://evil-${TOKEN}.example:8883`);
    d.broker.push('downlink/ota/json', JSON.stringify({ url: `https://fra1.blynk.cloud/fw.bin?t=${TOKEN}`, size: 100 }));
    d.hal.time.flush();
    steps(d, 10_000);
    const all = [...seen, d.hal.log.text(), ...[...d.hal.storage.records.values()].map((v) => Buffer.from(v).toString('latin1'))].join('\n');
    expect(all.toLowerCase()).not.toContain(TOKEN.toLowerCase());
    expect(d.device.storedEndpoint).toBeUndefined();
    for (const e of d.errors) expect(JSON.stringify(e.detail ?? {})).not.toContain(TOKEN);
  });
});

describe('defect 12: redirect normalization (C-REDIRECT-8)', () => {
  test('a trailing dot is the same host: not followed, not stored', () => {
    const d = makeDevice({ server: 'mqtts://fra1.blynk.cloud:8883' });
    bringOnline(d);
    d.broker.push('downlink/redirect', 'mqtts://FRA1.blynk.cloud.:8883');
    steps(d, 5000);
    expect(d.client.counters.redirects).toBe(0);
    expect(d.client.storedEndpoint).toBeUndefined();
  });

  test('a ws/wss path with NUL or control characters is refused', () => {
    for (const bad of ['wss://fra1.blynk.cloud/mq\u0000tt', 'wss://fra1.blynk.cloud/mq\u0007tt', 'wss://fra1.blynk.cloud/m\u007ft']) {
      const d = makeDevice();
      bringOnline(d);
      d.broker.send(publish('downlink/redirect', bad));
      steps(d, 5000);
      expect(d.client.counters.redirects).toBe(0);
      expect(d.errors.map((e) => e.code)).toContain(ErrorCode.REDIRECT_INVALID);
    }
  });
});

describe('defect 14: misuse throws or slips through (C-APP-3)', () => {
  test('writeBatch(null) and undefined are typed errors, not a TypeError', () => {
    const d = makeApiDevice();
    expect(() => d.device.writeBatch(null as never)).not.toThrow();
    expect((d.device.writeBatch(null as never) as BlynkError).code).toBe(ErrorCode.BAD_VALUE);
    expect((d.device.writeBatch(undefined as never) as BlynkError).code).toBe(ErrorCode.BAD_VALUE);
  });

  test('batch arrays holding undefined or objects are refused and nothing is sent', () => {
    const d = makeApiDevice();
    const before = d.broker.uplinks().length;
    expect((d.device.writeBatch({ A: [1, undefined] as never }) as BlynkError).code).toBe(ErrorCode.BAD_VALUE);
    expect((d.device.writeBatch({ A: [1, { x: 1 }] as never }) as BlynkError).code).toBe(ErrorCode.BAD_VALUE);
    expect((d.device.writeBatch({ A: { x: 1 } as never }) as BlynkError).code).toBe(ErrorCode.BAD_VALUE);
    d.hal.time.flush();
    expect(d.broker.uplinks().length).toBe(before);
  });

  test('onWrite with a handler that is not a function is a typed error at once', () => {
    const d = makeApiDevice();
    let r: unknown;
    expect(() => (r = d.device.onWrite('X', 42 as never))).not.toThrow();
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.BAD_VALUE);
    expect(r).toBeInstanceOf(BlynkError);
    expect((r as BlynkError).code).toBe(ErrorCode.BAD_VALUE);
  });

  test('a second BlynkDevice on the same HAL and token is a typed error', () => {
    const hal = createMockHal();
    new FakeBroker(hal);
    const a = BlynkDevice.create({ hal, token: TOKEN, templateId: 'TMPL0001' });
    expect(a).toBeInstanceOf(BlynkDevice);
    const b = BlynkDevice.create({ hal, token: TOKEN, templateId: 'TMPL0001' });
    expect(b).toBeInstanceOf(BlynkError);
    expect((b as BlynkError).code).toBe(ErrorCode.IN_USE);
    (a as BlynkDevice).dispose();
    expect(BlynkDevice.create({ hal, token: TOKEN, templateId: 'TMPL0001' })).toBeInstanceOf(BlynkDevice);
  });
});
