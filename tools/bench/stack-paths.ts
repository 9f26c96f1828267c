// bench:ram's stack probe (MODDABLE set): which of the runtime's call paths is deepest, frame by
// frame, in the Moddable simulator. The instruments give only each second's peak (bench:ram,
// ram-parts.ts); this builds the parts bundle with a call to a native probe
// (tools/bench/stack-probe) at the start of every function, and prints for each step the chain
// of the deepest entry: each frame's depth in XS stack slots, the function, and its line in the
// bundle. The probe's own call adds a constant few slots at every point (so the depths read
// slightly high, the same at every depth); what a function uses after its entry (temporaries,
// callees the probe does not see: natives, the app) is not in its row but in the next one's.
//
//   npx tsx tools/bench/stack-paths.ts            the steps through a stand-in transport, then the real HAL
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { startEmulator } from '../emulator';
import { buildTarget } from '../xs/build';
import { CREATION } from './ram-apps';
import { STEPS_BODY } from './ram-parts';
import { buildApp, sdkTools, Simulator } from './ram-sim';

const TOKEN = 'RamBenchTok3nQwErTyUiOpAsDfGh42';
const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The bundle with `__sp_enter("name@line")` first in every function body. */
export function instrument(code: string): string {
  const sf = ts.createSourceFile('bundle.js', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const name = (node: ts.Node): string => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    let own = '';
    const n = node as ts.FunctionLikeDeclaration;
    if (n.name && (ts.isIdentifier(n.name) || ts.isPrivateIdentifier(n.name) || ts.isStringLiteral(n.name))) own = n.name.text;
    else if (ts.isConstructorDeclaration(node)) own = 'constructor';
    else if (node.parent && ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name)) own = node.parent.name.text;
    else if (node.parent && ts.isPropertyAssignment(node.parent) && ts.isIdentifier(node.parent.name)) own = node.parent.name.text;
    else if (node.parent && ts.isBinaryExpression(node.parent) && ts.isPropertyAccessExpression(node.parent.left)) own = node.parent.left.name.text;
    else own = '=>';
    let cls = node.parent;
    while (cls && !ts.isClassLike(cls) && !ts.isSourceFile(cls)) cls = cls.parent;
    const prefix = cls && ts.isClassLike(cls) && cls.name ? `${cls.name.text}.` : '';
    return `${prefix}${own}@${line}`;
  };
  const transformer: ts.TransformerFactory<ts.SourceFile> = (ctx) => {
    const f = ctx.factory;
    const probe = (node: ts.Node): ts.Statement =>
      f.createExpressionStatement(f.createCallExpression(f.createIdentifier('__sp_enter'), undefined, [f.createStringLiteral(name(node))]));
    const withProbe = (node: ts.Node, body: ts.Block): ts.Block => {
      const stmts = [...body.statements];
      // A derived constructor's super() stays first among the statements that use `this`; a call before it is allowed.
      return f.updateBlock(body, [probe(node), ...stmts]);
    };
    const visit = (node: ts.Node): ts.Node => {
      const v = ts.visitEachChild(node, visit, ctx);
      if ((ts.isFunctionDeclaration(v) || ts.isFunctionExpression(v) || ts.isMethodDeclaration(v) || ts.isConstructorDeclaration(v) || ts.isGetAccessorDeclaration(v) || ts.isSetAccessorDeclaration(v)) && v.body) {
        const body = withProbe(node, v.body);
        if (ts.isFunctionDeclaration(v)) return f.updateFunctionDeclaration(v, v.modifiers, v.asteriskToken, v.name, v.typeParameters, v.parameters, v.type, body);
        if (ts.isFunctionExpression(v)) return f.updateFunctionExpression(v, v.modifiers, v.asteriskToken, v.name, v.typeParameters, v.parameters, v.type, body);
        if (ts.isMethodDeclaration(v)) return f.updateMethodDeclaration(v, v.modifiers, v.asteriskToken, v.name, v.questionToken, v.typeParameters, v.parameters, v.type, body);
        if (ts.isConstructorDeclaration(v)) return f.updateConstructorDeclaration(v, v.modifiers, v.parameters, body);
        if (ts.isGetAccessorDeclaration(v)) return f.updateGetAccessorDeclaration(v, v.modifiers, v.name, v.parameters, v.type, body);
        return f.updateSetAccessorDeclaration(v as ts.SetAccessorDeclaration, v.modifiers, v.name, v.parameters, body);
      }
      if (ts.isArrowFunction(v)) {
        const body = ts.isBlock(v.body) ? withProbe(node, v.body) : f.createBlock([probe(node), f.createReturnStatement(v.body)]);
        return f.updateArrowFunction(v, v.modifiers, v.typeParameters, v.parameters, v.type, v.equalsGreaterThanToken, body);
      }
      return v;
    };
    return (root) => ts.visitNode(root, visit) as ts.SourceFile;
  };
  const out = ts.transform(sf, [transformer]);
  const printed = ts.createPrinter({ removeComments: false }).printFile(out.transformed[0]!);
  out.dispose();
  // Line numbers name the original bundle's lines (kept next to it as blynk-moddable-parts.orig.js).
  return `import { enter as __sp_enter } from "stackprobe";\n${printed}`;
}

