// npm run bench:xs — inside XS (xsnap-worker, release build), with xsnap's meter read between
// rounds of 1,000:
//   receive  100,000 downlink/ds messages in 1,460-byte chunks through this runtime's receive
//            path, in three stages (framer; client: -> BlynkClient.onDownlink; device: ->
//            onWrite handler with the value string), and, when MODDABLE is set, through the
//            Moddable SDK's own client ($MODDABLE/modules/network/mqtt/mqtt.js, bundled at run
//            time on stand-in socket/timer modules, tools/xs/sdk) with the same chunks, its
//            handler making the value string with String.fromArrayBuffer.
//   send     what one publish costs: BlynkClient.publish and BlynkDevice.write, to a transport
//            that takes the bytes and keeps nothing.
// Columns:
//   msgs/s       performance.now() around each round inside XS; all stages' rounds interleave,
//                so a loaded machine slows each side alike
//   slots/1000   growth of the live slot count over a round (median; a round in which the
//                collector ran shows a drop and is left out), minus an empty crank's own.
//                Slots are XS's objects, closures, environments and views; string characters
//                live in the chunk heap, which xsnap does not report (see bench:ram for chunks)
//   compute      xsnap's metering units per 1,000 (a load-independent measure of work)
//   growth       live slots after gc(), end minus start of the rounds, per worker (this
//                runtime's stages share one, the SDK has its own): should be 0
//   gc rounds    rounds in which the slot count dropped (the collector ran); xsnap starts with
//                256 K slots and 32 MB of chunks, far more than a device
// Left out of both receive sides: the transport's copy of each chunk (socket.read on a device).
// Then, with MODDABLE set, the device and sdk stages again in the Moddable simulator with a
// device-sized heap (sim-bench.ts): msgs/s, collections per 1,000 messages, and the chunk bytes
// and slots one message allocates. Without MODDABLE, one line says each baseline was skipped.
//
//   npm run bench:xs                 the table
//   npm run bench:xs -- --json       the table, then one JSON object as the last line
//   --messages N (default 100000), --debug (the debug build)
import { existsSync } from 'node:fs';
import path from 'node:path';
import { median } from '../bench/stats';
import { startWorker, type Box } from './harness';
import { buildTarget, buildXs, type BuildTarget } from './build';
import type { XsWorker } from './worker';
import { measureSim, SIM_HEAP, type SimStage } from './sim-bench';

const ROUND = 1000;

export interface StageResult {
  messages: number;
  msgs_per_s: number;
  slots_per_1000: number;
  compute_per_1000: number;
  heap_start: number;
  heap_end: number;
  heap_growth: number;
  gc_rounds: number;
}

export interface MeasureOptions {
  messages: number;
  debug?: boolean;
  /** This runtime's stages to run (default all). */
  stages?: readonly string[];
  /** Also run the Moddable SDK's client from this SDK (default: none). */
  moddable?: string;
}

export const RECEIVE_STAGES = ['framer', 'client', 'device'];
export const SEND_STAGES = ['publish', 'write'];

/** The SDK's MQTT client file, or undefined when MODDABLE does not hold one. */
export function sdkClientFile(moddable: string | undefined): string | undefined {
  if (!moddable) return undefined;
  const f = path.join(moddable, 'modules/network/mqtt/mqtt.js');
  return existsSync(f) ? f : undefined;
}

/** The baseline bundle: the SDK's mqtt.js on the stand-ins in tools/xs/sdk. */
export function sdkBenchTarget(mqttJs: string): BuildTarget {
  return {
    name: 'xs-bench-sdk',
    entry: 'tools/xs/sdk/bench-sdk.ts',
    aliases: { mqtt: mqttJs, socket: 'tools/xs/sdk/socket.ts', timer: 'tools/xs/sdk/timer.ts', time: 'tools/xs/sdk/time.ts', websocket: 'tools/xs/sdk/websocket.ts' },
  };
}

interface Job {
  stage: string;
  box: Box;
  ms: number;
  messages: number;
  slots: number[];
  compute: number[];
  gcRounds: number;
}


