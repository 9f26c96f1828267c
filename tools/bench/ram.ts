// npm run bench:ram — RAM footprint in the Moddable simulator (MODDABLE set; one line says it
// was skipped otherwise): a minimal app on this runtime against a minimal app on the Moddable
// SDK's stock MQTT client (tools/bench/ram-apps.ts), over mqtt and mqtts to the local
// emulator, with the same fixed heaps (64 KB of chunks, 4,096 slots, 768 stack slots).
//   chunks, slots  the live set: the lowest reading of the simulator's once-a-second
//                  instruments during 4 s of forced collections every 50 ms, once online
//   stack peak     the highest stack use the simulator reported (slots), boot included
//   gcs            collections the instruments counted from boot to online + 3 s (before the
//                  forced ones)
// Once online, the cloud writes Power once, before the measuring: each app's handler runs (this
// runtime's topic cache, made by its first topic, is in the figures).
// Goals (issue 14): runtime - sdk <= +4 KB of chunks and <= +400 slots; stack peak <= 1.5x.
// Leaves out: code and preloaded data (in flash on the ESP32), the TLS and socket buffers
// below XS (neither heap counts them), and everything before the app's first line.
//
//   npm run bench:ram                 the table
//   npm run bench:ram -- --json       the table, then one JSON object as the last line
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeTestPki } from '../certs';
import { startEmulator } from '../emulator';
import { buildTarget } from '../xs/build';
import { CREATION, writeApp, type AppKind, type Scheme } from './ram-apps';
import { buildApp, sdkTools, Simulator } from './ram-sim';

const TOKEN = 'RamBenchTok3nQwErTyUiOpAsDfGh42';
const json = process.argv.includes('--json');

interface Row {
  scheme: Scheme;
  app: AppKind;
  chunks: number;
  slots: number;
  stack_peak: number;
  gcs: number;
  samples: number;
}

