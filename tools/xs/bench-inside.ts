// The XS half of `npm run bench:xs` (runs inside xsnap, on ./blynk-xs-mock.mjs): downlink
// datastream messages through the receive path, one round of ROUND messages per crank so the
// Node half can read xsnap's meter (slots, bytes, compute) between rounds.
//
// Stages, each a longer part of the same path, so what allocates can be told apart:
//   framer  transport bytes -> ring -> framer (topic from the intern cache, payload as a range)
//   client  mock transport -> session -> framer -> BlynkClient.onDownlink(topic, bytes, start, end)
//   device  ... -> BlynkDevice dispatch -> onWrite(name) handler with the value string
import { BlynkClient, BlynkDevice, createMockHal, Framer, FRAME_NEED_MORE, FRAME_PACKET, utf8Decode, utf8Encode } from '../../build/entries/xs-mock';
import { FakeBroker } from '../broker/fake-broker';
import { publish } from '../broker/server-codec';

export const ROUND = 1000;
const MSS = 1460; // chunks as TCP would deliver them: packets cut across chunk boundaries
const NAMES = ['Power', 'Temperature', 'Humidity', 'Set Temperature', 'Mode', 'Brightness', 'Color', 'Terminal'];
const TOKEN = 'benchToken_0123456789abcdefABCDEF';

/** ROUND messages, as MSS-sized views of one stream (built once, delivered every round). */
function chunks(): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let n = 0;
  for (let i = 0; i < ROUND; i++) {
    const name = NAMES[i % NAMES.length]!;
    const p = publish(`downlink/ds/${name}`, name === 'Terminal' ? `line ${i}` : String((i * 37) % 1000 / 10));
    parts.push(p);
    n += p.length;
  }
  const stream = new Uint8Array(n);
  let pos = 0;
  for (const p of parts) {
    stream.set(p, pos);
    pos += p.length;
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i += MSS) out.push(stream.subarray(i, Math.min(n, i + MSS)));
  return out;
}

interface Stage {
  round(): void;
  /** Messages that reached the end of the stage so far. */
  count(): number;
}

let sink = 0; // consumed results, so nothing can be skipped

function framerStage(input: Uint8Array[]): Stage {
  const framer = new Framer(1024);
  let n = 0;
  return {
    round() {
      for (const c of input) {
        framer.feed(c);
        for (let r = framer.next(); r !== FRAME_NEED_MORE; r = framer.next()) {
          if (r !== FRAME_PACKET) throw new Error(`framer: status ${r}`);
          const p = framer.packet;
          sink += (p.topic === '' ? 0 : 1) + (p.payloadEnd - p.payloadStart);
          n++;
        }
      }
    },
    count: () => n,
  };
}

function online(hal: ReturnType<typeof createMockHal>, start: () => void, isOnline: () => boolean): void {
  new FakeBroker(hal);
  start();
  for (let i = 0; i < 100 && !isOnline(); i++) hal.time.step();
  hal.time.flush();
  if (!isOnline()) throw new Error('bench device did not come online');
}

function clientStage(input: Uint8Array[]): Stage {
  const hal = createMockHal({ seed: 1 });
  const client = new BlynkClient(hal, { token: TOKEN, templateId: 'TMPL0001', logLevel: 'warn' });
  let n = 0;
  // The consumers below only count what they get: on XS, even `string.length` boxes the string
  // (2 slots), which would be the bench's allocation, not the runtime's.
  client.onDownlink = (topic, _bytes, start, end) => {
    sink += (topic === '' ? 0 : 1) + (end - start);
    n++;
  };
  online(hal, () => client.start(), () => client.online);
  const conn = hal.transport.last!;
  return {
    round() {
      for (const c of input) conn.deliver(c);
    },
    count: () => n,
  };
}

function deviceStage(input: Uint8Array[]): Stage {
  const hal = createMockHal({ seed: 1, otaCapacity: 0 });
  const device = new BlynkDevice({ hal, token: TOKEN, templateId: 'TMPL0001', logLevel: 'warn', ota: false });
  let n = 0;
  for (const name of NAMES) {
    device.onWrite(name, (value) => {
      sink += value === '' ? 0 : 1;
      n++;
    });
  }
  online(hal, () => device.start(), () => device.online);
  const conn = hal.transport.last!;
  return {
    round() {
      for (const c of input) conn.deliver(c);
    },
    count: () => n,
  };
}

const MAKERS: Record<string, (input: Uint8Array[]) => Stage> = { framer: framerStage, client: clientStage, device: deviceStage };

interface XsGlobals {
  gc?: () => void;
  performance?: { now(): number };
  handleCommand?: (request: ArrayBuffer) => ArrayBuffer;
}

export function installBench(): void {
  const g = globalThis as unknown as XsGlobals;
  const now = (): number => (g.performance ? g.performance.now() : Date.now());
  const input = chunks();
  const stages: Record<string, Stage> = {};
  const answer = (v: unknown): ArrayBuffer => utf8Encode(JSON.stringify(v)).slice().buffer as ArrayBuffer;
  g.handleCommand = (request) => {
    const q = JSON.parse(utf8Decode(new Uint8Array(request))) as { op: string; stage?: string };
    switch (q.op) {
      case 'setup': {
        const make = MAKERS[q.stage ?? ''];
        if (!make) throw new Error(`no stage ${q.stage}`);
        stages[q.stage!] = make(input);
        return answer({ chunks: input.length, bytes: input.reduce((a, c) => a + c.length, 0) });
      }
      case 'round': {
        const s = stages[q.stage ?? ''];
        if (!s) throw new Error(`stage ${q.stage} is not set up`);
        const before = s.count();
        const t0 = now();
        s.round();
        const ms = now() - t0;
        return answer({ ms, messages: s.count() - before });
      }
      case 'gc':
        g.gc?.();
        return answer({ sink });
      default:
        return answer({});
    }
  };
}
