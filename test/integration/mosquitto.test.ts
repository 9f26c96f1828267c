// The runtime on the Node HAL against a third-party broker, Debian's mosquitto, over mqtt,
// mqtts and ws. Skips with one clear line when mosquitto is not installed.
import mqtt, { type MqttClient } from 'mqtt';
import { createNodeHal, type NodeHal } from '../../hal/node';
import { BlynkDevice } from '../../src/blynk/device';
import { ErrorCode, type BlynkError } from '../../src/errors';
import { makeTestPki } from '../../tools/certs';
import { describeMosquitto, startMosquitto, type Mosquitto } from '../support/mosquitto';
import { waitFor } from '../support/wait';

let broker: Mosquitto;
let tester: MqttClient;
const cleanups: (() => void)[] = [];

interface Dev {
  hal: NodeHal;
  device: BlynkDevice;
  errors: BlynkError[];
  logs: string[];
}

function device(server: string, opts: { token?: string; ca?: string; subscribeQos?: 0 | 1 } = {}): Dev {
  const logs: string[] = [];
  const hal = createNodeHal({ ca: opts.ca ?? broker.caPem, log: (level, m) => logs.push(`${level} ${m}`) });
  const device = new BlynkDevice({
    hal,
    token: opts.token ?? broker.token,
    templateId: 'TMPLinterop',
    firmware: { version: '1.0.0', build: 'Nov 26 2026 10:00:00' },
    server,
    subscribeQos: opts.subscribeQos,
    backoff: { baseMs: 100, capMs: 1000 },
  });
  const errors: BlynkError[] = [];
  device.on('error', (e) => errors.push(e));
  cleanups.push(() => {
    device.stop();
    hal.dispose();
  });
  return { hal, device, errors, logs };
}

/** Everything the tester sees on `filter`, from the moment its SUBACK is back. */
async function received(filter: string): Promise<{ topic: string; payload: string }[]> {
  const got: { topic: string; payload: string }[] = [];
  tester.on('message', (topic, payload) => got.push({ topic, payload: payload.toString() }));
  await tester.subscribeAsync(filter);
  return got;
}

/** Start the device and wait until it is online and its downlink/# subscription acknowledged. */
async function online(d: Dev): Promise<void> {
  let subscribed = false;
  d.device.on('subscribed', () => (subscribed = true));
  d.device.start();
  await waitFor(() => d.device.online && subscribed, 'online and subscribed');
}

describeMosquitto!('interop with mosquitto', () => {
  beforeAll(async () => {
    broker = await startMosquitto({ extraConfig: ['max_inflight_messages 1'] });
    tester = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.tcpPort}`, {
      username: 'tester',
      password: broker.tester.password,
      reconnectPeriod: 0,
    });
  });

  afterEach(() => {
    while (cleanups.length) cleanups.pop()!();
    tester.removeAllListeners('message');
  });

  afterAll(async () => {
    await tester.endAsync();
    await broker.stop();
  });

  const schemes = () => [
    ['mqtt', `mqtt://127.0.0.1:${broker.tcpPort}`],
    ['mqtts', `mqtts://localhost:${broker.tlsPort}`],
    ['ws', `ws://127.0.0.1:${broker.wsPort}/mqtt`],
  ];

  for (const scheme of ['mqtt', 'mqtts', 'ws'] as const) {
    test(`${scheme}: connect, subscribe, info/mcu, values both ways`, async () => {
      const uri = schemes().find(([s]) => s === scheme)![1]!;
      const up = await received('#');
      const d = device(uri);
      const writes: string[] = [];
      d.device.onWrite('Power', (v) => writes.push(v));
      await online(d);
      await waitFor(() => up.some((m) => m.topic === 'info/mcu'), 'info/mcu at the broker');
      const info = JSON.parse(up.find((m) => m.topic === 'info/mcu')!.payload);
      expect(info).toEqual({ tmpl: 'TMPLinterop', ver: '1.0.0', build: 'Nov 26 2026 10:00:00', type: 'TMPLinterop', rxbuff: 1024 });
      expect(d.device.write('Temperature', 21.5)).toBeNull();
      await waitFor(() => up.some((m) => m.topic === 'ds/Temperature' && m.payload === '21.5'), 'ds/Temperature at the broker');
      await tester.publishAsync('downlink/ds/Power', '1');
      await waitFor(() => writes.length === 1, 'downlink/ds/Power at the device');
      expect(writes).toEqual(['1']);
      expect(d.errors).toEqual([]);
    });
  }

  test('QoS 1: every message is acknowledged (mosquitto sends the next only after our PUBACK)', async () => {
    const d = device(`mqtt://127.0.0.1:${broker.tcpPort}`, { subscribeQos: 1 });
    const got: string[] = [];
    d.device.onWrite('Counter', (v) => got.push(v));
    await online(d);
    for (let i = 1; i <= 5; i++) await tester.publishAsync('downlink/ds/Counter', String(i), { qos: 1 });
    // max_inflight_messages 1: without a PUBACK for message 1, message 2 would never come.
    await waitFor(() => got.length === 5, 'five QoS 1 messages');
    expect(got).toEqual(['1', '2', '3', '4', '5']);
    expect(d.device.counters.pubacksSent).toBe(5);
  });

  test('C-CONN-4 a wrong password (CONNACK 5) is auth-failed, with the next try 15 minutes away', async () => {
    const d = device(`mqtt://127.0.0.1:${broker.tcpPort}`, { token: 'Wrong_Token_0123456789abcdefXYZ' });
    const states: string[] = [];
    d.device.on('state', (s) => states.push(`${s.to}: ${s.reason}`));
    d.device.start();
    await waitFor(() => d.device.state === 'auth-failed', 'auth-failed');
    expect(d.errors[0]).toMatchObject({ code: ErrorCode.AUTH_FAILED, detail: { returnCode: 5 } });
    expect(states.pop()).toMatch(/next try in 900 s/);
    expect(d.device.counters.attempts).toBe(1);
  });

  test('a broker certificate from an unknown CA is refused; never online', async () => {
    const other = await makeTestPki(['localhost', '127.0.0.1'], 'some other CA');
    const d = device(`mqtts://localhost:${broker.tlsPort}`, { ca: other.caPem });
    let online = false;
    d.device.on('online', () => (online = true));
    d.device.start();
    await waitFor(() => d.errors.length > 0, 'a TLS error');
    expect(d.errors[0]!.code).toBe(ErrorCode.TLS_FAILED);
    expect(online).toBe(false);
  });
});
