import { createHash } from 'node:crypto';
import { createMockHal } from '../../hal/mock';
import { BlynkDevice } from '../../src/blynk/device';
import { FakeBroker } from '../../tools/broker/fake-broker';
import { bringOnline, makeApiDevice, makeDevice } from '../support/device';
import { TOKEN } from '../support/tokens';

function steps(d: { hal: { time: { step(): boolean; advance(ms: number): void; now(): number } } }, ms: number): void {
  const end = d.hal.time.now() + ms;
  while (d.hal.time.now() < end) if (!d.hal.time.step()) d.hal.time.advance(Math.min(1000, end - d.hal.time.now()));
}
async function ticks(n = 5): Promise<void> { for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r)); }

test('a: error listener stop() during a loss', () => {
  const d = makeDevice();
  bringOnline(d);
  let once = true;
  d.client.events.on('error', () => { if (once) { once = false; d.client.stop(); } });
  d.broker.conn!.cut('reset');
  steps(d, 20000);
  console.log('a', d.client.state, d.errors.map((e) => e.code + ':' + e.message).join(' | '));
});

test('b: state listener stop() on handshake', () => {
  const d = makeDevice({}, { latencyMs: 50 });
  d.client.events.on('state', (s) => { if (s.to === 'handshake') d.client.stop(); });
  d.client.start();
  steps(d, 20000);
  console.log('b', d.client.state, d.hal.transport.openCount, d.states.map((s) => s.to).join(','), d.errors.map((e) => e.code).join(','));
});

test('c: state listener stop() on online', () => {
  const d = makeDevice({}, { latencyMs: 50 });
  const online: unknown[] = [];
  d.client.events.on('online', (e) => online.push([e, d.client.state]));
  d.client.events.on('state', (s) => { if (s.to === 'online') d.client.stop(); });
  d.client.start();
  steps(d, 20000);
  console.log('c', d.client.state, d.hal.transport.openCount, JSON.stringify(online), d.states.map((s) => s.to).join(','), d.errors.map((e) => e.code).join(','));
});

test('d: duplicate listener stop()', () => {
  const d = makeDevice();
  d.broker.kickAfterMs = 2000;
  d.client.events.on('duplicate', () => d.client.stop());
  d.client.start();
  steps(d, 60_000);
  console.log('d', d.client.state, d.states.map((s) => s.to).join(','));
});

test('e: async handler rejecting with an unprintable value', async () => {
  const unhandled: unknown[] = [];
  const on = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', on);
  const d = makeApiDevice();
  d.device.onWrite('A', async () => { throw Object.create(null); });
  d.broker.push('downlink/ds/A', '1');
  d.broker.settle();
  await ticks(10);
  process.off('unhandledRejection', on);
  console.log('e', unhandled.length, String(unhandled[0]), d.errors.map((e) => e.code).join(','));
});

test('f: requestValues(null)', () => {
  const d = makeApiDevice();
  let threw: unknown;
  try { const p = d.device.requestValues(null as never); p.catch(() => 0); } catch (e) { threw = e; }
  console.log('f', String(threw));
  try { const p = d.device.requestValues(42 as never); p.catch(() => 0); } catch (e) { threw = e; }
  console.log('f2', String(threw));
});

test('g: stop() during an async onOta decision, download fails', async () => {
  const d = makeApiDevice();
  let answer!: (v: boolean) => void;
  d.device.onOta(() => new Promise<boolean>((r) => (answer = r)));
  const url = 'https://fra1.blynk.cloud/fw.bin';
  d.hal.http!.serve(url, { status: 500 });
  d.broker.push('downlink/ota/json', JSON.stringify({ url, size: 1000 }));
  d.broker.settle();
  d.device.stop();
  d.hal.time.advance(1000);
  answer(true);
  await ticks(5);
  steps(d, 60_000);
  console.log("g", d.device.state, d.errors.map((e) => e.code + e.message).join(","), d.hal.http!.requests, d.states?.length);
});

test('h: redirect with two trailing dots', () => {
  const d = makeDevice();
  d.broker.redirectOnConnect = 'mqtts://fra1.blynk.cloud..:8883';
  bringOnline(d);
  steps(d, 5000);
  console.log('h', d.client.storedEndpoint, JSON.stringify(d.client.endpoint));
});

test('i: ota rateWindowMs 0', () => {
  const d = makeApiDevice({ ota: { rateWindowMs: 0 } });
  const url = 'https://fra1.blynk.cloud/fw.bin';
  const fw = new Uint8Array(5000);
  d.hal.http!.serve(url, { body: fw, chunkSize: 100, intervalMs: 10 });
  d.broker.push('downlink/ota/json', JSON.stringify({ url, size: 5000 }));
  let t: unknown;
  try { steps(d, 5000); } catch (e) { t = e; }
  console.log('i', String(t), d.device.state);
});

test('j: ota url with a backslash', () => {
  const d = makeApiDevice();
  const url = 'https://evil.example\\.blynk.cloud/fw.bin';
  d.hal.http!.serve(url, { body: new Uint8Array(1000) });
  d.broker.push('downlink/ota/json', JSON.stringify({ url, size: 1000 }));
  steps(d, 5000);
  console.log('j', d.hal.http!.requests, d.errors.map((e) => e.code + e.message).join(','), new URL(url).host);
});

test('k: ota options undefined', () => {
  const d = makeApiDevice({ ota: { stallTimeoutMs: undefined, minRate: undefined } as never });
  const url = 'https://fra1.blynk.cloud/fw.bin';
  const fw = new Uint8Array(5000);
  d.hal.http!.serve(url, { body: fw, headers: { 'x-md5': createHash('md5').update(fw).digest('hex') }, chunkSize: 100, intervalMs: 10 });
  d.broker.push('downlink/ota/json', JSON.stringify({ url, size: 5000 }));
  steps(d, 5000);
  console.log('k', d.device.state, d.errors.map((e) => e.code + e.message).join(','), d.hal.device);
});
