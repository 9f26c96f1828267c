// bench:ram's parts probe (MODDABLE set): where the runtime's RAM goes in the Moddable simulator.
// One app makes the runtime's pieces one at a time, each after a forced GC, and prints what each
// keeps (chunk bytes and slots read from the instruments right after a GC, synchronously), then
// the whole device, then the device online. Same bundle form and heaps as bench:ram; the pieces
// made alone overlap (a Framer holds a Ring and a TopicCache), so they do not add up to the device.
// The stack column is the deepest stack the simulator saw in the part's window (its making, and
// for the last steps the connection's callbacks and the once-a-second write).
// A second app then drives one device through a stand-in transport, one step per window (start,
// onOpen, CONNACK, SUBACK, a downlink, a write, a PINGRESP), so the stack column shows which of
// the runtime's paths is deepest (issue 14: the stack peak goal). The real transport's frames
// are not in that table; the first app's last rows include them.
//
//   npx tsx tools/bench/ram-parts.ts
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../emulator';
import { buildTarget } from '../xs/build';
import { CREATION } from './ram-apps';
import { buildApp, sdkTools, Simulator } from './ram-sim';

const TOKEN = 'RamBenchTok3nQwErTyUiOpAsDfGh42';

// Both apps: the imports and the part runner (one part per 1.25 s window under forced GCs).
const HARNESS = `import Preference from "preference";
import Timer from "timer";
import Debug from "debug";
import WiFi from "wifi";
import Instrumentation from "instrumentation";
import config from "mc/config";
import * as B from "blynk";

const keep = [];
const queue = [];
// Each part gets 1.2 s under forced GCs: the simulator samples its instruments once a second.
function part(name, make) { queue.push([name, make]); }
function run() {
  const next = queue.shift();
  if (!next) return;
  keep.push(next[1]());
  Debug.gc();
  trace(\`[parts] \${next[0]}\\n\`);
  const gc = Timer.repeat(() => Debug.gc(), 50);
  Timer.set(() => { Timer.clear(gc); run(); }, 1250);
}
`;

const MAIN = HARNESS + `const noop = () => undefined;
part("nothing", () => undefined);
part("empty object", () => ({}));
part("object, 4 props", () => ({ a: 1, b: 2, c: 3, d: 4 }));
part("arrow closure", () => { const x = {}; return () => x; });
part("array of 1", () => [noop]);
part("array of 4", () => [noop, noop, noop, noop]);
part("Map", () => new Map());
part("Map of 1", () => new Map([["a", 1]]));
part("Uint8Array(0)", () => new Uint8Array(0));
part("Uint8Array(16)", () => new Uint8Array(16));
const hal = B.createModdableHal(B.moddableModules({ Preference }), { wifi: { classic: WiFi } });
part("createModdableHal", () => B.createModdableHal(B.moddableModules({ Preference }), { wifi: { classic: WiFi } }));
const options = { hal, token: config.token, templateId: "TMPLram00001", server: config.server, firmware: { version: "1.0.0" } };
part("Emitter", () => new B.Emitter());
part("Emitter + 1 listener", () => { const e = new B.Emitter(); e.on("state", noop); return e; });
part("Emitter + 8 listeners", () => { const e = new B.Emitter(); for (const k of ["a","b","c","d","e","f","g","h"]) e.on(k, noop); return e; });
part("TopicCache", () => new B.TopicCache());
part("Ring(1029)", () => new B.Ring(1029));
part("Framer(1024)", () => new B.Framer(1024, 16384));
part("PacketWriter", () => new B.PacketWriter());
part("encodeConnect", () => B.encodeConnect({ clientId: "", username: "device", password: config.token, keepalive: 45, cleanSession: true }));
part("newCounters", () => B.newCounters());
part("resolveConfig", () => B.resolveConfig(options));
part("Scrubber", () => new B.Scrubber(config.token));
part("Logger", () => new B.Logger(hal.log, "info", new B.Scrubber(config.token)));
part("Requests", () => new B.Requests(hal.timers));
const rc = B.resolveConfig(options);
const hooks = { nextEndpoint: () => rc.server, sessionOnline: noop, incoming: noop, attemptEnded: noop, sessionEvent: noop };
const owner = { opened: noop, accepted: noop, failed: noop, closed: noop, raise: noop, message: noop, subscribed: noop };
part("EndpointStore", () => new B.EndpointStore(hal.storage, rc.storageKey));
part("RedirectPolicy", () => new B.RedirectPolicy(rc.redirect, rc.server, rc.token));
part("Keepalive", () => new B.Keepalive(hal.timers, hal.clock, { sendPing: noop, dead: noop }));
part("Link", () => new B.Link(hal, rc, B.newCounters(), owner));
part("MqttSession", () => new B.MqttSession(B.createModdableHal(B.moddableModules({ Preference }), { wifi: { classic: WiFi } }), rc, hooks, new B.Logger(hal.log, "info")));
part("BlynkClient", () => new B.BlynkClient(B.createModdableHal(B.moddableModules({ Preference }), { wifi: { classic: WiFi } }), options));
part("  (its HAL alone)", () => B.createModdableHal(B.moddableModules({ Preference }), { wifi: { classic: WiFi } }));
part("(drop the parts above)", () => { keep.length = 0; });
let device;
part("BlynkDevice", () => (device = new B.BlynkDevice(options)));
part("onWrite", () => device.onWrite("Power", noop));
part("start, online + 2 s", () => {
  queue.unshift(["online, idle (a write a second)", () => undefined], ["(end)", () => trace("[parts] done\\n")]);
  device.on("online", () => Timer.set(run, 2000));
  device.start();
});
Timer.repeat(() => { if (device && device.online) device.write("Temperature", 21); }, 1000);
run();
`;

