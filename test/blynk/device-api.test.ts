import { asBoolean, asList, asNumber } from '../../src/blynk/names';
import { BlynkDevice } from '../../src/blynk/device';
import { ErrorCode } from '../../src/errors';
import { createMockHal } from '../../hal/mock';
import { makeApiDevice, hex } from '../support/device';
import { TOKEN } from '../support/tokens';

/** The last uplink as [topic, payload bytes in hex]. */
function lastUplink(d: ReturnType<typeof makeApiDevice>): [string, string] {
  const p = d.broker.packets('publish').pop()!;
  return [p.topic, hex(p.payload)];
}
const h = (s: string) => Buffer.from(s, 'utf8').toString('hex');

describe('C-API uplinks: exact topics and payload bytes', () => {
  test('write: text, numbers, switches', () => {
    const d = makeApiDevice();
    expect(d.device.write('Temperature', 21.7)).toBeNull();
    expect(lastUplink(d)).toEqual(['ds/Temperature', h('21.7')]);
    d.device.write('Power', true);
    expect(lastUplink(d)).toEqual(['ds/Power', h('1')]);
    d.device.write('Power', false);
    expect(lastUplink(d)).toEqual(['ds/Power', h('0')]);
    d.device.write('Label', 'héllo 😀');
    expect(lastUplink(d)).toEqual(['ds/Label', h('héllo 😀')]);
  });

  test('write: names with spaces work', () => {
    const d = makeApiDevice();
    expect(d.device.write('Set Temperature', 23.5)).toBeNull();
    expect(lastUplink(d)).toEqual(['ds/Set Temperature', h('23.5')]);
  });

  test('write: arrays are joined with NUL', () => {
    const d = makeApiDevice();
    d.device.write('RGB', [255, 128, 0]);
    expect(lastUplink(d)).toEqual(['ds/RGB', '323535' + '00' + '313238' + '00' + '30']);
    d.device.write('Words', ['a', 'b c', '']);
    expect(lastUplink(d)).toEqual(['ds/Words', '61' + '00' + '622063' + '00']);
  });

  test('writeBatch: one batch_ds JSON message, Location as [lon, lat]', () => {
    const d = makeApiDevice();
    expect(d.device.writeBatch({ Temperature: 23.1, Humidity: 72, 'Device On': true, Name: 'kitchen', Location: { lat: 50.45, lon: 30.52 } })).toBeNull();
    const [topic, payload] = lastUplink(d);
    expect(topic).toBe('batch_ds');
    expect(Buffer.from(payload, 'hex').toString()).toBe('{"Temperature":23.1,"Humidity":72,"Device On":true,"Name":"kitchen","Location":[30.52,50.45]}');
  });

  test('erase, properties, events, metadata', () => {
    const d = makeApiDevice();
    d.device.erase('Temperature');
    expect(lastUplink(d)).toEqual(['ds/Temperature/erase', '']);
    d.device.setProperty('Status', 'color', 'E4F6F7');
    expect(lastUplink(d)).toEqual(['ds/Status/prop/color', h('E4F6F7')]);
    d.device.setProperty('Set Temperature', 'isDisabled', true);
    expect(lastUplink(d)).toEqual(['ds/Set Temperature/prop/isDisabled', h('1')]);
    d.device.setProperty('Menu', 'labels', ['Off', 'Low', 'High']);
    expect(lastUplink(d)).toEqual(['ds/Menu/prop/labels', h('Off') + '00' + h('Low') + '00' + h('High')]);
    d.device.eraseProperty('Status', 'color');
    expect(lastUplink(d)).toEqual(['ds/Status/prop/color/erase', '']);
    d.device.logEvent('temp_is_high');
    expect(lastUplink(d)).toEqual(['event/temp_is_high', '']);
    d.device.logEvent('measurement_error', 'Failed to measure temperature');
    expect(lastUplink(d)).toEqual(['event/measurement_error', h('Failed to measure temperature')]);
    d.device.setMetadata('Serial Number', '12345');
    expect(lastUplink(d)).toEqual(['meta/Serial Number', h('12345')]);
  });

  test('requests: sync, syncAll, getMetadata, getTime, getLocation', () => {
    const d = makeApiDevice();
    d.device.sync('Power', 'Set Temperature');
    expect(lastUplink(d)).toEqual(['get/ds', h('Power,Set Temperature')]);
    d.device.syncAll();
    expect(lastUplink(d)).toEqual(['get/ds/all', '']);
    d.device.getMetadata('Serial Number', 'Time Zone');
    expect(lastUplink(d)).toEqual(['get/meta', h('Serial Number,Time Zone')]);
    d.device.getTime();
    expect(lastUplink(d)).toEqual(['get/utc/all/json', '']);
    d.device.getLocation();
    expect(lastUplink(d)).toEqual(['get/loc/all', '']);
  });

  test.each([
    ['an empty name', () => ['', 1]],
    ["a '/'", () => ['a/b', 1]],
    ["a '#'", () => ['a#', 1]],
    ["a '+'", () => ['a+b', 1]],
    ['NUL', () => ['a\u0000b', 1]],
  ])('C-API name validation: %s is BAD_NAME, and nothing is sent', (_what, args) => {
    const d = makeApiDevice();
    const before = d.broker.packets('publish').length;
    const [name, value] = args() as [string, number];
    expect(d.device.write(name, value)?.code).toBe(ErrorCode.BAD_NAME);
    expect(d.device.erase(name)?.code).toBe(ErrorCode.BAD_NAME);
    expect(d.device.setProperty('ok', name, 1)?.code).toBe(ErrorCode.BAD_NAME);
    expect(d.device.setProperty(name, 'color', 1)?.code).toBe(ErrorCode.BAD_NAME);
    expect(d.device.logEvent(name)?.code).toBe(ErrorCode.BAD_NAME);
    expect(d.device.setMetadata(name, 'x')?.code).toBe(ErrorCode.BAD_NAME);
    expect(d.device.sync(name)?.code).toBe(ErrorCode.BAD_NAME);
    expect(d.device.writeBatch({ [name]: 1 })?.code).toBe(ErrorCode.BAD_NAME);
    expect(d.broker.packets('publish').length).toBe(before);
  });

  test('names for get/ds and get/meta may not contain a comma', () => {
    const d = makeApiDevice();
    expect(d.device.sync('a,b')?.code).toBe(ErrorCode.BAD_NAME);
    expect(d.device.getMetadata('x,y')?.code).toBe(ErrorCode.BAD_NAME);
    expect(d.device.sync()?.code).toBe(ErrorCode.BAD_NAME);
  });

  test('bad values are typed errors', () => {
    const d = makeApiDevice();
    expect(d.device.write('x', NaN)?.code).toBe(ErrorCode.BAD_VALUE);
    expect(d.device.write('x', [1, Infinity])?.code).toBe(ErrorCode.BAD_VALUE);
    expect(d.device.writeBatch({ Location: { lat: NaN, lon: 1 } })?.code).toBe(ErrorCode.BAD_VALUE);
    expect(d.device.writeBatch({})?.code).toBe(ErrorCode.BAD_VALUE);
  });

  test('C-LIMITS every outgoing message is size-checked', () => {
    const d = makeApiDevice();
    expect(d.device.write('Terminal', 'x'.repeat(1100))?.code).toBe(ErrorCode.TOO_LARGE);
    expect(d.device.logEvent('e', 'x'.repeat(1100))?.code).toBe(ErrorCode.TOO_LARGE);
    const big: Record<string, number> = {};
    for (let i = 0; i < 200; i++) big[`stream ${i}`] = i;
    expect(d.device.writeBatch(big)?.code).toBe(ErrorCode.TOO_LARGE);
    expect(d.device.online).toBe(true);
  });
});

