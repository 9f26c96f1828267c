import { MockStorage } from '../../hal/mock';
import { ErrorCode } from '../../src/errors';
import { bringOnline, makeDevice, type TestDevice } from '../support/device';

const FRA = 'mqtts://fra1.blynk.cloud:8883';

function opens(d: TestDevice): string[] {
  return d.hal.journal.filter((l) => l.startsWith('transport.open')).map((l) => l.slice('transport.open '.length));
}

/** Boot a device on `storage` and return where it connected first. */
function reboot(storage: MockStorage, options = {}): TestDevice {
  storage.powerOn();
  const d = makeDevice(options, { storage });
  bringOnline(d);
  return d;
}

describe('C-REDIRECT-3 an accepted redirect is stored, then followed', () => {
  test('the flash write comes before the new transport opens; DISCONNECT before the old one closes', () => {
    const d = makeDevice();
    d.broker.redirectOnConnect = FRA;
    d.client.start();
    d.hal.time.advance(10);
    d.broker.redirectOnConnect = undefined;
    d.hal.time.advance(10);
    expect(d.hal.journal).toEqual([
      'transport.open mqtts://blynk.cloud:8883',
      'storage.set blynk.ep.a',
      'transport.open mqtts://fra1.blynk.cloud:8883',
    ]);
    expect(d.broker.packets('disconnect', 1)).toHaveLength(1);
    expect(d.client.online).toBe(true);
    expect(d.client.endpoint).toMatchObject({ scheme: 'mqtts', host: 'fra1.blynk.cloud', port: 8883 });
    expect(d.client.storedEndpoint).toBe(FRA);
    expect(d.client.counters.redirects).toBe(1);
    expect(d.hal.transport.maxConcurrent).toBe(1);
    // The redirect is not a failure: no backoff was involved.
    expect(d.states.map((s) => s.to)).not.toContain('backoff');
  });

  test('C-REDIRECT-4 boot uses the stored endpoint: one connection, not two', () => {
    const storage = new MockStorage();
    const first = makeDevice({}, { storage });
    first.broker.redirectOnConnect = FRA;
    first.client.start();
    first.hal.time.advance(10);
    const second = reboot(storage);
    expect(opens(second)).toEqual([FRA]);
    expect(second.broker.packets('connect')).toHaveLength(1);
  });

  test('ws/wss paths are kept', () => {
    const d = makeDevice({ server: 'wss://blynk.cloud:443/mqtt' });
    d.broker.redirectOnConnect = 'wss://fra1.blynk.cloud:9443/custom/mqtt';
    d.client.start();
    d.hal.time.advance(10);
    expect(d.hal.transport.last!.target).toEqual({ scheme: 'wss', host: 'fra1.blynk.cloud', port: 9443, path: '/custom/mqtt' });
    expect(d.client.storedEndpoint).toBe('wss://fra1.blynk.cloud:9443/custom/mqtt');
  });

  test('a redirect to the endpoint already in use changes nothing', () => {
    const d = makeDevice();
    bringOnline(d);
    d.broker.push('downlink/redirect', 'mqtts://BLYNK.cloud:8883');
    d.hal.time.advance(10);
    expect(d.hal.transport.connections).toHaveLength(1);
    expect(d.hal.storage.writes).toHaveLength(0);
    expect(d.client.online).toBe(true);
  });

  test('the configured server host is allowed, and an upgrade from mqtt to mqtts is fine', () => {
    const d = makeDevice({ server: 'mqtt://127.0.0.1:1883' });
    bringOnline(d);
    d.broker.push('downlink/redirect', 'mqtts://127.0.0.1:2883');
    d.hal.time.advance(10);
    expect(d.client.endpoint).toMatchObject({ scheme: 'mqtts', host: '127.0.0.1', port: 2883 });
  });
});

describe('C-REDIRECT-3/6 flash faults', () => {
  function redirectTwice(fault: (s: MockStorage) => void): { d: TestDevice; storage: MockStorage } {
    const storage = new MockStorage();
    const d = makeDevice({}, { storage });
    bringOnline(d);
    d.broker.push('downlink/redirect', FRA);
    d.hal.time.advance(10);
    expect(d.client.storedEndpoint).toBe(FRA);
    fault(storage);
    d.broker.push('downlink/redirect', 'mqtts://lon1.blynk.cloud:8883');
    d.hal.time.advance(10);
    return { d, storage };
  }

  test('a failed write is reported; the redirect is still followed; the previous record stays valid', () => {
    const { d, storage } = redirectTwice((s) => (s.failNext = 1));
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.STORAGE_FAILED);
    expect(d.client.endpoint?.host).toBe('lon1.blynk.cloud');
    expect(d.client.online).toBe(true);
    expect(d.client.counters.storageFailures).toBe(1);
    expect(opens(reboot(storage))).toEqual([FRA]);
  });

  test('a torn write (power cut mid-write) leaves the previous record valid', () => {
    const { storage } = redirectTwice((s) => (s.tearNext = true));
    expect(storage.records.get('blynk.ep.b')!.length).toBeGreaterThan(0); // the torn half-record is there
    expect(opens(reboot(storage))).toEqual([FRA]);
  });

  test('power lost before the second write: the first record is used', () => {
    const { storage } = redirectTwice((s) => (s.poweredOff = true));
    expect(opens(reboot(storage))).toEqual([FRA]);
  });

  test('a completed second write wins over the first on the next boot', () => {
    const { storage } = redirectTwice(() => undefined);
    expect(opens(reboot(storage))).toEqual(['mqtts://lon1.blynk.cloud:8883']);
  });

  test('garbage in both slots is ignored: boot uses the configured server', () => {
    const storage = new MockStorage();
    storage.records.set('blynk.ep.a', Uint8Array.of(1, 2, 3));
    storage.records.set('blynk.ep.b', new Uint8Array(40).fill(0x42));
    expect(opens(reboot(storage))).toEqual(['mqtts://blynk.cloud:8883']);
  });
});