// The real HAL and transport against the emulator: the device made at the module's top level, as
// bench:ram's app does, then start() until online and a few seconds of writes.
const REAL = `import Preference from "preference";
import Timer from "timer";
import WiFi from "wifi";
import config from "mc/config";
import * as B from "blynk";
import { take } from "stackprobe";
take();
const hal = B.createModdableHal(B.moddableModules({ Preference }), { wifi: { classic: WiFi } });
trace(\`[stack] createModdableHal (module top level)\\n\${take()}\\n\`);
const device = new B.BlynkDevice({ hal, token: config.token, templateId: "TMPLram00001", server: config.server, firmware: { version: "1.0.0" } });
trace(\`[stack] new BlynkDevice (module top level)\\n\${take()}\\n\`);
let n = 0;
device.onWrite("Power", (value) => { n += value === "1" ? 1 : 0; });
device.on("online", () => Timer.set(() => {
  trace(\`[stack] start() until online + 1 s (the real transport)\\n\${take()}\\n\`);
  Timer.set(() => { trace(\`[stack] online, 3 s of writes (a write a second) and a downlink\\n\${take()}\\n\`); census(device); trace("[stack] done\\n"); }, 3000);
}, 1000));
Timer.repeat(() => { if (device.online) device.write("Temperature", 20 + (n % 10)); }, 1000);
// What the online device holds, by kind: objects reachable from it (frozen ones are in flash
// once preloaded and not counted), their own properties (a slot each), typed-array bytes and
// string characters (chunks). Functions are counted, not entered (their closures are not visible).
function census(root) {
  const seen = new Set();
  const by = new Map();
  const todo = [[root, "device"]];
  while (todo.length) {
    const [o, at] = todo.pop();
    if (o === null || (typeof o !== "object" && typeof o !== "function") || seen.has(o) || Object.isFrozen(o)) continue;
    seen.add(o);
    // Named by the field that holds it (class names are not kept in every build).
    const field = at.slice(at.lastIndexOf(".") + 1);
    const view = ArrayBuffer.isView(o);
    const name = typeof o === "function" ? "(function)" : view ? field + " [bytes]" : Array.isArray(o) ? field + " [array]" : field;
    const keys = view ? [] : Reflect.ownKeys(o);
    let e = by.get(name);
    if (!e) by.set(name, (e = { n: 0, props: 0, bytes: 0, chars: 0, at }));
    e.n++;
    e.props += keys.length;
    if (view) { e.bytes += o.byteLength; continue; }
    if (typeof o === "function") continue;
    for (const k of keys) {
      let v;
      try { v = o[k]; } catch { continue; }
      if (typeof v === "string") e.chars += v.length;
      else todo.push([v, at + "." + String(k)]);
    }
    if (o instanceof Map) for (const [k, v] of o) { todo.push([k, at + ".<key>"]); todo.push([v, at + ".<value>"]); }
    if (o instanceof Set) for (const v of o) todo.push([v, at + ".<item>"]);
  }
  const rows = [...by.entries()].sort((a, b) => b[1].n + b[1].props - (a[1].n + a[1].props));
  let objs = 0, props = 0, bytes = 0, chars = 0;
  for (const [name, e] of rows) {
    objs += e.n; props += e.props; bytes += e.bytes; chars += e.chars;
    trace(\`[census] \${name}|\${e.n}|\${e.props}|\${e.bytes}|\${e.chars}|\${e.at}\\n\`);
  }
  trace(\`[census] (all)|\${objs}|\${props}|\${bytes}|\${chars}|-\\n\`);
}
device.start();
trace(\`[stack] start() itself\\n\${take()}\\n\`);
`;

// ram-parts' stand-in transport steps, each step's deepest chain printed after its window.
const STEPS = `import { take } from "stackprobe";
function __report(name) { trace(\`[stack] \${name}\\n\${take()}\\n\`); }
` + STEPS_BODY.replace('keep.push(next[1]());', 'take(); keep.push(next[1]());').replace('Timer.set(() => { Timer.clear(gc); run(); }, 1250);', 'Timer.set(() => { Timer.clear(gc); __report(next[0]); run(); }, 1250);');

