// Builds the bundles the XS tier runs, with rollup's JS API, so tests and tools never depend on
// a manual `npm run build`. TypeScript is stripped file by file (transpileModule: the project
// compiles with isolatedModules), which takes a fraction of the time of a type-checking build;
// type checks are tsc's job. A bundle is rebuilt only when one of its input files changed.
//
// Bundles that consume the runtime (scenarios, the bench, apps run through the bridge) import it
// from build/entries/xs-mock.ts or xs-bridge.ts; those imports become './blynk-xs-mock.mjs' /
// './blynk-xs-bridge.mjs', so the code under test is the runtime bundle itself, not a copy.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup, type Plugin } from 'rollup';
import ts from 'typescript';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where the XS tier's bundles go (build/dist is not committed). */
export const XS_OUT = path.join(ROOT, 'build/dist/xs');

/** Bare specifiers the Moddable SDK provides; anything else bare is kept external and flagged by the static check. */
export const MODDABLE_MODULES: readonly string[] = [
  'timer', 'time', 'socket', 'securesocket', 'websocket', 'preference', 'mc/config', 'ota',
  'http', 'wifi', 'net', 'resource', 'Resource', 'crypt', 'instrumentation', 'flash', 'embedded:update', 'ssl/cert',
];

export function isModdableModule(id: string): boolean {
  return MODDABLE_MODULES.includes(id) || id.startsWith('embedded:') || id.startsWith('mc/');
}

/** Runtime bundles that other bundles import instead of bundling the sources again. */
const RUNTIMES: Record<string, string> = {
  'build/entries/xs-mock.ts': 'blynk-xs-mock',
  'build/entries/xs-bridge.ts': 'blynk-xs-bridge',
};

/**
 * The runtime bundles, by name -> entry (relative to the repository root). Every other bundle
 * (scenarios, the bench, apps, fixtures) is built by its owner passing its own entry to
 * buildTarget(): this file names no caller's files.
 */
export const XS_TARGETS: Record<string, string> = {
  'blynk-core': 'build/entries/core.ts',
  'blynk-moddable': 'build/entries/moddable.ts',
  'blynk-xs-mock': 'build/entries/xs-mock.ts',
  'blynk-xs-bridge': 'build/entries/xs-bridge.ts',
};

export interface BuildTarget {
  /** Output name; runtime bundles are named blynk-*, everything else runs on one of them. */
  name: string;
  /** Entry file, absolute or relative to the repository root. */
  entry: string;
  /**
   * Bare specifiers bundled from a file instead of kept external (absolute or relative to the
   * repository root): e.g. a Moddable SDK module and stand-ins for the modules it imports.
   */
  aliases?: Record<string, string>;
}

const rel = (file: string): string => path.relative(ROOT, file).split(path.sep).join('/');

function resolveFile(base: string): string | undefined {
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts'), `${base}.mjs`, `${base}.js`]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** `consumer`: a bundle that runs on a runtime bundle (scenarios, bench, apps), not one itself. */
function xsPlugin(entry: string, consumer: boolean, aliases: Record<string, string> = {}): Plugin {
  const ownEntry = rel(entry);
  return {
    name: 'blynk-xs',
    resolveId(source, importer) {
      if (!importer) return null;
      if (!source.startsWith('.') && !path.isAbsolute(source)) {
        const alias = aliases[source];
        if (alias === undefined) return { id: source, external: true };
        const file = resolveFile(path.resolve(ROOT, alias));
        if (!file) this.error(`${source} is aliased to ${alias}, which does not exist`);
        return file;
      }
      const file = resolveFile(path.resolve(path.dirname(importer), source));
      if (!file) return null;
      const runtime = RUNTIMES[rel(file)];
      if (runtime && rel(file) !== ownEntry) return { id: `./${runtime}.mjs`, external: true };
      return file;
    },
    load(id) {
      // A bundle built on a runtime bundle must get the runtime only through it: a second copy
      // would split class identities (instanceof BlynkError) and hide what the runtime bundle does.
      const r = rel(id);
      if (consumer && (r.startsWith('src/') || (r.startsWith('hal/') && !r.startsWith('hal/xs/protocol')))) {
        this.error(`${r} is bundled into ${ownEntry}: import the runtime through build/entries/xs-mock.ts or xs-bridge.ts`);
      }
      return null;
    },
    transform(code, id) {
      if (!id.endsWith('.ts')) return null;
      const out = ts.transpileModule(code, {
        fileName: id,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          isolatedModules: true,
          useDefineForClassFields: true,
          sourceMap: false,
        },
      });
      return { code: out.outputText, map: null };
    },
  };
}

interface Stamp {
  entry: string;
  files: Record<string, string>;
}

function fingerprint(file: string): string {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return 'missing';
  }
}

function upToDate(out: string, stampFile: string, entry: string): boolean {
  if (!existsSync(out) || !existsSync(stampFile)) return false;
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as Stamp;
    if (stamp.entry !== entry) return false;
    return Object.entries(stamp.files).every(([f, fp]) => fingerprint(f) === fp);
  } catch {
    return false;
  }
}

/** Bundle one entry into `<outDir>/<name>.mjs` (unless nothing changed). Returns the output path. */
export async function buildTarget(target: BuildTarget, outDir = XS_OUT): Promise<string> {
  const entry = path.resolve(ROOT, target.entry);
  if (!existsSync(entry)) throw new Error(`no entry ${rel(entry)} for ${target.name}`);
  const out = path.join(outDir, `${target.name}.mjs`);
  const stampFile = path.join(outDir, `.${target.name}.stamp.json`);
  const stampKey = target.aliases ? `${entry} ${JSON.stringify(target.aliases)}` : entry;
  if (upToDate(out, stampFile, stampKey)) return out;
  const bundle = await rollup({
    input: entry,
    plugins: [xsPlugin(entry, !target.name.startsWith('blynk-'), target.aliases)],
    onwarn(warning, warn) {
      if (warning.code === 'CIRCULAR_DEPENDENCY') throw new Error(warning.message);
      if (warning.code === 'UNRESOLVED_IMPORT') throw new Error(warning.message);
      warn(warning);
    },
  });
  try {
    const { output } = await bundle.generate({ format: 'es', sourcemap: false });
    mkdirSync(outDir, { recursive: true });
    // Write beside, then rename: test files built in parallel never see half a bundle.
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, output[0].code);
    renameSync(tmp, out);
    const files: Record<string, string> = {};
    for (const f of bundle.watchFiles) if (path.isAbsolute(f)) files[f] = fingerprint(f);
    const stampTmp = `${stampFile}.${process.pid}.tmp`;
    writeFileSync(stampTmp, JSON.stringify({ entry: stampKey, files } satisfies Stamp));
    renameSync(stampTmp, stampFile);
  } finally {
    await bundle.close();
  }
  return out;
}

/** Build known targets by name (see XS_TARGETS); runtime bundles a target imports are built too. */
export async function buildXs(names: readonly string[], outDir = XS_OUT): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const name of names) {
    const entry = XS_TARGETS[name];
    if (!entry) throw new Error(`unknown XS target ${name}`);
    result[name] = await buildTarget({ name, entry }, outDir);
  }
  return result;
}
