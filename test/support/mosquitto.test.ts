// Proves the mosquitto harness with a known-good client (mqtt.js): every listener, the
// credentials, the ACL, and kill + restart on the same ports.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { describeMosquitto, type Mosquitto, startMosquitto } from './mosquitto';

const clients: MqttClient[] = [];
let broker: Mosquitto;

function options(extra: IClientOptions = {}): IClientOptions {
  return {
    protocolVersion: 4,
    username: 'device',
    password: broker.token,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...extra,
  };
}

async function connect(url: string, extra: IClientOptions = {}): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, options(extra), false);
  clients.push(client);
  return client;
}

function tester(): Promise<MqttClient> {
  return connect(`mqtt://127.0.0.1:${broker.tcpPort}`, { username: 'tester', password: broker.tester.password });
}

/** The next message a client receives. */
function nextMessage(client: MqttClient): Promise<{ topic: string; payload: string }> {
  return new Promise((resolve) => client.once('message', (topic, payload) => resolve({ topic, payload: payload.toString() })));
}

describeMosquitto!('mosquitto harness', () => {
  beforeAll(async () => {
    broker = await startMosquitto({ token: 'tok_harness_0123456789' });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('listens on three distinct loopback ports', () => {
    const ports = [broker.tcpPort, broker.tlsPort, broker.wsPort];
    expect(new Set(ports).size).toBe(3);
    expect(broker.host).toBe('127.0.0.1');
    expect(broker.caPem).toMatch(/BEGIN CERTIFICATE/);
  });

  it('tcp: the device receives what the tester publishes on downlink/', async () => {
    const device = await connect(`mqtt://127.0.0.1:${broker.tcpPort}`);
    await device.subscribeAsync('downlink/#', { qos: 1 });
    const got = nextMessage(device);
    await (await tester()).publishAsync('downlink/ds/Power', '1', { qos: 1 });
    expect(await got).toEqual({ topic: 'downlink/ds/Power', payload: '1' });
  });

  it('tls with the CA (host name and IP): the tester receives what the device publishes', async () => {
    const t = await tester();
    await t.subscribeAsync('ds/#', { qos: 1 });
    for (const host of ['localhost', '127.0.0.1']) {
      const device = await connect(`mqtts://${host}:${broker.tlsPort}`, { ca: broker.caPem });
      const got = nextMessage(t);
      await device.publishAsync('ds/Temperature', host, { qos: 1 });
      expect(await got).toEqual({ topic: 'ds/Temperature', payload: host });
    }
  });

  it('tls without the CA is refused by the client', async () => {
    await expect(connect(`mqtts://localhost:${broker.tlsPort}`)).rejects.toThrow(/certificate/i);
  });

  it('ws (subprotocol mqtt): publish and subscribe both ways', async () => {
    const t = await tester();
    await t.subscribeAsync('event/#', { qos: 1 });
    const device = await connect(`ws://127.0.0.1:${broker.wsPort}/mqtt`);
    await device.subscribeAsync('downlink/#', { qos: 1 });
    const up = nextMessage(t);
    await device.publishAsync('event/overheat', 'hot', { qos: 1 });
    expect(await up).toEqual({ topic: 'event/overheat', payload: 'hot' });
    const down = nextMessage(device);
    await t.publishAsync('downlink/reboot', '', { qos: 1 });
    expect(await down).toEqual({ topic: 'downlink/reboot', payload: '' });
  });

  it('the ACL drops device publishes outside its uplink topics', async () => {
    const t = await tester();
    await t.subscribeAsync('#', { qos: 1 });
    const device = await connect(`mqtt://127.0.0.1:${broker.tcpPort}`);
    const seen: string[] = [];
    const lastArrived = new Promise<void>((resolve) =>
      t.on('message', (topic) => {
        seen.push(topic);
        if (topic === 'meta/done') resolve();
      }),
    );
    // In order on one connection: once the last arrives, any earlier one would have too.
    for (const topic of ['other/x', 'downlink/ds/x', 'batch_ds', 'get/ds', 'info/mcu', 'meta/done']) {
      await device.publishAsync(topic, 'x', { qos: 1 });
    }
    await lastArrived;
    expect(seen).toEqual(['batch_ds', 'get/ds', 'info/mcu', 'meta/done']);
  });

  it('a wrong password gets CONNACK 5 on every listener', async () => {
    const urls = [
      `mqtt://127.0.0.1:${broker.tcpPort}`,
      `mqtts://localhost:${broker.tlsPort}`,
      `ws://127.0.0.1:${broker.wsPort}/mqtt`,
    ];
    for (const url of urls) {
      await expect(connect(url, { password: 'wrong', ca: broker.caPem })).rejects.toMatchObject({ code: 5 });
    }
  });

  it('kill + restart: the broker comes back on the same ports', async () => {
    const ports = [broker.tcpPort, broker.tlsPort, broker.wsPort];
    const device = await connect(`mqtt://127.0.0.1:${broker.tcpPort}`);
    const dropped = new Promise<void>((resolve) => device.once('close', () => resolve()));
    await broker.kill();
    await dropped;
    await broker.restart();
    expect([broker.tcpPort, broker.tlsPort, broker.wsPort]).toEqual(ports);
    const again = await connect(`mqtt://127.0.0.1:${broker.tcpPort}`);
    await again.subscribeAsync('downlink/#', { qos: 1 });
    const got = nextMessage(again);
    await (await tester()).publishAsync('downlink/ds/x', 'back', { qos: 1 });
    expect((await got).payload).toBe('back');
    await connect(`ws://127.0.0.1:${broker.wsPort}/mqtt`);
    await connect(`mqtts://localhost:${broker.tlsPort}`, { ca: broker.caPem });
    expect(broker.log()).toMatch(/running/);
  });
});
