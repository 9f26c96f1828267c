// The receive benchmark again, in the Moddable simulator with a device-sized heap (part of
// `npm run bench:xs` when MODDABLE is set): this runtime's device stage and the SDK client's
// stage (the very stages of bench:xs, same chunks) in one app with fixed heaps, alternating
// blocks, one round of 1,000 messages per timer tick. The app (tools/xs/sim/main.js) reads the
// engine's instruments around each round: collections it caused and, in a round without one,
// the chunk bytes and slots it allocated. xsnap cannot show these: its heap starts at 32 MB of
// chunks and 256 K slots, so it hardly ever collects.
// Leaves out: the socket's copy of each chunk (as bench:xs does). Both sides get the same heap,
// so what is free at a block's start is printed with the results.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildForSimulator, sdkTools } from '../moddable/sdk';
import { Simulator } from '../bench/ram-sim';
import { buildTarget, buildXs } from './build';

/** The heaps: a device's, with room for the two 30 KB feeds and both clients. */
export const SIM_HEAP = { chunks: 128 * 1024, slots: 4096, stack: 768 };
const SLOT_BYTES = 32; // the simulator's slot (64-bit)

export interface SimStage {
  messages: number;
  msgs_per_s: number;
  gcs_per_1000: number;
  chunk_bytes_per_msg: number;
  slots_per_msg: number;
  chunk_free: number;
  slots_free: number;
}

interface Acc {
  ms: number;
  messages: number;
  gcs: number;
  cleanMessages: number;
  chunkBytes: number;
  slotBytes: number;
  chunkFree: number;
  slotFree: number;
}

/** Run the simulator bench; `sdkEntryAliases` are the SDK bundle's module aliases (bench.ts). */
export async function measureSim(o: { moddable: string; aliases: Record<string, string>; rounds: number; blocks: number; log?: (s: string) => void }): Promise<Record<string, SimStage>> {
  const tools = sdkTools(o.moddable);
  const work = mkdtempSync(path.join(tmpdir(), 'blynk-bench-xs-sim-'));
  try {
    const runtime = (await buildXs(['blynk-xs-mock']))['blynk-xs-mock']!;
    const ours = await buildTarget({ name: 'xs-sim-ours', entry: 'tools/xs/sim/ours.ts' });
    const sdk = await buildTarget({ name: 'xs-sim-sdk', entry: 'tools/xs/sim/sdk.ts', aliases: o.aliases });
    const app = path.join(work, 'simbench');
    mkdirSync(app);
    copyFileSync(runtime, path.join(app, 'blynk-xs-mock.js'));
    // Module names, not file names, in the simulator.
    writeFileSync(path.join(app, 'xs-sim-ours.js'), readFileSync(ours, 'utf8').replace(/(['"])\.\/blynk-xs-mock\.mjs\1/g, '"blynk-xs-mock"'));
    copyFileSync(sdk, path.join(app, 'xs-sim-sdk.js'));
    copyFileSync(path.join(import.meta.dirname, 'sim/main.js'), path.join(app, 'main.js'));
    copyFileSync(path.join(import.meta.dirname, 'sim/globals.js'), path.join(app, 'sim-globals.js'));
    const creation = { static: 0, chunk: { initial: SIM_HEAP.chunks, incremental: 0 }, heap: { initial: SIM_HEAP.slots, incremental: 0 }, stack: SIM_HEAP.stack };
    const manifest = {
      include: ['$(MODDABLE)/examples/manifest_base.json', '$(MODULES)/base/instrumentation/manifest.json', '$(MODULES)/data/text/decoder/manifest.json', '$(MODULES)/data/text/encoder/manifest.json'],
      modules: { '*': ['./main', '$(MODULES)/base/debug/*'], 'sim-globals': './sim-globals', 'blynk-xs-mock': './blynk-xs-mock', 'xs-sim-ours': './xs-sim-ours', 'xs-sim-sdk': './xs-sim-sdk' },
      // The runtime preloaded, as on a device (its code and classes in flash); the bench modules
      // not (their module state is written to while they run).
      preload: ['blynk-xs-mock', 'debug'],
      creation,
      config: { rounds: '', blocks: '', chunks: '', slots: '' },
      platforms: { lin: { creation } },
    };
    writeFileSync(path.join(app, 'manifest.json'), JSON.stringify(manifest, null, 2));
    const outDir = path.join(work, 'out');
    mkdirSync(outDir);
    o.log?.('building the simulator bench...\n');
    const config = { rounds: String(o.rounds), blocks: String(o.blocks), chunks: String(SIM_HEAP.chunks), slots: String(SIM_HEAP.slots * SLOT_BYTES) };
    const mcSo = await buildForSimulator(tools, { appDir: app, outDir, config, logFile: path.join(work, 'build.log') });
    o.log?.('running it...\n');
    const sim = new Simulator(tools, mcSo, path.join(work, 'run.log'));
    try {
      await sim.waitFor(/^\[simbench\] done$/, 'the simulator bench', 280_000);
    } finally {
      await sim.stop();
    }
    const line = sim.lines.find((l) => l.startsWith('[simbench] result '));
    if (!line) throw new Error('the simulator bench printed no result');
    const acc = JSON.parse(line.slice('[simbench] result '.length)) as Record<string, Acc>;
    const out: Record<string, SimStage> = {};
    for (const [name, a] of Object.entries(acc)) {
      out[name] = {
        messages: a.messages,
        msgs_per_s: Math.round((a.messages / a.ms) * 1000),
        gcs_per_1000: Math.round((a.gcs / a.messages) * 1000 * 100) / 100,
        chunk_bytes_per_msg: a.cleanMessages > 0 ? Math.round((a.chunkBytes / a.cleanMessages) * 10) / 10 : NaN,
        slots_per_msg: a.cleanMessages > 0 ? Math.round((a.slotBytes / SLOT_BYTES / a.cleanMessages) * 1000) / 1000 : NaN,
        chunk_free: a.chunkFree,
        slots_free: Math.round(a.slotFree / SLOT_BYTES),
      };
    }
    return out;
  } finally {
    if (!process.env.KEEP_SIM_BENCH) rmSync(work, { recursive: true, force: true });
    else o.log?.(`kept ${work}\n`);
  }
}