// The connection step by step, through a stand-in transport the app drives itself (the real
// HAL otherwise): each packet's path through the runtime in its own window, so the stack column
// says which path is deepest. The real transport's own frames are not in these figures.
const STEPS = HARNESS + `const real = B.createModdableHal(B.moddableModules({ Preference }), { wifi: { classic: WiFi } });
let events;
const written = [];
const hal = Object.assign({}, real, { transport: { open(target, ev) { events = ev; return { write(b) { written.push(b.slice()); return true; }, close() { Timer.set(() => events.onClose("closed"), 0); } }; } } });
let device;
const noop = () => undefined;
part("nothing", () => undefined);
part("nothing again", () => undefined);
part("BlynkDevice", () => (device = new B.BlynkDevice({ hal, token: config.token, templateId: "TMPLram00001", server: config.server, firmware: { version: "1.0.0" } })));
part("onWrite", () => device.onWrite("Power", noop));
part("on online", () => device.on("online", noop));
part("start()", () => device.start());
part("onOpen (CONNECT out)", () => events.onOpen());
part("CONNACK (+ 0 ms session start)", () => events.onData(Uint8Array.of(0x20, 2, 0, 0)));
part("SUBACK", () => { const s = written.find((b) => b[0] === 0x82); events.onData(Uint8Array.of(0x90, 3, s[2], s[3], 0)); });
part("PUBLISH Power", () => events.onData(Uint8Array.of(0x30, 20, 0, 17, ...Array.from("downlink/ds/Power", (c) => c.charCodeAt(0)), 0x31)));
part("PUBLISH Power again", () => events.onData(Uint8Array.of(0x30, 20, 0, 17, ...Array.from("downlink/ds/Power", (c) => c.charCodeAt(0)), 0x31)));
part("write Temperature", () => device.write("Temperature", 21));
part("write Temperature again", () => device.write("Temperature", 22));
part("PINGRESP", () => events.onData(Uint8Array.of(0xd0, 0)));
part("(end)", () => trace(\`[parts] done \${device.state}\\n\`));
run();
`;
/** The steps app's source, for stack-paths.ts. */
export const STEPS_BODY = STEPS;

