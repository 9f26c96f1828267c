import { ErrorCode } from '../../src/errors';
import { makeApiDevice } from '../support/device';

function push(d: ReturnType<typeof makeApiDevice>, topic: string, payload: string | Uint8Array, qos = 0, id = 1) {
  d.broker.push(topic, payload, qos, id);
  d.hal.time.flush();
}

describe('downlink dispatch (reference section 4)', () => {
  test('downlink/ds/<name> reaches that datastream\'s handler with the text value; names with spaces', () => {
    const d = makeApiDevice();
    const got: string[] = [];
    d.device.onWrite('Power', (v) => got.push(`Power=${v}`));
    d.device.onWrite('Set Temperature', (v, name) => got.push(`${name}=${v}`));
    push(d, 'downlink/ds/Power', '1');
    push(d, 'downlink/ds/Set Temperature', '23.5');
    push(d, 'downlink/ds/Terminal', 'help'); // no handler: ignored
    expect(got).toEqual(['Power=1', 'Set Temperature=23.5']);
  });

  test('onAnyWrite gets writes to datastreams without their own handler; unsubscribe works', () => {
    const d = makeApiDevice();
    const got: string[] = [];
    d.device.onWrite('Power', () => got.push('own'));
    d.device.onAnyWrite((name, v) => got.push(`any ${name}=${v}`));
    push(d, 'downlink/ds/Power', '1');
    push(d, 'downlink/ds/Terminal', 'help');
    d.device.offWrite('Power');
    push(d, 'downlink/ds/Power', '0');
    expect(got).toEqual(['own', 'any Terminal=help', 'any Power=0']);
  });

  test('downlink/meta/<name> reaches onMeta', () => {
    const d = makeApiDevice();
    const got: [string, string][] = [];
    d.device.onMeta((n, v) => got.push([n, v]));
    push(d, 'downlink/meta/Device Name', 'Kitchen heater');
    expect(got).toEqual([['Device Name', 'Kitchen heater']]);
  });

  test('downlink/utc/all/json is parsed for onTime (offsets in minutes, time in ms)', () => {
    const d = makeApiDevice();
    const got: unknown[] = [];
    d.device.onTime((t) => got.push(t));
    const t = { tz_name: 'Europe/Berlin', tz_rule: 'CET-1CEST,M3.5.0,M10.5.0/3', tz_offset: 60, dst_offset: 0, time: 1795689600000, iso8601: '2026-11-26T11:40:00+01:00' };
    push(d, 'downlink/utc/all/json', JSON.stringify(t));
    expect(got).toEqual([t]);
    push(d, 'downlink/utc/all/json', 'not json');
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.BAD_PAYLOAD);
  });

  test('downlink/loc/all "lat,lon" is parsed for onLocation', () => {
    const d = makeApiDevice();
    const got: unknown[] = [];
    d.device.onLocation((l) => got.push(l));
    push(d, 'downlink/loc/all', '50.45,30.52');
    expect(got).toEqual([{ lat: 50.45, lon: 30.52 }]);
    push(d, 'downlink/loc/all', '50.45');
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.BAD_PAYLOAD);
  });

  test('C-SESSION-4 downlink/ping at QoS 1 is acknowledged with PUBACK', () => {
    const d = makeApiDevice();
    let pings = 0;
    d.device.on('ping', () => pings++);
    push(d, 'downlink/ping', '', 1, 4242);
    expect(d.broker.packets('puback')).toEqual([{ type: 'puback', id: 4242 }]);
    expect(pings).toBe(1);
    expect(d.device.counters.pubacksSent).toBe(1);
  });

  test('every incoming QoS 1 message is acknowledged, whatever its topic', () => {
    const d = makeApiDevice();
    push(d, 'downlink/ds/Power', '1', 1, 7);
    push(d, 'downlink/whatever/new', 'x', 1, 8);
    expect(d.broker.packets('puback').map((p) => p.id)).toEqual([7, 8]);
  });

  test('downlink/reboot by default disconnects cleanly, then reboots through the HAL', () => {
    const d = makeApiDevice();
    push(d, 'downlink/reboot', '');
    d.hal.time.advance(100);
    expect(d.broker.packets('disconnect')).toHaveLength(1);
    expect(d.hal.device.reboots).toBe(1);
    d.hal.time.advance(10_000);
    expect(d.hal.device.reboots).toBe(1);
  });

  test('downlink/reboot goes to onReboot when set (and nothing else happens)', () => {
    const d = makeApiDevice();
    let asked = 0;
    d.device.onReboot(() => asked++);
    push(d, 'downlink/reboot', '');
    d.hal.time.advance(5000);
    expect(asked).toBe(1);
    expect(d.hal.device.reboots).toBe(0);
    expect(d.device.online).toBe(true);
  });

  test('downlink/reconfigure reaches onReconfigure; without one it is logged', () => {
    const d = makeApiDevice();
    push(d, 'downlink/reconfigure', '');
    expect(d.hal.log.text()).toContain('reconfigure');
    let n = 0;
    d.device.onReconfigure(() => n++);
    push(d, 'downlink/reconfigure', '');
    expect(n).toBe(1);
  });

  test('downlink/diag is logged by default, or goes to onDiag', () => {
    const d = makeApiDevice();
    push(d, 'downlink/diag', 'Too many messages');
    expect(d.hal.log.text()).toContain('server says: Too many messages');
    const got: string[] = [];
    d.device.onDiag((t) => got.push(t));
    push(d, 'downlink/diag', 'hello');
    expect(got).toEqual(['hello']);
  });

  test('C-SESSION-4 diag, ota/json and redirect are handled before (without) a SUBACK', () => {
    const d = makeApiDevice({}, { online: false });
    d.broker.answerSubscribes = false;
    const got: string[] = [];
    d.device.onDiag((t) => got.push(t));
    d.device.onOta((offer) => {
      got.push(`ota ${offer.ver}`);
      return false;
    });
    d.device.start();
    d.hal.time.flush();
    expect(d.broker.packets('subscribe')).toHaveLength(1);
    push(d, 'downlink/diag', 'early');
    push(d, 'downlink/ota/json', JSON.stringify({ url: 'http://x/fw.bin', size: 10, ver: '2.0.0' }));
    push(d, 'downlink/redirect', 'mqtts://fra1.blynk.cloud:8883');
    expect(got).toEqual(['early', 'ota 2.0.0']);
    expect(d.device.endpoint).toBe('mqtts://fra1.blynk.cloud:8883');
  });

  test('an unknown downlink/... topic reaches the catch-all handler', () => {
    const d = makeApiDevice();
    const got: string[] = [];
    d.device.onDownlink((topic, text) => got.push(`${topic}=${text}`));
    push(d, 'downlink/ds/Terminal', 'x'); // a datastream, not "unknown"
    push(d, 'downlink/brand/new/feature', '{"a":1}');
    expect(got).toEqual(['downlink/brand/new/feature={"a":1}']);
  });

  test('a throwing handler is reported as HANDLER_FAILED and does not break the connection', () => {
    const d = makeApiDevice();
    d.device.onWrite('Power', () => {
      throw new Error('boom');
    });
    const after: string[] = [];
    d.device.onWrite('Other', (v) => after.push(v));
    push(d, 'downlink/ds/Power', '1', 1, 9);
    push(d, 'downlink/ds/Other', 'ok');
    const e = d.errors.find((x) => x.code === ErrorCode.HANDLER_FAILED)!;
    expect(e.message).toContain('boom');
    expect(d.broker.packets('puback').map((p) => p.id)).toEqual([9]);
    expect(after).toEqual(['ok']);
    expect(d.device.online).toBe(true);
    expect(d.hal.transport.connections).toHaveLength(1);
  });

  test('a throwing event listener is contained too', () => {
    const d = makeApiDevice();
    d.device.on('ping', () => {
      throw new Error('listener bug');
    });
    push(d, 'downlink/ping', '', 1, 1);
    expect(d.device.online).toBe(true);
    expect(d.hal.log.text()).toContain('listener bug');
  });
});

