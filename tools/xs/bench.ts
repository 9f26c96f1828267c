// npm run bench:xs — downlink datastream messages through the whole receive path INSIDE XS
// (transport bytes -> ring -> framer -> dispatch -> handler) on the mock HAL, with xsnap's
// meter read between rounds of 1,000 messages:
//   msgs/s       inside XS (performance.now around each round), release build of xsnap-worker
//   slots/1000   growth of the live slot count over a round (median; a round in which the
//                collector ran shows a drop and is left out), minus an empty crank's own.
//                Slots are XS's objects, closures, environments and views; string characters
//                live in the chunk heap, so the topic and value strings do not count here.
//   heap         live slots after a gc() before and after the run: growth should be 0
// Stages: framer (bytes -> packets), client (-> BlynkClient.onDownlink), device (-> BlynkDevice
// onWrite handler with the value string): the differences show what allocates where.
//
//   npm run bench:xs                 the table
//   npm run bench:xs -- --json       the table, then one JSON object as the last line
//   --messages N (default 100000), --debug (the debug build)
import { readFileSync } from 'node:fs';
import { buildTarget, buildXs } from './build';
import { checkBundle, formatFindings } from './globals-check';
import { XsWorker, type MeterUsage } from './worker';

const args = process.argv.slice(2);
const json = args.includes('--json');
const debug = args.includes('--debug');
const MESSAGES = numArg('--messages', 100_000);
const ROUND = 1000;

function numArg(name: string, dflt: number): number {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? Number(args[i + 1]) : dflt;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
};

export interface StageResult {
  messages: number;
  msgs_per_s: number;
  slots_per_1000: number;
  compute_per_1000: number;
  heap_start: number;
  heap_end: number;
  heap_growth: number;
  allocate_growth: number;
  gc_rounds: number;
}

export interface MeasureOptions {
  messages: number;
  debug?: boolean;
  stages?: readonly string[];
}

/** Run the stages inside XS and read the meter (the bench, and the allocation test). */
export async function measureReceivePath(o: MeasureOptions): Promise<{ results: Record<string, StageResult>; overhead: number }> {
  const MESSAGES = o.messages;
  await buildXs(['blynk-xs-mock']);
  const bundle = await buildTarget({ name: 'xs-bench', entry: 'tools/xs/bench-bundle.ts' });
  const findings = checkBundle(readFileSync(bundle, 'utf8'), { allowRelative: true });
  if (findings.length > 0) throw new Error(`the bench bundle uses Node globals:\n${formatFindings(bundle, findings)}`);
  const worker = await XsWorker.start({ name: 'bench', debug: o.debug });
  const ask = async (q: unknown): Promise<{ reply: Record<string, number>; meter: MeterUsage }> => {
    const r = await worker.command(new TextEncoder().encode(JSON.stringify(q)));
    return { reply: JSON.parse(new TextDecoder().decode(r.bytes)) as Record<string, number>, meter: { ...r.meter } };
  };
  try {
    await worker.importModule(bundle);
    // What a crank costs by itself (the request, the JSON answer): subtracted from each round.
    const empties: number[] = [];
    let prev = (await ask({ op: 'noop' })).meter.currentHeapCount;
    for (let i = 0; i < 20; i++) {
      const m = (await ask({ op: 'noop' })).meter.currentHeapCount;
      empties.push(m - prev);
      prev = m;
    }
    const overhead = median(empties);
    const results: Record<string, StageResult> = {};
    for (const stage of o.stages ?? ['framer', 'client', 'device']) {
      await ask({ op: 'setup', stage });
      for (let i = 0; i < 5; i++) await ask({ op: 'round', stage }); // warm caches (topic intern, maps)
      const start = (await ask({ op: 'gc' })).meter;
      let last = start.currentHeapCount;
      let ms = 0;
      let messages = 0;
      const slots: number[] = [];
      const compute: number[] = [];
      let gcRounds = 0;
      for (let n = 0; n < MESSAGES; n += ROUND) {
        const { reply, meter } = await ask({ op: 'round', stage });
        ms += reply.ms!;
        messages += reply.messages!;
        const grew = meter.currentHeapCount - last;
        last = meter.currentHeapCount;
        if (grew < overhead) gcRounds++;
        else slots.push(grew - overhead);
        compute.push(meter.compute);
      }
      const end = (await ask({ op: 'gc' })).meter;
      results[stage] = {
        messages,
        msgs_per_s: Math.round((messages / ms) * 1000),
        slots_per_1000: median(slots),
        compute_per_1000: median(compute),
        heap_start: start.currentHeapCount,
        heap_end: end.currentHeapCount,
        heap_growth: end.currentHeapCount - start.currentHeapCount,
        allocate_growth: end.allocate - start.allocate,
        gc_rounds: gcRounds,
      };
    }
    return { results, overhead };
  } finally {
    await worker.close();
  }
}

async function main(): Promise<void> {
  const { results, overhead } = await measureReceivePath({ messages: MESSAGES, debug });
  print(results, overhead);
}

function print(results: Record<string, StageResult>, overhead: number): void {
  const rows = Object.entries(results);
  const line = (cells: (string | number)[]): string => cells.map((c, i) => (i === 0 ? String(c).padEnd(8) : String(c).padStart(12))).join(' ');
  console.log(`XS receive path, ${MESSAGES.toLocaleString('en')} downlink datastream messages per stage (xsnap-worker ${debug ? 'debug' : 'release'})`);
  console.log(line(['stage', 'msgs/s', 'slots/1000', 'compute/1000', 'heap start', 'heap end', 'growth', 'bytes grown', 'gc rounds']));
  for (const [name, r] of rows) {
    console.log(line([name, r.msgs_per_s, r.slots_per_1000, r.compute_per_1000, r.heap_start, r.heap_end, r.heap_growth, r.allocate_growth, r.gc_rounds]));
  }
  console.log(`slots/1000: live slots added per 1,000 messages (median over rounds; an empty crank's ${overhead} subtracted).`);
  console.log('Strings are not slots (their characters live in the chunk heap): slots are the allocations beyond them.');
  const d = results.device!;
  if (json) {
    console.log(
      JSON.stringify({
        msgs_per_s: d.msgs_per_s,
        heap_growth: d.heap_growth,
        messages: d.messages,
        slots_per_1000: d.slots_per_1000,
        compute_per_1000: d.compute_per_1000,
        heap_start: d.heap_start,
        heap_end: d.heap_end,
        allocate_growth: d.allocate_growth,
        stages: results,
      }),
    );
  }
}

// Run as the bench only when started directly (the allocation test imports measureReceivePath).
if (process.argv[1] && /bench\.ts$/.test(process.argv[1])) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
