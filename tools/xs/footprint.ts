// The runtime's footprint inside XS (xsnap), counted with xsnap's meter: live slots after a
// gc() at each step from nothing to online with one handler, then a minute of traffic, and an
// attribution of what the online device holds, by constructor. Slots only: xsnap reports no
// chunk (string and buffer) bytes; bench:ram measures both in the Moddable simulator.
// Code is left out: module objects (classes, functions) are counted before the first step, as
// on the device where they are preloaded into flash.
//
//   npx tsx tools/xs/footprint.ts [--json]
import { buildTarget, buildXs } from './build';
import { XsWorker } from './worker';

export const FOOTPRINT_STEPS = ['hal', 'broker', 'device', 'handler', 'online', 'minute', 'another minute'] as const;

export interface Footprint {
  /** Live slots after each step, minus those before it. */
  steps: Record<string, number>;
  /** The runtime's own: device + handler + online (the mock HAL and the broker are the harness). */
  runtime: number;
  /** Growth over the first minute online (things made on first use), and over the second. */
  minute: number;
  anotherMinute: number;
  /** Reachable from the device: constructor -> [objects, own properties]. */
  attribution: Record<string, [number, number, number]>;
}

export async function measureFootprint(): Promise<Footprint> {
  await buildXs(['blynk-xs-mock']);
  const bundle = await buildTarget({ name: 'xs-footprint', entry: 'tools/xs/footprint-bundle.ts' });
  const worker = await XsWorker.start({ name: 'footprint' });
  try {
    await worker.importModule(bundle);
    const ask = async (q: unknown): Promise<{ value: unknown; live: number }> => {
      const r = await worker.command(new TextEncoder().encode(JSON.stringify(q)));
      return { value: JSON.parse(new TextDecoder().decode(r.bytes)) as unknown, live: r.meter.currentHeapCount };
    };
    // The crank's own slots (the request, the answer) are the same in every step: a step's delta is its own.
    await ask({});
    let last = (await ask({})).live;
    const steps: Record<string, number> = {};
    for (const step of FOOTPRINT_STEPS) {
      const { live } = await ask({ step });
      steps[step] = live - last;
      last = live;
    }
    const attribution = (await ask({ attribute: true })).value as Record<string, [number, number, number]>;
    return { steps, runtime: steps.device! + steps.handler! + steps.online!, minute: steps.minute!, anotherMinute: steps['another minute']!, attribution };
  } finally {
    await worker.close();
  }
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const f = await measureFootprint();
  console.log('live slots after gc(), per step (xsnap):');
  for (const [k, v] of Object.entries(f.steps)) console.log(`  ${k.padEnd(15)} ${String(v).padStart(6)}`);
  console.log(`  runtime (device + handler + online): ${f.runtime}; growth over a minute online: ${f.minute}, over the next: ${f.anotherMinute}`);
  console.log('reachable from the online device, by constructor: objects, own properties (~slots), bytes of buffers and strings held (chunks):');
  const rows = Object.entries(f.attribution).sort((a, b) => b[1][0] + b[1][1] - (a[1][0] + a[1][1]));
  for (const [name, [objects, props, bytes]] of rows) console.log(`  ${name.padEnd(24)} ${String(objects).padStart(5)} ${String(props).padStart(6)} ${String(bytes).padStart(7)}`);
  const total = rows.reduce((a, [, [o, p, b]]) => [a[0]! + o, a[1]! + p, a[2]! + b], [0, 0, 0]);
  console.log(`  ${'total'.padEnd(24)} ${String(total[0]).padStart(5)} ${String(total[1]).padStart(6)} ${String(total[2]).padStart(7)}`);
  if (json) console.log(JSON.stringify(f));
}

if (process.argv[1] && /footprint\.ts$/.test(process.argv[1])) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