const APPS = [
  { name: 'ram-parts', main: MAIN, title: 'what each part keeps in the Moddable simulator (after a GC): chunk bytes, slots, stack peak while made (slots)' },
  { name: 'ram-steps', main: STEPS, title: 'the connection step by step through a stand-in transport: chunk bytes, slots, stack peak of the step (slots; the first row includes the boot, "nothing again" is the harness alone)' },
];

async function main(): Promise<void> {
  const moddable = process.env.MODDABLE;
  if (!moddable) {
    console.log('ram-parts skipped: MODDABLE is not set');
    return;
  }
  const tools = sdkTools(moddable);
  const emu = await startEmulator({ devices: { [TOKEN]: { datastreams: { Power: 1 } } }, regions: { global: { mqtt: 0 } } });
  const work = mkdtempSync(path.join(tmpdir(), 'blynk-ram-parts-'));
  try {
    const bundleDir = path.join(work, 'dist');
    await buildTarget({ name: 'blynk-moddable-parts', entry: 'build/entries/moddable-parts.ts' }, bundleDir);
    mkdirSync(path.join(work, 'prefs'));
    for (const app of APPS) {
      const dir = path.join(work, app.name);
      const out = path.join(work, `out-${app.name}`);
      mkdirSync(dir);
      mkdirSync(out);
      writeFileSync(path.join(dir, 'main.js'), app.main);
      const manifest = {
        include: ['$(MODDABLE)/examples/manifest_base.json', '$(MODDABLE)/examples/manifest_net.json', '$(MODDABLE)/modules/crypt/tls.json', '$(MODDABLE)/modules/network/http/manifest.json', '$(MODDABLE)/modules/files/preference/manifest.json'],
        modules: { '*': ['./main', '$(MODULES)/base/debug/*', '$(MODULES)/base/instrumentation/*'], blynk: path.join(bundleDir, 'blynk-moddable-parts') },
        preload: ['debug', 'blynk'],
        creation: CREATION,
        config: { token: '', server: '' },
        platforms: { lin: { config: { file: { root: `${path.join(work, 'prefs')}/` } }, creation: CREATION } },
      };
      writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
      const server = emu.uri('mqtt', 'global').replace(/\/$/, '');
      const so = await buildApp(tools, { appDir: dir, outDir: out, config: { token: TOKEN, server }, logFile: path.join(work, `build-${app.name}.log`) });
      const sim = new Simulator(tools, so, path.join(work, `${app.name}.log`));
      try {
        await sim.waitFor(/^\[parts\] done/, `the ${app.name} app to finish`, 120_000);
      } finally {
        await sim.stop();
      }
      printParts(sim, app.title);
    }
    console.log(`logs: ${work}`);
  } finally {
    await emu.close();
  }
}

function printParts(sim: Simulator, title: string): void {
  console.log(title);
  const names = sim.lines.filter((l) => l.startsWith('[parts] ')).map((l) => l.slice(8));
  let last: [number, number] | undefined;
  for (let i = 0; i + 1 < names.length; i++) {
    const esc = (n: string) => new RegExp(`^\\[parts\\] ${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const during = sim.samples(esc(names[i]!), esc(names[i + 1]!));
    if (during.length === 0) continue;
    const now: [number, number] = [Math.min(...during.map((s) => s['Chunk used'] ?? 0)), Math.round(Math.min(...during.map((s) => s['Slot used'] ?? 0)) / 32)];
    const stack = Math.round(Math.max(...during.map((s) => s['Stack used'] ?? 0)) / 32);
    // The first part (nothing made) is the baseline for the deltas; its window also has the boot.
    const delta = last ? [String(now[0] - last[0]), String(now[1] - last[1])] : ['-', '-'];
    console.log(`  ${names[i]!.padEnd(32)} ${delta[0]!.padStart(7)} ${delta[1]!.padStart(6)} ${String(stack).padStart(6)}   (${now[0]} B, ${now[1]} slots)`);
    last = now;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
