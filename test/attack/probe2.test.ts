import { createMockHal } from '../../hal/mock';
import { BlynkDevice } from '../../src/blynk/device';
import { FakeBroker } from '../../tools/broker/fake-broker';
import { connack, packet, publish } from '../../tools/broker/server-codec';
import { bringOnline, makeApiDevice, makeDevice } from '../support/device';
import { TOKEN } from '../support/tokens';

function run(d: { hal: { time: { advance(ms: number): void } } }, ms: number): void {
  for (let t = 0; t < ms; t += 100) d.hal.time.advance(100);
}
async function ticks(n = 5): Promise<void> { for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r)); }

test('l: writable=false when CONNACK arrives', () => {
  const d = makeDevice({}, { latencyMs: 50 });
  d.hal.transport.onRecord = (c) => {
    const w = c.write.bind(c);
    let n = 0;
    c.write = (b: Uint8Array) => { const ok = w(b); if (n++ === 0) c.writable = false; return ok; };
    d.hal.time.set(() => c.drain(), 200);
  };
  d.client.start();
  run(d, 600_000);
  console.log('l', d.client.state, d.broker.packets('subscribe').length, d.errors.map((e) => e.code).join(','));
});

test('m: keep-latest flush refused while the transport is full, then a newer value online', () => {
  const d = makeApiDevice({ offline: 'keep-latest' });
  d.broker.conn!.cut('reset');
  run(d, 100);
  d.device.write('A', 1);
  d.hal.transport.onRecord = (c) => {
    const w = c.write.bind(c);
    let pubs = 0;
    c.write = (b: Uint8Array) => { if ((b[0]! & 0xf0) === 0x30 && ++pubs === 2) return false; return w(b); };
  };
  run(d, 120_000);
  console.log('m1', d.device.state, d.device.pending, d.errors.map((e) => e.code).join(','));
  d.device.write('A', 2);
  d.broker.conn!.cut('reset');
  d.hal.transport.onRecord = undefined;
  run(d, 120_000);
  console.log('m2', d.device.state, JSON.stringify(d.broker.uplinks().filter(([t]) => t.startsWith('ds/') || t === 'batch_ds')));
});

test('n: CONNACK 5, network flaps during the close', () => {
  const d = makeDevice({}, { latencyMs: 50 });
  d.broker.connackCode = 5;
  d.hal.transport.onRecord = (c) => { c.onCloseRequest = () => { d.hal.network.set(false); d.hal.time.set(() => d.hal.network.set(true), 1000); }; };
  d.client.start();
  run(d, 60_000);
  console.log('n', d.client.state, d.hal.transport.connections.length, d.states.map((s) => s.to).join(','));
});

test('o: error listener stop() with the link active (protocol error)', () => {
  const d = makeDevice();
  bringOnline(d);
  let once = true;
  d.client.events.on('error', () => { if (once) { once = false; d.client.stop(); } });
  d.broker.send(packet(0x20, [0, 0])); // a second CONNACK
  run(d, 20000);
  console.log('o', d.client.state, d.errors.map((e) => e.code + ':' + e.message).join(' | '));
});

test('p: IN_USE create replaces the network listener', () => {
  const hal = createMockHal();
  const broker = new FakeBroker(hal);
  const a = new BlynkDevice({ hal, token: TOKEN, templateId: 'TMPL0001' });
  a.start();
  run({ hal }, 2000);
  const b = BlynkDevice.create({ hal, token: TOKEN, templateId: 'TMPL0001' });
  console.log('p0', a.state, String(b));
  hal.network.set(false);
  broker.conn!.cut('reset');
  run({ hal }, 2000);
  hal.network.set(true);
  run({ hal }, 120_000);
  console.log('p', a.state);
});

test('q: dispose during an async onOta decision', async () => {
  const d = makeApiDevice();
  let answer!: (v: boolean) => void;
  d.device.onOta(() => new Promise<boolean>((r) => (answer = r)));
  const url = 'https://fra1.blynk.cloud/fw.bin';
  d.hal.http!.serve(url, { status: 500 });
  d.broker.push('downlink/ota/json', JSON.stringify({ url, size: 1000 }));
  d.broker.settle();
  d.device.dispose();
  d.hal.time.advance(1000);
  answer(true);
  await ticks(5);
  run(d, 60_000);
  console.log('q', d.device.state, d.hal.transport.connections.length);
});

test('r: redirect with a percent-encoded token', () => {
  const d = makeDevice({ server: 'wss://blynk.cloud:443/mqtt' });
  const enc = Array.from(TOKEN, (c) => '%' + c.charCodeAt(0).toString(16)).join('');
  d.broker.redirectOnConnect = `wss://fra1.blynk.cloud:443/mqtt?t=${enc}`;
  bringOnline(d);
  run(d, 5000);
  console.log('r', d.client.storedEndpoint);
  const partial = '%' + TOKEN.charCodeAt(0).toString(16) + TOKEN.slice(1);
  const d2 = makeDevice({ server: 'wss://blynk.cloud:443/mqtt' });
  d2.broker.redirectOnConnect = `wss://fra1.blynk.cloud:443/${partial}`;
  bringOnline(d2);
  run(d2, 5000);
  console.log('r2', d2.client.storedEndpoint, d2.hal.log.text().includes(TOKEN.slice(1)));
});