async function main(): Promise<void> {
  const moddable = process.env.MODDABLE;
  if (!moddable) {
    console.log('bench:ram skipped: MODDABLE is not set (it needs the Moddable SDK and its simulator)');
    if (json) console.log(JSON.stringify({ skipped: 'MODDABLE is not set' }));
    return;
  }
  const tools = sdkTools(moddable);
  const pki = await makeTestPki();
  const emu = await startEmulator({ devices: { [TOKEN]: { datastreams: { Power: 1 } } }, regions: { global: { mqtt: 0, mqtts: 0 } }, pki });
  const work = mkdtempSync(path.join(tmpdir(), 'blynk-bench-ram-'));
  const logs = path.join(work, 'logs');
  mkdirSync(logs);
  const prefsDir = path.join(work, 'prefs');
  mkdirSync(prefsDir);
  mkdirSync(path.join(work, 'out'));
  const rows: Row[] = [];
  let stepsSo = '';
  const steps: Record<string, { chunks: number; slots: number }> = {};
  try {
    const bundleDir = path.join(work, 'dist');
    await buildTarget({ name: 'blynk-moddable', entry: 'build/entries/moddable.ts' }, bundleDir);
    const builds: [Scheme, AppKind, string][] = [];
    for (const scheme of ['mqtt', 'mqtts'] as const) {
      for (const kind of ['runtime', 'sdk'] as const) {
        const appDir = writeApp({ work, kind, scheme, bundleDir, caDer: pki.caDer, prefsDir });
        const uri = new URL(emu.uri(scheme, 'global'));
        const config: Record<string, string> = { token: TOKEN, server: uri.href.replace(/\/$/, ''), host: uri.hostname, port: uri.port };
        if (scheme === 'mqtts') config.ca = 'emulator-ca.der';
        process.stderr.write(`building ${kind} ${scheme}...\n`);
        builds.push([scheme, kind, await buildApp(tools, { appDir, outDir: path.join(work, 'out'), config, logFile: path.join(logs, `build-${kind}-${scheme}.log`) })]);
      }
    }
    {
      const appDir = writeApp({ work, kind: 'steps', scheme: 'mqtt', bundleDir, caDer: pki.caDer, prefsDir });
      process.stderr.write('building runtime steps...\n');
      const config = { token: TOKEN, server: emu.uri('mqtt', 'global').replace(/\/$/, '') };
      stepsSo = await buildApp(tools, { appDir, outDir: path.join(work, 'out'), config, logFile: path.join(logs, 'build-steps.log') });
    }
    // Runs one after another (one connection per token), the two apps alternating.
    for (const [scheme, kind, mcSo] of builds) {
      process.stderr.write(`running ${kind} ${scheme}...\n`);
      const sim = new Simulator(tools, mcSo, path.join(logs, `${kind}-${scheme}.log`));
      try {
        // One write from the cloud before the measuring: the handler runs (and this runtime's
        // topic cache is made), as on a device that is in use.
        await sim.waitFor(/^\[ram\] online$/, `${kind} ${scheme} online`, 180_000);
        await emu.writeDatastream(TOKEN, 'Power', 1);
        await sim.waitFor(/^\[ram\] done$/, `${kind} ${scheme} online and measured`, 180_000);
        await new Promise((r) => setTimeout(r, 1200)); // the sample after "done"
      } finally {
        await sim.stop();
      }
      const during = sim.samples(/^\[ram\] measuring$/, /^\[ram\] done$/);
      const all = sim.allSamples();
      if (during.length === 0) throw new Error(`${kind} ${scheme}: no instruments while measuring (a debug build prints them)`);
      const slotSize = (all[all.length - 1]!['Slot available'] ?? 0) / CREATION.heap.initial || 32;
      const min = (k: string): number => Math.min(...during.map((s) => s[k] ?? Infinity));
      rows.push({
        scheme,
        app: kind,
        chunks: min('Chunk used'),
        slots: Math.round(min('Slot used') / slotSize),
        stack_peak: Math.round(Math.max(...all.map((s) => s['Stack used'] ?? 0)) / slotSize),
        gcs: sim.samples(/^instruments key: /, /^\[ram\] measuring$/).reduce((a, s) => a + (s['Garbage collections'] ?? 0), 0),
        samples: during.length,
      });
    }
    // The runtime built up step by step (mqtt): what each step keeps.
    process.stderr.write('running runtime steps...\n');
    const sim = new Simulator(tools, stepsSo, path.join(logs, 'steps.log'));
    try {
      await sim.waitFor(/^\[ram\] step online$/, 'the steps app online', 180_000);
      await emu.writeDatastream(TOKEN, 'Power', 1);
      await sim.waitFor(/^\[ram\] done$/, 'the steps app online and measured', 180_000);
      await new Promise((r) => setTimeout(r, 1200));
    } finally {
      await sim.stop();
    }
    const names = ['start', 'hal', 'device', 'online'];
    const slotSize = 32;
    for (let i = 0; i < names.length; i++) {
      const to = i + 1 < names.length ? new RegExp(`^\\[ram\\] step ${names[i + 1]}$`) : /^\[ram\] done$/;
      const during = sim.samples(new RegExp(`^\\[ram\\] step ${names[i]}$`), to).slice(1); // the first may predate the step's GCs
      if (during.length === 0) throw new Error(`steps: no samples in step ${names[i]}`);
      steps[names[i]!] = {
        chunks: Math.min(...during.map((s) => s['Chunk used'] ?? Infinity)),
        slots: Math.round(Math.min(...during.map((s) => s['Slot used'] ?? Infinity)) / slotSize),
      };
    }
  } finally {
    await emu.close();
  }
  const line = (cells: (string | number)[]): string => cells.map((c, i) => (i < 2 ? String(c).padEnd(8) : String(c).padStart(11))).join(' ');
  console.log('RAM in the Moddable simulator, live set once online (forced GCs), fixed heaps: 64 KB chunks, 4096 slots, 768 stack slots');
  console.log(line(['scheme', 'app', 'chunks B', 'slots', 'stack peak', 'gcs']));
  for (const r of rows) console.log(line([r.scheme, r.app, r.chunks, r.slots, r.stack_peak, r.gcs]));
  const diffs: Record<string, { chunks: number; slots: number; stack_ratio: number; ok: boolean }> = {};
  for (const scheme of ['mqtt', 'mqtts'] as const) {
    const a = rows.find((r) => r.scheme === scheme && r.app === 'runtime')!;
    const b = rows.find((r) => r.scheme === scheme && r.app === 'sdk')!;
    const d = { chunks: a.chunks - b.chunks, slots: a.slots - b.slots, stack_ratio: Math.round((a.stack_peak / b.stack_peak) * 100) / 100, ok: false };
    d.ok = d.chunks <= 4096 && d.slots <= 400 && d.stack_ratio <= 1.5;
    diffs[scheme] = d;
    console.log(`${scheme}: runtime - sdk = ${d.chunks >= 0 ? '+' : ''}${d.chunks} B of chunks (goal <= +4096), ${d.slots >= 0 ? '+' : ''}${d.slots} slots (goal <= +400), stack peak ${d.stack_ratio}x (goal <= 1.5x): ${d.ok ? 'met' : 'NOT met'}`);
  }
  console.log('runtime (mqtt) built up in steps, live set after each (forced GCs): what the step keeps');
  const names = Object.keys(steps);
  for (let i = 0; i < names.length; i++) {
    const now = steps[names[i]!]!;
    const before = i > 0 ? steps[names[i - 1]!]! : now;
    console.log(`  ${names[i]!.padEnd(8)} chunks ${String(now.chunks).padStart(6)} (+${now.chunks - before.chunks})  slots ${String(now.slots).padStart(5)} (+${now.slots - before.slots})`);
  }
  console.log('  start: the app before the runtime makes anything; hal: createModdableHal; device: new BlynkDevice + onWrite; online: start() until online + 2.5 s');
  console.log(`logs: ${logs}`);
  if (json) console.log(JSON.stringify({ rows, diffs, steps }));
  if (!process.env.KEEP_RAM_BUILD) rmSync(path.join(work, 'out'), { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