describe('request/response helpers: handlers and promises with a timeout', () => {
  test('requestValues resolves when every asked datastream has replied, and handlers still run', async () => {
    const d = makeApiDevice();
    const seen: string[] = [];
    d.device.onWrite('Power', (v) => seen.push(v));
    const p = d.device.requestValues(['Power', 'Set Temperature']);
    expect(d.broker.uplinks().pop()).toEqual(['get/ds', 'Power,Set Temperature']);
    push(d, 'downlink/ds/Power', '1');
    push(d, 'downlink/ds/Other', 'x');
    push(d, 'downlink/ds/Set Temperature', '22');
    await expect(p).resolves.toEqual({ Power: '1', 'Set Temperature': '22' });
    expect(seen).toEqual(['1']);
  });

  test('requestMetadata, requestTime, requestLocation', async () => {
    const d = makeApiDevice();
    const m = d.device.requestMetadata(['Serial Number']);
    push(d, 'downlink/meta/Serial Number', '12345');
    await expect(m).resolves.toEqual({ 'Serial Number': '12345' });
    const t = d.device.requestTime();
    push(d, 'downlink/utc/all/json', JSON.stringify({ tz_name: 'UTC', tz_rule: '', tz_offset: 0, dst_offset: 0, time: 5, iso8601: 'x' }));
    await expect(t).resolves.toMatchObject({ time: 5, tz_name: 'UTC' });
    const l = d.device.requestLocation();
    push(d, 'downlink/loc/all', '1.5,-2.25');
    await expect(l).resolves.toEqual({ lat: 1.5, lon: -2.25 });
  });

  test('no reply in time is a typed TIMEOUT', async () => {
    const d = makeApiDevice({ requestTimeoutMs: 2000 });
    const p = d.device.requestTime();
    d.hal.time.advance(2000);
    await expect(p).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
  });

  test('a request that cannot be sent fails at once (OFFLINE), not at the timeout', async () => {
    const d = makeApiDevice({}, { online: false });
    await expect(d.device.requestLocation()).rejects.toMatchObject({ code: ErrorCode.OFFLINE });
    await expect(d.device.requestValues(['a/b'])).rejects.toMatchObject({ code: ErrorCode.BAD_NAME });
  });

  test('a malformed reply rejects with BAD_PAYLOAD', async () => {
    const d = makeApiDevice();
    const p = d.device.requestLocation();
    push(d, 'downlink/loc/all', 'nowhere');
    await expect(p).rejects.toMatchObject({ code: ErrorCode.BAD_PAYLOAD });
  });
});