/** Run the stages inside XS, their rounds interleaved, and read the meter (the bench, and the allocation test). */
export async function measureXs(o: MeasureOptions): Promise<{ results: Record<string, StageResult>; overhead: number }> {
  await buildXs(['blynk-xs-mock']);
  const workers: XsWorker[] = [];
  try {
    const ours = await startWorker(await buildTarget({ name: 'xs-bench', entry: 'tools/xs/bench-bundle.ts' }), 'bench', o.debug);
    workers.push(ours.worker);
    const jobs: Job[] = [];
    const job = (stage: string, box: Box): Job => ({ stage, box, ms: 0, messages: 0, slots: [], compute: [], gcRounds: 0 });
    const boxes = [ours.box];
    for (const s of o.stages ?? [...RECEIVE_STAGES, ...SEND_STAGES]) jobs.push(job(s, ours.box));
    const mqttJs = sdkClientFile(o.moddable);
    if (mqttJs) {
      const sdk = await startWorker(await buildTarget(sdkBenchTarget(mqttJs)), 'bench-sdk', o.debug);
      workers.push(sdk.worker);
      boxes.push(sdk.box);
      jobs.push(job('sdk', sdk.box));
    }
    for (const j of jobs) {
      await j.box.ask({ op: 'setup', stage: j.stage });
      for (let i = 0; i < 5; i++) await j.box.ask({ op: 'round', stage: j.stage }); // warm caches (topic intern, maps)
    }
    for (const b of boxes) b.start = b.last = (await b.ask({ op: 'gc' })).meter.currentHeapCount;
    for (let n = 0; n < o.messages; n += ROUND) {
      for (const j of jobs) {
        const { reply, meter } = await j.box.ask({ op: 'round', stage: j.stage });
        j.ms += reply.ms!;
        j.messages += reply.messages!;
        const grew = meter.currentHeapCount - j.box.last;
        j.box.last = meter.currentHeapCount;
        if (grew < j.box.overhead) j.gcRounds++;
        else j.slots.push(grew - j.box.overhead);
        j.compute.push(meter.compute);
      }
    }
    const ends = new Map<Box, number>();
    for (const b of boxes) ends.set(b, (await b.ask({ op: 'gc' })).meter.currentHeapCount);
    const results: Record<string, StageResult> = {};
    for (const j of jobs) {
      const end = ends.get(j.box)!;
      const start = j.box.start;
      results[j.stage] = {
        messages: j.messages,
        msgs_per_s: Math.round((j.messages / j.ms) * 1000),
        slots_per_1000: median(j.slots),
        compute_per_1000: median(j.compute),
        heap_start: start,
        heap_end: end,
        heap_growth: end - start,
        gc_rounds: j.gcRounds,
      };
    }
    return { results, overhead: ours.box.overhead };
  } finally {
    for (const w of workers) await w.close();
  }
}

/** The receive path only (the allocation test). */
export async function measureReceivePath(o: { messages: number; debug?: boolean }): Promise<{ results: Record<string, StageResult>; overhead: number }> {
  return measureXs({ ...o, stages: RECEIVE_STAGES });
}

