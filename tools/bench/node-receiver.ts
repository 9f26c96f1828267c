// One receiver of `npm run bench:node`, in a process of its own (forked by node.ts for each run),
// so its heap holds only its own client: `runtime` (BlynkDevice on the Node HAL) or `mqtt.js`.
// It connects to the sender, receives a warm-up stream (so the JIT has compiled the hot path),
// then the measured one while writing a value every 10 ms, and reports.
//
// IPC: parent -> { op: 'expect', count, lengths, measure } (the next stream: how many messages,
// the sum of their value lengths, whether to measure); child -> { op: 'online' } | { op: 'ready' }
// | { op: 'done', ...Result }.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { NAMES } from './node-stream';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

export type Side = 'runtime' | 'mqtt.js';

export interface Result {
  /** From the first message to the last. */
  ms: number;
  heap_before: number;
  heap_peak: number;
  heap_after: number;
  writes: number;
  refused: number;
  elu: number;
}

interface Client {
  /** One 10 ms uplink; false if the client refused it. */
  write(): boolean;
  close(): Promise<void>;
}

const TOKEN = 'benchNode_0123456789abcdefABCDEF';

async function openRuntime(port: number, onMessage: (name: string, value: string) => void, online: () => void): Promise<Client> {
  const { createNodeHal } = await import('../../hal/node');
  const { BlynkDevice } = await import('../../src/index');
  const hal = createNodeHal({ log: () => undefined });
  const device = new BlynkDevice({ hal, token: TOKEN, templateId: 'TMPLbench', server: `mqtt://127.0.0.1:${port}`, rate: false, ota: false, logLevel: 'warn' });
  for (const name of NAMES) device.onWrite(name, (value) => onMessage(name, value));
  device.on('online', online);
  device.start();
  let v = 0;
  return {
    write: () => device.write('Temperature', String(20 + (v++ % 100) / 10)) === null,
    close: async () => {
      device.stop();
      await new Promise((r) => setTimeout(r, 50));
      hal.dispose();
    },
  };
}

async function openMqttJs(port: number, onMessage: (name: string, value: string) => void, online: () => void): Promise<Client> {
  const { default: mqtt } = await import('mqtt');
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: '', username: 'device', password: TOKEN, keepalive: 45, reconnectPeriod: 0, clean: true });
  client.on('connect', () => {
    client.subscribe('downlink/#', { qos: 0 });
    online();
  });
  // The same work the runtime does for its handlers: the datastream name and the value string.
  client.on('message', (topic: string, payload: Buffer) => {
    if (topic.startsWith('downlink/ds/')) onMessage(topic.slice(12), payload.toString());
  });
  client.on('error', () => undefined);
  let v = 0;
  return {
    write: () => (client.publish('ds/Temperature', String(20 + (v++ % 100) / 10)), true),
    close: () => new Promise<void>((resolve) => client.end(true, {}, () => resolve())),
  };
}

async function main(): Promise<void> {
  const side = process.argv[2] as Side;
  const port = Number(process.argv[3]);
  let count = 0;
  let lengths = 0;
  let target = Infinity;
  let finish: () => void = () => undefined;
  let t0 = 0; // when the first message of the stream arrived
  const handlers: Record<string, (value: string) => void> = {};
  for (const name of NAMES) {
    handlers[name] = (value) => {
      lengths += value.length;
      if (++count === 1) t0 = performance.now();
      else if (count === target) finish();
    };
  }
  const onMessage = (name: string, value: string): void => handlers[name]!(value);
  const online = (): void => void process.send?.({ op: 'online' });
  const client = side === 'runtime' ? await openRuntime(port, onMessage, online) : await openMqttJs(port, onMessage, online);

  process.on('message', (m: { op: string; count: number; lengths: number; measure: boolean }) => {
    if (m.op === 'quit') {
      void client.close().then(() => process.exit(0));
      return;
    }
    if (m.op !== 'expect') return;
    count = 0;
    lengths = 0;
    target = m.count;
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    let peak = heapBefore;
    const sampler = setInterval(() => {
      const h = process.memoryUsage().heapUsed;
      if (h > peak) peak = h;
    }, 25);
    let writes = 0;
    let refused = 0;
    const writer = m.measure
      ? setInterval(() => {
          writes++;
          if (!client.write()) refused++;
        }, 10)
      : undefined;
    let elu0 = performance.eventLoopUtilization();
    finish = () => {
      const ms = performance.now() - t0;
      const elu = performance.eventLoopUtilization(elu0).utilization;
      clearInterval(sampler);
      if (writer) clearInterval(writer);
      if (lengths !== m.lengths) {
        process.send?.({ op: 'failed', error: `${side}: value lengths add up to ${lengths}, the stream holds ${m.lengths}` });
        return;
      }
      gc();
      const result: Result = { ms, heap_before: heapBefore, heap_peak: peak, heap_after: process.memoryUsage().heapUsed, writes, refused, elu };
      process.send?.({ op: 'done', ...result });
    };
    elu0 = performance.eventLoopUtilization();
    process.send?.({ op: 'ready' });
  });
}

void main();
