// The XS half of the footprint count (tools/xs/footprint.ts): this runtime's live slots once
// online, built up one step per crank so the Node half reads xsnap's meter after a gc() at
// each step, plus an attribution of the online device's objects by constructor.
// The mock HAL and the fake broker are the harness: their records of what was written and
// received are emptied before each count (they grow with traffic; a device's HAL keeps none).
import { BlynkDevice, createMockHal, type MockHal } from '../../build/entries/xs-mock';
import { FakeBroker } from '../broker/fake-broker';

const TOKEN = 'footprintTok3n_0123456789abcdefAB';

interface Rig {
  hal?: MockHal;
  broker?: FakeBroker;
  device?: BlynkDevice;
  value: number;
}
const rig: Rig = { value: 0 };

function forgetHarnessRecords(): void {
  const hal = rig.hal;
  if (!hal) return;
  hal.journal.length = 0;
  for (const c of hal.transport.connections) c.written.length = 0;
  if (rig.broker) rig.broker.received.length = 0;
  hal.log.lines.length = 0;
}

const STEPS: Record<string, () => void> = {
  hal() {
    rig.hal = createMockHal({ seed: 1, otaCapacity: 0 });
  },
  broker() {
    rig.broker = new FakeBroker(rig.hal!);
  },
  device() {
    rig.device = new BlynkDevice({ hal: rig.hal!, token: TOKEN, templateId: 'TMPL0001', logLevel: 'warn', ota: false, firmware: { version: '1.0.0' } });
  },
  handler() {
    rig.device!.onWrite('Power', (v) => (rig.value += v === '1' ? 1 : 0));
  },
  online() {
    const { hal, device } = rig;
    device!.start();
    for (let i = 0; i < 100 && !device!.online; i++) hal!.time.step();
    hal!.time.flush();
    if (!device!.online) throw new Error('not online');
  },
  // One value a second and a downlink now and then, for a minute of virtual time (keepalive
  // pings included).
  minute: oneMinute,
  'another minute': oneMinute,
};

function oneMinute(): void {
  {
    const { hal, device, broker } = rig;
    for (let s = 0; s < 60; s++) {
      device!.write('Temperature', 20 + (s % 7));
      if (s % 10 === 0) broker!.push('downlink/ds/Power', s % 20 === 0 ? '1' : '0');
      hal!.time.advance(1000);
      hal!.time.flush();
    }
    if (!device!.online) throw new Error('went offline');
  }
}

/**
 * Objects reachable from the device, by constructor: [objects, own properties (about a slot
 * each), bytes of the buffers and strings they hold (chunks)]. Strings count their UTF-16
 * length, which is their byte length for the ASCII ones the runtime keeps.
 */
function attribute(root: object): Record<string, [number, number, number]> {
  const seen = new Set<object>();
  const buffers = new Set<ArrayBufferLike>();
  const strings = new Set<string>();
  const out: Record<string, [number, number, number]> = {};
  const stack: object[] = [root];
  const harness = new Set<object>([rig.hal as object, rig.broker as object].filter(Boolean));
  while (stack.length > 0) {
    const o = stack.pop()!;
    if (seen.has(o) || harness.has(o)) continue;
    seen.add(o);
    const proto = Object.getPrototypeOf(o) as { constructor?: { name?: string } } | null;
    const name = typeof o === 'function' ? 'Function' : proto?.constructor?.name || 'Object';
    const keys = Reflect.ownKeys(o);
    const e = (out[name] ??= [0, 0, 0]);
    e[0]++;
    e[1] += ArrayBuffer.isView(o) ? 0 : keys.length;
    if (ArrayBuffer.isView(o)) {
      if (!buffers.has(o.buffer)) {
        buffers.add(o.buffer);
        e[2] += o.buffer.byteLength;
      }
      continue;
    }
    const str = (x: unknown): void => {
      if (typeof x === 'string' && !strings.has(x)) {
        strings.add(x);
        e[2] += x.length;
      }
    };
    if (o instanceof Map) for (const [k, v] of o) (str(k), str(v));
    if (o instanceof Map) for (const [k, v] of o) for (const x of [k, v]) if (x && (typeof x === 'object' || typeof x === 'function')) stack.push(x);
    if (o instanceof Set) for (const x of o) if (x && (typeof x === 'object' || typeof x === 'function')) stack.push(x);
    for (const k of keys) {
      const d = Object.getOwnPropertyDescriptor(o, k);
      const v = d && 'value' in d ? (d.value as unknown) : undefined;
      str(v);
      if (v && (typeof v === 'object' || typeof v === 'function') && !Object.isFrozen(v)) stack.push(v as object);
    }
  }
  return out;
}

interface XsGlobals {
  gc?: () => void;
  handleCommand?: (request: ArrayBuffer) => ArrayBuffer;
}

export function installFootprint(): void {
  const g = globalThis as unknown as XsGlobals;
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const answer = (v: unknown): ArrayBuffer => enc.encode(JSON.stringify(v)).slice().buffer as ArrayBuffer;
  g.handleCommand = (request) => {
    const q = JSON.parse(dec.decode(new Uint8Array(request))) as { step?: string; attribute?: boolean };
    if (q.attribute) return answer(rig.device ? attribute(rig.device) : {});
    if (q.step) {
      const step = STEPS[q.step];
      if (!step) throw new Error(`no step ${q.step}`);
      step();
    }
    forgetHarnessRecords();
    g.gc?.();
    return answer({ value: rig.value });
  };
}

export const STEP_NAMES = Object.keys(STEPS);