function numArg(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? Number(args[i + 1]) : dflt;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const debug = args.includes('--debug');
  const messages = numArg(args, '--messages', 100_000);
  const moddable = process.env.MODDABLE;
  const mqttJs = sdkClientFile(moddable);
  const { results, overhead } = await measureXs({ messages, debug, moddable });
  const line = (cells: (string | number)[]): string => cells.map((c, i) => (i === 0 ? String(c).padEnd(8) : String(c).padStart(12))).join(' ');
  console.log(`XS, ${messages.toLocaleString('en')} per stage, rounds of ${ROUND} interleaved (xsnap-worker ${debug ? 'debug' : 'release'})`);
  console.log(line(['stage', 'per s', 'slots/1000', 'compute/1000', 'heap start', 'heap end', 'growth', 'gc rounds']));
  for (const [name, r] of Object.entries(results)) {
    console.log(line([name, r.msgs_per_s, r.slots_per_1000, r.compute_per_1000, r.heap_start, r.heap_end, r.heap_growth, r.gc_rounds]));
  }
  console.log(`slots/1000: live slots added per 1,000 (median over rounds; an empty crank's ${overhead} subtracted). Strings are chunks, not slots.`);
  console.log('receive: framer, client, device (value string made; the stages nest). send: publish (BlynkClient.publish), write (BlynkDevice.write, a number).');
  const d = results.device!;
  const sdk = results.sdk;
  let ratios: Record<string, number> | undefined;
  if (sdk) {
    ratios = {
      msgs_per_s: round2(d.msgs_per_s / sdk.msgs_per_s),
      compute: round2(d.compute_per_1000 / sdk.compute_per_1000),
      slots: round2(d.slots_per_1000 / Math.max(1, sdk.slots_per_1000)),
    };
    console.log(`sdk: ${mqttJs} on stand-in socket/timer modules, the same chunks; its handler makes the value with String.fromArrayBuffer (xsnap: a TextDecoder stand-in).`);
    console.log(`device / sdk: ${ratios.msgs_per_s}x the messages per second, ${ratios.compute}x the compute, ${d.slots_per_1000} vs ${sdk.slots_per_1000} slots per 1,000`);
  } else {
    console.log('sdk baseline skipped: MODDABLE is not set (or has no modules/network/mqtt/mqtt.js)');
  }
  const p = results.publish!;
  const w = results.write!;
  console.log(`one publish: ${p.slots_per_1000 / 1000} slots (BlynkClient.publish), ${w.slots_per_1000 / 1000} (BlynkDevice.write)`);
  // The same two receive stages with a device-sized heap, where the collector runs.
  let sim: Record<string, SimStage> | null = null;
  let simSkipped: string | null = null;
  if (!mqttJs) simSkipped = 'MODDABLE is not set';
  else {
    try {
      sim = await measureSim({ moddable: moddable!, aliases: sdkBenchTarget(mqttJs).aliases!, rounds: 25, blocks: 4, log: (t) => process.stderr.write(t) });
    } catch (e) {
      simSkipped = e instanceof Error ? e.message : String(e);
    }
  }
  if (sim) {
    const cell = (x: number): string => (Number.isNaN(x) ? '-' : String(x));
    console.log(`\nthe Moddable simulator (debug build), fixed heaps of ${SIM_HEAP.chunks / 1024} KB chunks and ${SIM_HEAP.slots} slots, ${sim.device!.messages.toLocaleString('en')} messages each, blocks alternated:`);
    console.log(line(['stage', 'per s', 'gcs/1000', 'chunk B/msg', 'slots/msg', 'chunks free', 'slots free']));
    for (const [name, r] of Object.entries(sim)) console.log(line([name, r.msgs_per_s, r.gcs_per_1000, cell(r.chunk_bytes_per_msg), cell(r.slots_per_msg), r.chunk_free, r.slots_free]));
    console.log('gcs/1000: collections per 1,000 messages (the engine\'s count around each round); chunk B/msg, slots/msg: allocated in the rounds that did not collect ("-": every round collected).');
    console.log('this runtime allocates per message only the value string (its topic comes from the cache); the SDK client makes the topic, the payload buffer and the value.');
    console.log(`device / sdk in the simulator: ${round2(sim.device!.msgs_per_s / sim.sdk!.msgs_per_s)}x the messages per second, ${sim.device!.gcs_per_1000} vs ${sim.sdk!.gcs_per_1000} collections per 1,000 messages`);
  } else {
    console.log(`simulator part skipped: ${simSkipped}`);
  }
  if (json) {
    console.log(
      JSON.stringify({
        msgs_per_s: d.msgs_per_s,
        heap_growth: d.heap_growth,
        messages: d.messages,
        slots_per_1000: d.slots_per_1000,
        compute_per_1000: d.compute_per_1000,
        publish_slots: p.slots_per_1000 / 1000,
        write_slots: w.slots_per_1000 / 1000,
        sdk: sdk ?? null,
        ratios: ratios ?? null,
        sim: sim ?? null,
        sim_ratio: sim ? round2(sim.device!.msgs_per_s / sim.sdk!.msgs_per_s) : null,
        stages: results,
      }),
    );
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

// Run as the bench only when started directly (the allocation test imports measureReceivePath).
if (process.argv[1] && /bench\.ts$/.test(process.argv[1])) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