describe('C-RECONNECT-3 offline writes', () => {
  test('refused with OFFLINE by default', () => {
    const d = makeApiDevice({}, { online: false });
    expect(d.device.write('Temperature', 20)?.code).toBe(ErrorCode.OFFLINE);
    expect(d.device.logEvent('x')?.code).toBe(ErrorCode.OFFLINE);
  });

  test('keep-latest: the latest value per datastream goes out after the next info/mcu, in one batch_ds', () => {
    const d = makeApiDevice({ offline: 'keep-latest' });
    d.broker.conn!.cut();
    d.hal.time.flush();
    expect(d.device.online).toBe(false);
    for (let i = 0; i < 100; i++) expect(d.device.write('Temperature', 20 + i)).toBeNull();
    d.device.write('Power', true);
    d.device.write('Label', 'hi');
    expect(d.device.pending).toBe(3);
    d.hal.time.advance(2000);
    expect(d.device.online).toBe(true);
    const ups = d.broker.uplinks(2);
    expect(ups.map(([t]) => t)).toEqual(['info/mcu', 'batch_ds']);
    expect(JSON.parse(ups[1]![1])).toEqual({ Temperature: 119, Power: 1, Label: 'hi' });
    expect(d.device.pending).toBe(0);
  });

  test('keep-latest is bounded by the number of datastreams, never a queue', () => {
    const d = makeApiDevice({ offline: 'keep-latest', maxDatastreams: 2 }, { online: false });
    expect(d.device.write('a', 1)).toBeNull();
    expect(d.device.write('b', 1)).toBeNull();
    expect(d.device.write('a', 2)).toBeNull(); // replaces
    expect(d.device.write('c', 1)?.code).toBe(ErrorCode.OFFLINE);
    expect(d.device.pending).toBe(2);
  });

  test('a single kept value goes as a plain ds write; arrays keep their NUL form', () => {
    const d = makeApiDevice({ offline: 'keep-latest' }, { online: false });
    d.device.write('RGB', [1, 2, 3]);
    d.device.write('Temperature', 21);
    d.device.start();
    d.hal.time.advance(100);
    expect(d.broker.uplinks()).toEqual([
      ['info/mcu', expect.any(String)],
      ['ds/RGB', '1\u00002\u00003'],
      ['ds/Temperature', '21'],
    ]);
  });
});

