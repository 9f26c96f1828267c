// The feed and the crank protocol both XS benches share (bench-inside.ts on this runtime,
// sdk/bench-sdk.ts on the Moddable SDK's MQTT client): the same ROUND messages, as
// MSS-sized chunks of one stream, built once and delivered every round; one round per crank so
// the Node half can read xsnap's meter (slots, compute) between rounds.
import { publish } from '../broker/server-codec';

export const ROUND = 1000;
const MSS = 1460; // chunks as TCP would deliver them: packets cut across chunk boundaries
export const NAMES = ['Power', 'Temperature', 'Humidity', 'Set Temperature', 'Mode', 'Brightness', 'Color', 'Terminal'];

/** ROUND downlink/ds messages, as MSS-sized views of one stream. */
export function chunks(): Uint8Array[] {
  // Each message is made twice (its size, then its bytes) rather than all kept at once: a
  // thousand arrays alive together would not fit the simulator bench's device-sized heap.
  const one = (i: number): Uint8Array => {
    const name = NAMES[i % NAMES.length]!;
    return publish(`downlink/ds/${name}`, name === 'Terminal' ? `line ${i}` : String((i * 37) % 1000 / 10));
  };
  let n = 0;
  for (let i = 0; i < ROUND; i++) n += one(i).length;
  const stream = new Uint8Array(n);
  let pos = 0;
  for (let i = 0; i < ROUND; i++) {
    const p = one(i);
    stream.set(p, pos);
    pos += p.length;
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i += MSS) out.push(stream.subarray(i, Math.min(n, i + MSS)));
  return out;
}

export interface Stage {
  round(): void;
  /** Messages (or publishes) that reached the end of the stage so far. */
  count(): number;
}

/** Consumed results, so nothing can be skipped. */
export const sink = { n: 0 };

interface XsGlobals {
  gc?: () => void;
  performance?: { now(): number };
  handleCommand?: (request: ArrayBuffer) => ArrayBuffer;
}

/** Answer the Node half (tools/xs/bench.ts): JSON { op: setup | round | gc | noop, stage }. */
export function installStages(makers: Record<string, () => Stage>): void {
  const g = globalThis as unknown as XsGlobals;
  const now = (): number => (g.performance ? g.performance.now() : Date.now());
  const stages: Record<string, Stage> = {};
  // Made at the first command, not at load: the simulator bench (sim-bench.ts) loads these
  // modules where there is no TextEncoder and drives the stages itself.
  let enc: { encode(s: string): Uint8Array } | undefined;
  let dec: { decode(b: Uint8Array): string } | undefined;
  const answer = (v: unknown): ArrayBuffer => enc!.encode(JSON.stringify(v)).slice().buffer as ArrayBuffer;
  g.handleCommand = (request) => {
    enc ??= new TextEncoder();
    dec ??= new TextDecoder();
    const q = JSON.parse(dec.decode(new Uint8Array(request))) as { op: string; stage?: string };
    switch (q.op) {
      case 'setup': {
        const make = makers[q.stage ?? ''];
        if (!make) throw new Error(`no stage ${q.stage}`);
        stages[q.stage!] = make();
        return answer({});
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
        return answer({ sink: sink.n });
      default:
        return answer({});
    }
  };
}
