// Emulator: uplinks are stored per token (exact bytes, in order) and get/* is answered from state.
import { jest } from '@jest/globals';
import net from 'node:net';
import { connectAsync } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { TOKEN, TOKEN2, cleanup, device, emulator, messages, nextMessage } from './helpers';

jest.setTimeout(30_000);
afterEach(cleanup);

describe('C-SESSION-2 info/mcu', () => {
  it('keeps the raw text and the parsed JSON', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    const info = '{"tmpl":"TMPL1","ver":"1.2.0","build":"Nov 26 2026 10:00:00","type":"TMPL1","rxbuff":1024}';
    const got = emu.waitForEvent('uplink', (e) => e.record.topic === 'info/mcu');
    c.publish('info/mcu', info);
    expect((await got).record.kind).toBe('info-mcu');
    const st = emu.device(TOKEN);
    expect(st.infoMcu?.raw).toBe(info);
    expect(st.infoMcu?.json).toEqual({ tmpl: 'TMPL1', ver: '1.2.0', build: 'Nov 26 2026 10:00:00', type: 'TMPL1', rxbuff: 1024 });
  });

  it('keeps malformed info/mcu with the parse error', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    const got = emu.waitForEvent('uplink');
    c.publish('info/mcu', '{"tmpl":');
    await got;
    expect(emu.device(TOKEN).infoMcu).toMatchObject({ raw: '{"tmpl":', error: expect.any(String) });
    expect(emu.device(TOKEN).infoMcu?.json).toBeUndefined();
  });
});

describe('C-API uplinks', () => {
  it('stores ds, multi-value ds, erase, properties, events and metadata', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    const all = emu.waitUntil(() => emu.uplinks(TOKEN).length === 10);
    c.publish('ds/Current Temperature', '21.7');
    c.publish('ds/List', 'a\0b\0c');
    c.publish('ds/Gone', 'x');
    c.publish('ds/Gone/erase', '');
    c.publish('ds/Status/prop/color', 'E4F6F7');
    c.publish('ds/Status/prop/isDisabled', '1');
    c.publish('ds/Status/prop/isDisabled/erase', '');
    c.publish('event/temp_is_high', '');
    c.publish('event/measurement_error', 'Failed to measure temperature');
    c.publish('meta/Serial Number', '12345');
    await all;
    const st = emu.device(TOKEN);
    expect(emu.datastream(TOKEN, 'Current Temperature')).toBe('21.7');
    expect(st.datastreams.get('List')).toBe('a\0b\0c');
    expect(st.dsValues('List')).toEqual(['a', 'b', 'c']);
    expect(st.datastreams.has('Gone')).toBe(false);
    expect(Object.fromEntries(st.properties.get('Status')!)).toEqual({ color: 'E4F6F7' });
    expect(st.events.map((e) => [e.code, e.description])).toEqual([['temp_is_high', ''], ['measurement_error', 'Failed to measure temperature']]);
    expect(st.meta.get('Serial Number')).toBe('12345');
    expect(st.uplinks.map((u) => u.kind)).toEqual(['ds', 'ds', 'ds', 'ds-erase', 'prop', 'prop', 'prop-erase', 'event', 'event', 'meta']);
  });

  it('stores each key of batch_ds', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    const got = emu.waitForEvent('uplink');
    c.publish('batch_ds', '{"Temperature":23.1,"Humidity":72,"Device On":true,"Location":[30.52,50.45],"Name":"heater"}');
    expect((await got).record.kind).toBe('batch-ds');
    const st = emu.device(TOKEN);
    expect(Object.fromEntries(st.datastreams)).toEqual({ Temperature: '23.1', Humidity: '72', 'Device On': 'true', Location: '30.52\x0050.45', Name: 'heater' });
    expect(st.lastBatch).toEqual({ Temperature: 23.1, Humidity: 72, 'Device On': true, Location: [30.52, 50.45], Name: 'heater' });
  });

  it('stores timestamped batches and keeps the last value', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    const got = emu.waitForEvent('uplink');
    c.publish('ds/Temp/timestamped_batch', '[[1772639468034,22.5],[1772639468341,23.0]]');
    expect((await got).record.kind).toBe('timestamped-batch');
    expect(emu.device(TOKEN).timestamped.get('Temp')).toEqual([[1772639468034, 22.5], [1772639468341, 23]]);
    expect(emu.datastream(TOKEN, 'Temp')).toBe('23');
  });

  it('logs every uplink in order with exact payload bytes and QoS', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    const bytes = Buffer.from([0x31, 0x00, 0xff, 0x32]);
    const done = emu.waitUntil(() => emu.uplinks(TOKEN).length === 3);
    c.publish('ds/A', bytes, { qos: 0 });
    await c.publishAsync('ds/B', 'two', { qos: 1 });
    c.publish('ds/A', '3');
    await done;
    const log = emu.uplinks(TOKEN);
    expect(log.map((u) => [u.topic, u.qos])).toEqual([['ds/A', 0], ['ds/B', 1], ['ds/A', 0]]);
    expect(log[0]!.payload.equals(bytes)).toBe(true);
    expect(log[0]!.seq).toBeLessThan(log[1]!.seq);
    expect(emu.uplinks(TOKEN, 'ds/A')).toHaveLength(2);
  });

  it('records the Last Will as an uplink when the device drops', async () => {
    const emu = await emulator();
    const c = await connectAsync(emu.uri(), { username: 'device', password: TOKEN, reconnectPeriod: 0, will: { topic: 'ds/Status', payload: Buffer.from('offline'), qos: 0, retain: false } });
    const will = emu.waitForEvent('uplink', (e) => e.record.will);
    c.stream.destroy();
    expect((await will).record).toMatchObject({ topic: 'ds/Status', will: true });
    expect(emu.datastream(TOKEN, 'Status')).toBe('offline');
    await c.endAsync(true);
  });
});