describe('rate awareness', () => {
  test('a burst beyond the rate is refused with RATE_LIMITED; the connection stays', () => {
    const d = makeApiDevice({ rate: { perSecond: 10, burst: 10 } });
    const results = Array.from({ length: 15 }, (_, i) => d.device.write('Temperature', i));
    expect(results.slice(0, 10).every((r) => r === null)).toBe(true);
    expect(results.slice(10).every((r) => r?.code === ErrorCode.RATE_LIMITED)).toBe(true);
    expect(d.device.online).toBe(true);
    d.hal.time.advance(500); // half a second refills 5
    expect(Array.from({ length: 6 }, () => d.device.write('T', 1)).filter((r) => r === null)).toHaveLength(5);
  });

  test('the default allows 50 in a burst', () => {
    const d = makeApiDevice();
    const ok = Array.from({ length: 60 }, () => d.device.write('T', 1)).filter((r) => r === null).length;
    expect(ok).toBe(50);
  });

  test('the limit can be turned off', () => {
    const d = makeApiDevice({ rate: false });
    expect(Array.from({ length: 200 }, () => d.device.write('T', 1)).every((r) => r === null)).toBe(true);
  });
});

describe('value helpers', () => {
  test('asNumber, asBoolean, asList', () => {
    expect(asNumber('23.5')).toBe(23.5);
    expect(asNumber('')).toBeNaN();
    expect(asNumber('x')).toBeNaN();
    expect([asBoolean('1'), asBoolean('0'), asBoolean('true'), asBoolean(''), asBoolean('2')]).toEqual([true, false, true, false, true]);
    expect(asList('a\u0000b\u0000')).toEqual(['a', 'b', '']);
  });
});

test('the device can be built without the OTA parts of the HAL', () => {
  const hal = createMockHal({ otaCapacity: 0 });
  expect(() => new BlynkDevice({ hal, token: TOKEN, templateId: 'T' })).not.toThrow();
});

describe('keptMessages (the offline flush)', () => {
  test('several values that do not fit one packet go as several batch_ds, each within the limit', async () => {
    const { keptMessages } = await import('../../src/blynk/offline');
    const entries: [string, number][] = Array.from({ length: 120 }, (_, i) => [`stream number ${i}`, i * 1.5]);
    const msgs = keptMessages(entries, 1024);
    expect(msgs.length).toBeGreaterThan(1);
    const merged: Record<string, number> = {};
    for (const { topic, payload } of msgs) {
      expect(topic).toBe('batch_ds');
      expect(2 + 8 + Buffer.byteLength(payload)).toBeLessThanOrEqual(1024);
      Object.assign(merged, JSON.parse(payload));
    }
    expect(merged).toEqual(Object.fromEntries(entries));
  });
});
