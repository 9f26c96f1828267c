// npm run bench:send: what one PUBLISH allocates inside XS (xsnap release worker, the engine of
// the device), stage by stage along the send path (see send-xs-inside.ts), with the encoder's
// two ways side by side in the same run: a new array per packet against the PacketWriter.
//   slots/publish    growth of the live slot count over a round of 1,000 publishes, divided
//                    by 1,000 (median over rounds; a round in which the collector ran shows a
//                    drop and is left out), minus an empty crank's own growth.
//   chunk B/publish  not metered by xsnap: by construction, a new array holds the packet's bytes
//                    in the chunk heap (22 here) plus XS's chunk header; into the writer: 0.
//   compute          xsnap's metering units per 1,000 publishes (a proxy for time on the device).
//   heap growth      live slots after gc() before and after the stage: should be 0.
// Left out: the transport's copy (the HAL's; Moddable's socket.write copies into its send
// buffer in C), TLS, and anything on the wire.
//
//   npm run bench:send                 the table
//   npm run bench:send -- --json       the table, then one JSON object as the last line
//   --rounds N (default 100)
import { startWorker } from '../xs/harness';
import { buildTarget } from '../xs/build';
import { median, numArg, round } from './stats';

const args = process.argv.slice(2);
const json = args.includes('--json');
const ROUNDS = numArg(args, '--rounds', 100);
const ROUND = 1000;
const STAGES = ['fields', 'encode-new', 'encode-writer', 'qos0-writer', 'client', 'device'];

interface StageResult {
  slots_per_publish: number;
  compute_per_1000: number;
  us_per_publish: number;
  heap_growth: number;
  gc_rounds: number;
}

async function main(): Promise<void> {
  const bundle = await buildTarget({ name: 'blynk-bench-send', entry: 'tools/bench/send-xs-inside.ts' });
  const { worker, box } = await startWorker(bundle, 'bench-send');
  const ask = box.ask;
  const results: Record<string, StageResult> = {};
  const overhead = box.overhead;
  try {
    for (const stage of STAGES) {
      await ask({ op: 'setup', stage });
      for (let i = 0; i < 5; i++) await ask({ op: 'round', stage });
      const start = (await ask({ op: 'gc' })).meter;
      let last = start.currentHeapCount;
      const slots: number[] = [];
      const compute: number[] = [];
      const ms: number[] = [];
      let gcRounds = 0;
      for (let r = 0; r < ROUNDS; r++) {
        const { reply, meter } = await ask({ op: 'round', stage });
        const grew = meter.currentHeapCount - last;
        last = meter.currentHeapCount;
        if (grew < overhead) gcRounds++;
        else slots.push(grew - overhead);
        compute.push(meter.compute);
        ms.push(reply.ms!);
      }
      const end = (await ask({ op: 'gc' })).meter;
      results[stage] = {
        slots_per_publish: round(median(slots) / ROUND, 2),
        compute_per_1000: median(compute),
        us_per_publish: round((median(ms) * 1000) / ROUND, 3),
        heap_growth: end.currentHeapCount - start.currentHeapCount,
        gc_rounds: gcRounds,
      };
    }
  } finally {
    await worker.close();
  }
  const line = (cells: (string | number)[]): string => cells.map((c, i) => (i === 0 ? String(c).padEnd(14) : String(c).padStart(14))).join('');
  console.log(`XS send path (xsnap-worker release), ${ROUNDS} rounds of ${ROUND} publishes of ds/Temperature = 21.7 (22-byte packets) per stage, medians`);
  console.log(line(['stage', 'slots/publish', 'compute/1000', 'us/publish', 'heap growth', 'gc rounds']));
  for (const s of STAGES) {
    const r = results[s]!;
    console.log(line([s, r.slots_per_publish, r.compute_per_1000, r.us_per_publish, r.heap_growth, r.gc_rounds]));
  }
  console.log(`slots/publish: live slots added per publish (an empty crank's ${overhead} per round subtracted).`);
  console.log('encode-new also takes a 22-byte chunk per publish (the packet); encode-writer takes none once its buffer exists.');
  if (json) console.log(JSON.stringify({ rounds: ROUNDS, publishes_per_round: ROUND, stages: results }));
}

main().catch((e) => {
  process.stderr.write(`bench:send failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