describe('C-REDIRECT-4 fallback after N failures of the stored endpoint', () => {
  function storedFra(): MockStorage {
    const storage = new MockStorage();
    const d = makeDevice({}, { storage });
    d.broker.redirectOnConnect = FRA;
    d.client.start();
    d.hal.time.advance(10);
    return storage;
  }

  test('3 failures in a row fall back to the default; the stored record is kept', () => {
    const storage = storedFra();
    const d = makeDevice({}, { storage });
    d.broker.downHosts.add('fra1.blynk.cloud');
    const fallbacks: unknown[] = [];
    d.client.events.on('fallback', (f) => fallbacks.push(f));
    bringOnline(d);
    expect(opens(d)).toEqual([FRA, FRA, FRA, 'mqtts://blynk.cloud:8883']);
    expect(fallbacks).toEqual([{ from: FRA, to: 'mqtts://blynk.cloud:8883' }]);
    expect(d.client.storedEndpoint).toBe(FRA);
  });

  test('the count is configurable', () => {
    const storage = storedFra();
    const d = makeDevice({ redirect: { fallbackAfter: 1 } }, { storage });
    d.broker.downHosts.add('fra1.blynk.cloud');
    bringOnline(d);
    expect(opens(d)).toEqual([FRA, 'mqtts://blynk.cloud:8883']);
  });

  test('auth failures do not count towards the fallback', () => {
    const storage = storedFra();
    const d = makeDevice({ authRetryMs: 1000 }, { storage });
    d.broker.connackByHost.set('fra1.blynk.cloud', 5);
    d.client.start();
    while (d.hal.transport.connections.length < 5) d.hal.time.step();
    expect(new Set(opens(d))).toEqual(new Set([FRA]));
  });

  test('a success resets the count', () => {
    const storage = storedFra();
    const d = makeDevice({}, { storage });
    d.broker.downHosts.add('fra1.blynk.cloud');
    d.client.start();
    while (d.hal.transport.connections.length < 2) d.hal.time.step();
    d.hal.time.flush();
    d.broker.downHosts.clear();
    while (!d.client.online) d.hal.time.step();
    d.broker.downHosts.add('fra1.blynk.cloud');
    d.broker.conn!.cut();
    while (d.hal.transport.connections.length < 5) d.hal.time.step();
    expect(opens(d)).toEqual([FRA, FRA, FRA, FRA, FRA]);
  });
});

describe('C-REDIRECT-1/2/5 rejected redirects keep the connection', () => {
  test.each([
    ['mqtt://fra1.blynk.cloud:1883', ErrorCode.REDIRECT_REJECTED, 'TLS'],
    ['ws://fra1.blynk.cloud:80/mqtt', ErrorCode.REDIRECT_REJECTED, 'TLS'],
    ['mqtts://evil.example.com:8883', ErrorCode.REDIRECT_REJECTED, 'not allowed'],
    ['mqtts://evilblynk.cloud:8883', ErrorCode.REDIRECT_REJECTED, 'not allowed'],
    ['mqtts://blynk.cloud.evil.com:8883', ErrorCode.REDIRECT_REJECTED, 'not allowed'],
    ['not a uri', ErrorCode.REDIRECT_INVALID, 'no scheme'],
    ['http://fra1.blynk.cloud', ErrorCode.REDIRECT_INVALID, 'unknown scheme'],
    ['mqtts://fra1.blynk.cloud:99999', ErrorCode.REDIRECT_INVALID, 'port'],
    ['mqtts://:8883', ErrorCode.REDIRECT_INVALID, 'empty host'],
  ])('%j is refused', (uri, code, why) => {
    const d = makeDevice();
    bringOnline(d);
    d.broker.push('downlink/redirect', uri);
    d.hal.time.advance(10);
    const e = d.errors.find((x) => x.code === code);
    expect(e?.message).toContain(why);
    expect(d.client.online).toBe(true);
    expect(d.hal.transport.connections).toHaveLength(1);
    expect(d.hal.storage.writes).toHaveLength(0);
    expect(d.client.counters.redirectsRejected).toBe(1);
  });

  test('a downgrade can be allowed explicitly', () => {
    const d = makeDevice({ redirect: { allowDowngrade: true } });
    bringOnline(d);
    d.broker.push('downlink/redirect', 'mqtt://fra1.blynk.cloud:1883');
    d.hal.time.advance(10);
    expect(d.client.endpoint?.scheme).toBe('mqtt');
  });

  test('more than 3 redirects within a minute: the 4th is ignored (loop guard); later ones work again', () => {
    const d = makeDevice();
    bringOnline(d);
    const hosts = ['fra1', 'lon1', 'ny3', 'sgp1', 'blr1'];
    for (const h of hosts.slice(0, 4)) {
      d.broker.push('downlink/redirect', `mqtts://${h}.blynk.cloud:8883`);
      d.hal.time.advance(1000);
    }
    expect(d.client.endpoint?.host).toBe('ny3.blynk.cloud');
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.REDIRECT_LOOP);
    expect(d.client.online).toBe(true);
    d.hal.time.advance(60_000);
    d.broker.push('downlink/redirect', 'mqtts://blr1.blynk.cloud:8883');
    d.hal.time.advance(10);
    expect(d.client.endpoint?.host).toBe('blr1.blynk.cloud');
  });
});