describe('C-API replies from the emulated cloud', () => {
  it('get/ds answers one downlink/ds/<name> per known name', async () => {
    const emu = await emulator({ devices: { [TOKEN]: { datastreams: { Power: 1, 'Set Temperature': 23.5, Multi: ['x', 2] } } } });
    const c = await device(emu, emu.uri());
    await c.subscribeAsync('downlink/#');
    const got = messages(c, 'downlink/ds/', 3);
    c.publish('get/ds', 'Power,Set Temperature,Unknown,Multi');
    expect((await got).map((m) => [m.topic, m.payload.toString()])).toEqual([
      ['downlink/ds/Power', '1'], ['downlink/ds/Set Temperature', '23.5'], ['downlink/ds/Multi', 'x\x002'],
    ]);
  });

  it('get/ds/all answers every datastream with a value, including ones the device wrote', async () => {
    const emu = await emulator({ devices: { [TOKEN]: { datastreams: { Power: '0' } } } });
    const c = await device(emu, emu.uri());
    await c.subscribeAsync('downlink/#');
    c.publish('ds/Mode', 'eco');
    const got = messages(c, 'downlink/ds/', 2);
    c.publish('get/ds/all', '');
    expect((await got).map((m) => `${m.topic}=${m.payload}`).sort()).toEqual(['downlink/ds/Mode=eco', 'downlink/ds/Power=0']);
  });

  it('get/meta answers downlink/meta/<name> for known names', async () => {
    const emu = await emulator({ devices: { [TOKEN]: { meta: { 'Device Name': 'Kitchen heater' } } } });
    const c = await device(emu, emu.uri());
    await c.subscribeAsync('downlink/#');
    c.publish('meta/Hotspot Name', 'Blynk-1234');
    const got = messages(c, 'downlink/meta/', 2);
    c.publish('get/meta', 'Device Name,Nope,Hotspot Name');
    expect((await got).map((m) => `${m.topic}=${m.payload}`)).toEqual(['downlink/meta/Device Name=Kitchen heater', 'downlink/meta/Hotspot Name=Blynk-1234']);
  });

  it('get/utc/all/json answers from the configured clock and timezone', async () => {
    const emu = await emulator({
      clock: () => 1795689600000,
      timezone: { name: 'Europe/Berlin', rule: 'CET-1CEST,M3.5.0,M10.5.0/3', offset: 60, dstOffset: 0 },
    });
    const c = await device(emu, emu.uri());
    await c.subscribeAsync('downlink/#');
    let got = nextMessage(c, 'downlink/utc/all/json');
    c.publish('get/utc/all/json', '');
    expect(JSON.parse((await got).payload.toString())).toEqual({
      tz_name: 'Europe/Berlin', tz_rule: 'CET-1CEST,M3.5.0,M10.5.0/3', tz_offset: 60, dst_offset: 0, time: 1795689600000, iso8601: '2026-11-26T11:40:00+01:00',
    });
    emu.setTimezone({ name: 'Asia/Kolkata', rule: 'IST-5:30', offset: 330 });
    emu.setClock(0);
    got = nextMessage(c, 'downlink/utc/all/json');
    c.publish('get/utc/all/json', '');
    expect(JSON.parse((await got).payload.toString())).toMatchObject({ tz_offset: 330, time: 0, iso8601: '1970-01-01T05:30:00+05:30' });
  });

  it('get/loc/all answers "lat,lon"', async () => {
    const emu = await emulator({ location: { lat: 50.45, lon: 30.52 } });
    const c = await device(emu, emu.uri());
    await c.subscribeAsync('downlink/#');
    const got = nextMessage(c, 'downlink/loc/all');
    c.publish('get/loc/all', '');
    expect((await got).payload.toString()).toBe('50.45,30.52');
  });

  it('C-SESSION-3 answers a fully pipelined CONNECT + SUBSCRIBE + PUBLISH sent in one write', async () => {
    const emu = await emulator();
    const { port } = emu.endpoint('mqtt');
    const bytes = Buffer.concat([
      mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: '', keepalive: 45, username: 'device', password: Buffer.from(TOKEN) }),
      mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'downlink/#', qos: 0 }] }),
      mqttPacket.generate({ cmd: 'publish', topic: 'get/loc/all', payload: Buffer.alloc(0), qos: 0, dup: false, retain: false }),
    ]);
    const sock = net.connect(port, '127.0.0.1', () => sock.write(bytes));
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const seen: string[] = [];
    const answered = new Promise<void>((resolve) => parser.on('packet', (p) => {
      seen.push(p.cmd === 'publish' ? `publish ${p.topic}=${p.payload.toString()}` : p.cmd);
      if (p.cmd === 'publish') resolve();
    }));
    sock.on('data', (d: Buffer) => parser.parse(d));
    try {
      await emu.waitUntil(() => emu.downlinks(TOKEN, 'downlink/loc/all').length === 1);
      await answered;
      expect(seen).toEqual(['connack', 'suback', 'publish downlink/loc/all=50.45,30.52']);
    } finally {
      sock.destroy();
    }
  });

  it('does not answer a device that has not subscribed (dropped and reported)', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    const dropped = emu.waitForEvent('downlinkDropped');
    c.publish('get/loc/all', '');
    expect(await dropped).toMatchObject({ topic: 'downlink/loc/all', reason: 'not-subscribed' });
    expect(emu.downlinks(TOKEN)).toEqual([]);
  });

  it('with requireSubscription false, answers without a subscription', async () => {
    const emu = await emulator({ requireSubscription: false });
    const c = await device(emu, emu.uri());
    const got = nextMessage(c, 'downlink/loc/all');
    c.publish('get/loc/all', '');
    expect((await got).payload.toString()).toBe('50.45,30.52');
  });

  it('a device publishing under downlink/ reaches no other device', async () => {
    const emu = await emulator();
    const victim = await device(emu, emu.uri(), TOKEN2);
    await victim.subscribeAsync('downlink/#');
    const c = await device(emu, emu.uri());
    let leaked = false;
    victim.on('message', (topic) => {
      if (topic === 'downlink/ds/Power') leaked = true;
    });
    c.publish('downlink/ds/Power', '1');
    c.publish('ds/Marker', 'm'); // processed after the first one
    await emu.waitForEvent('uplink', (e) => e.record.topic === 'ds/Marker');
    // A forwarded message would have been written before the marker was handled; prove the path is idle with a ping round trip.
    await emu.ping(TOKEN2);
    expect(leaked).toBe(false);
    expect(emu.downlinks(TOKEN2, 'downlink/ds/Power')).toEqual([]);
  });
});