async function main(): Promise<void> {
  const moddable = process.env.MODDABLE;
  if (!moddable) {
    console.log('stack-paths skipped: MODDABLE is not set');
    return;
  }
  const tools = sdkTools(moddable);
  const emu = await startEmulator({ devices: { [TOKEN]: { datastreams: { Power: 1 } } }, regions: { global: { mqtt: 0 } } });
  const work = mkdtempSync(path.join(tmpdir(), 'blynk-stack-paths-'));
  try {
    const dist = path.join(work, 'dist');
    const bundle = await buildTarget({ name: 'blynk-moddable-parts', entry: 'build/entries/moddable-parts.ts' }, dist);
    const code = readFileSync(bundle, 'utf8');
    writeFileSync(path.join(dist, 'blynk-moddable-parts.orig.js'), code);
    writeFileSync(path.join(dist, 'blynk-probed.js'), instrument(code));
    const probeDir = path.join(work, 'stackprobe');
    cpSync(path.join(HERE, 'stack-probe'), probeDir, { recursive: true });
    mkdirSync(path.join(work, 'prefs'));
    for (const [name, main, done] of [['stack-steps', STEPS, /^\[parts\] done/], ['stack-real', REAL, /^\[stack\] done/]] as const) {
      const dir = path.join(work, name);
      const out = path.join(work, `out-${name}`);
      mkdirSync(dir);
      mkdirSync(out);
      writeFileSync(path.join(dir, 'main.js'), main);
      // The census needs room of its own (its Set and lists): the real app gets larger heaps. The
      // stack is the same size in both.
      const creation = name === 'stack-real' ? { ...CREATION, chunk: { initial: 262144, incremental: 0 }, heap: { initial: 32768, incremental: 0 } } : CREATION;
      const manifest = {
        include: ['$(MODDABLE)/examples/manifest_base.json', '$(MODDABLE)/examples/manifest_net.json', '$(MODDABLE)/modules/crypt/tls.json', '$(MODDABLE)/modules/network/http/manifest.json', '$(MODDABLE)/modules/files/preference/manifest.json'],
        modules: { '*': ['./main', '$(MODULES)/base/debug/*', '$(MODULES)/base/instrumentation/*'], blynk: path.join(dist, 'blynk-probed'), stackprobe: path.join(probeDir, 'stackprobe') },
        preload: ['debug', 'blynk', 'stackprobe'],
        creation,
        config: { token: '', server: '' },
        platforms: { lin: { config: { file: { root: `${path.join(work, 'prefs')}/` } }, creation } },
      };
      writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
      const server = emu.uri('mqtt', 'global').replace(/\/$/, '');
      process.stderr.write(`building ${name}...\n`);
      const so = await buildApp(tools, { appDir: dir, outDir: out, config: { token: TOKEN, server }, logFile: path.join(work, `build-${name}.log`) });
      const sim = new Simulator(tools, so, path.join(work, `${name}.log`));
      try {
        if (name === 'stack-real') {
          await sim.waitFor(/^\[stack\] start\(\) until online/, 'online', 120_000);
          await emu.writeDatastream(TOKEN, 'Power', 1);
        }
        await sim.waitFor(done, `the ${name} app to finish`, 120_000);
      } finally {
        await sim.stop();
      }
      console.log(`== ${name}: the deepest function entry of each step (depth in slots, its callers above it)`);
      let on = false;
      for (const line of sim.lines) {
        if (line.startsWith('[stack] ')) {
          on = line !== '[stack] done';
          if (on) console.log(`-- ${line.slice(8)}`);
        } else if (on && /^\d+( |$)/.test(line)) console.log(`   ${line}`);
        else if (/XS abort|stack overflow|memory full/.test(line)) console.log(`!! ${line}`);
      }
      const census = sim.lines.filter((l) => l.startsWith('[census] ')).map((l) => l.slice(9).split('|'));
      if (census.length > 0) {
        console.log('== what the online device holds (objects reachable from it, not frozen): kind, objects, own properties, typed-array bytes, string chars, an example path');
        for (const c of census) console.log(`   ${c[0]!.padEnd(24)} ${c[1]!.padStart(5)} ${c[2]!.padStart(6)} ${c[3]!.padStart(7)} ${c[4]!.padStart(6)}  ${c[5]}`);
      }
    }
    console.log(`bundle lines: ${path.join(dist, 'blynk-moddable-parts.orig.js')} (the names' @line); logs: ${work}`);
  } finally {
    await emu.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
