// The Moddable manifests, checked without building: manifest.json (the library: the runtime, its
// firmware identity, the root CAs, the SDK manifests it needs, nothing app-specific) and
// examples/thermostat/manifest.json (an app that includes it): the files they name exist, the
// app's config keys are declared, the runtime is preloaded, and every module the device code
// imports is provided by an include (support/providers.ts says which). With MODDABLE set the
// table itself is checked against the SDK's manifests.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildTarget, ROOT } from '../../tools/xs/build';
import { CONFIG_KEYS, ROOT_CAS } from '../../examples/thermostat/settings.js';
import { bundleImports, scanImports } from './support/imports';
import { PLATFORMS, PROVIDERS, providerFor, providerManifest, type Platform } from './support/providers';
import { readManifest } from './support/sdk-manifest';

type Json = Record<string, unknown>;
const readJson = (rel: string): Json => JSON.parse(readFileSync(path.join(ROOT, rel), 'utf8')) as Json;
/** The library manifest (what apps include) and the thermostat app that includes it. */
const LIBRARY = 'manifest.json';
const APP = 'examples/thermostat/manifest.json';
const library = readJson(LIBRARY);
const app = readJson(APP);
const modulesOf = (section: Json | undefined): Record<string, string> => (section?.modules ?? {}) as Record<string, string>;
const platforms = app.platforms as Record<string, Json>;
const includesFor = (p: Platform): string[] => [...(library.include as string[]), ...(((platforms[p]?.include as string[] | undefined) ?? []))];

/** The bundle the library names as $(BLYNK_DIST)/blynk-moddable (default ./build/dist). */
const RUNTIME_SOURCE = '$(BLYNK_DIST)/blynk-moddable';
/** What the device bundle is made from (build/rollup.config.mjs and tools/xs/build.ts agree). */
const RUNTIME_ENTRY = 'build/entries/moddable.ts';

/** A module source as a path from the repository root (manifest sources are relative to their manifest). */
const fromRoot = (manifest: string, source: string): string => (source === RUNTIME_SOURCE ? source : path.join(path.dirname(manifest), source));
/** Every module of the thermostat on platform p: the library's, the app's, the app's platform section's. */
function modulesFor(p: Platform): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(modulesOf(library))) out[k] = fromRoot(LIBRARY, v);
  for (const [k, v] of Object.entries({ ...modulesOf(app), ...modulesOf(platforms[p]) })) out[k] = fromRoot(APP, v);
  return out;
}

function sourceFile(source: string): string | undefined {
  for (const ext of ['.js', '.mjs', '.ts']) if (existsSync(path.join(ROOT, source + ext))) return source + ext;
  return undefined;
}

describe('manifest.json, the library manifest', () => {
  test('only build, include, modules, preload and data: no creation, no app config, no platform restriction', () => {
    expect(Object.keys(library).filter((k) => k !== '//').sort()).toEqual(['build', 'data', 'include', 'modules', 'preload']);
    expect(library.build).toEqual({ 'BLYNK_DIST ?=': './build/dist' });
  });

  test('the runtime bundle as "blynk" and the firmware identity as "blynk/firmware", both preloaded', () => {
    expect(modulesOf(library)).toEqual({ blynk: RUNTIME_SOURCE, 'blynk/firmware': './build/moddable/firmware' });
    // Preloaded (frozen into flash, saving RAM) everywhere. The bundle does not import
    // `preference` (the app passes it in): the simulator's version keeps its file in module
    // state, which a preload would freeze at build time. blynk/firmware must be preloaded: its
    // body takes the build time and makes the tag, which must happen at link time.
    expect(library.preload).toEqual(['blynk', 'blynk/firmware']);
    const rollup = readFileSync(path.join(ROOT, 'build/rollup.config.mjs'), 'utf8');
    expect(rollup).toContain(`{ name: 'blynk-moddable', entry: '${RUNTIME_ENTRY}' }`);
    expect(existsSync(path.join(ROOT, RUNTIME_ENTRY))).toBe(true);
    expect(sourceFile('build/moddable/firmware')).toBe('build/moddable/firmware.js');
  });

  test('data: the three root CAs as DER files from certs/ (valid CA certificates), named as the apps expect', () => {
    const data = (library.data as Record<string, string[]>)['*']!;
    const names = data.map((d) => `${path.basename(d)}.der`);
    expect(names).toEqual([...ROOT_CAS]);
    const subjects: string[] = [];
    for (const d of data) {
      const der = readFileSync(path.join(ROOT, `${d.replace(/^\.\//, '')}.der`));
      const cert = new X509Certificate(der);
      expect(cert.ca).toBe(true);
      expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now());
      expect(cert.checkIssued(cert)).toBe(true); // self-signed: a root
      subjects.push(cert.subject.split('\n').find((l) => l.startsWith('CN='))!);
    }
    expect(subjects).toEqual(['CN=ISRG Root X1', 'CN=Amazon Root CA 1', 'CN=DigiCert Global Root G2']);
  });
});

describe('examples/thermostat/manifest.json, the app on the library', () => {
  test('includes the library manifest, names the entry "main", and has esp32 + lin sections (an error elsewhere)', () => {
    expect(app.include).toEqual(['../../manifest.json']);
    expect(modulesOf(app).main).toBe('./main');
    expect(Object.keys(platforms).sort()).toEqual(['...', 'esp32', 'lin']);
    expect(typeof platforms['...']!.error).toBe('string');
    for (const p of PLATFORMS) expect(modulesOf(platforms[p])['thermostat/platform']).toMatch(/^\.\/platform-/);
  });

  test('every module it names exists (the runtime bundle is what `npm run build` writes)', () => {
    const missing: string[] = [];
    for (const p of PLATFORMS) {
      for (const [spec, source] of Object.entries(modulesFor(p))) {
        if (source === RUNTIME_SOURCE) continue;
        if (!sourceFile(source)) missing.push(`${p} ${spec}: ${source}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('every preloaded module is one of its own modules, and main is not preloaded', () => {
    for (const name of app.preload as string[]) expect(Object.keys(modulesOf(app))).toContain(name);
    // main runs the app, so it must not be preloaded (that would run it at build time).
    expect(app.preload).not.toContain('main');
  });

  test('config declares every key the app and the library read, as strings (mcconfig key=value arguments are strings)', () => {
    const config = app.config as Record<string, unknown>;
    for (const key of [...CONFIG_KEYS, 'version', 'template']) expect({ key, declared: key in config }).toEqual({ key, declared: true });
    for (const [key, value] of Object.entries(config)) expect({ key, type: typeof value }).toEqual({ key, type: 'string' });
    // No other file of the app reads config properties itself (settings.js is the one place).
    const dir = path.join(ROOT, 'examples/thermostat');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'settings.js')) {
      const code = readFileSync(path.join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect({ file, reads: code.match(/\bconfig(\.\w+|\[)/g) ?? [] }).toEqual({ file, reads: [] });
    }
  });

  test('creation: fixed heaps (no growth on the ESP32), within what the SDK gives an esp32/nodemcu', () => {
    const c = app.creation as { static: number; chunk: { initial: number; incremental: number }; heap: { initial: number; incremental: number }; stack: number };
    expect([c.static, c.chunk.incremental, c.heap.incremental]).toEqual([0, 0, 0]);
    // esp32/nodemcu: chunk 78848 + 4928 slots x 16 bytes, stack 512 slots. Ours must not need more RAM.
    const ours = c.chunk.initial + c.heap.initial * 16 + c.stack * 16;
    expect(ours).toBeLessThanOrEqual(78848 + 4928 * 16 + 512 * 16);
    // The TLS handshake peaked at 470 stack slots in the simulator: keep a margin.
    expect(c.stack).toBeGreaterThanOrEqual(640);
  });

  test('esp32: restart through FFI esp_restart, OTA and flash manifests included', () => {
    const esp32 = platforms.esp32!;
    expect((esp32.ffi as Json).functions).toEqual({ esp_restart: { arguments: [], returns: 'void' } });
    expect(esp32.include).toEqual(['$(MODDABLE)/build/devices/esp32/modules/ota/manifest.json', '$(MODDABLE)/modules/files/flash/manifest.json']);
  });
});

// The bundle from the current sources, into a temp dir (build/dist is left alone).
let outDir: string;
let bundle: string;

beforeAll(async () => {
  outDir = mkdtempSync(path.join(tmpdir(), 'blynk-manifest-check-'));
  bundle = await buildTarget({ name: 'blynk-moddable', entry: RUNTIME_ENTRY }, outDir);
}, 120_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('imports of the device code are all provided', () => {
  /** Bare specifiers imported by the runtime's sources and by each app module of platform p. */
  function imports(p: Platform): Map<string, string[]> {
    const appFiles = Object.values(modulesFor(p)).filter((s) => s !== RUNTIME_SOURCE).map((s) => sourceFile(s)!);
    const scan = scanImports(ROOT, [RUNTIME_ENTRY, ...appFiles]);
    return scan.bare;
  }

  test.each(PLATFORMS)('%s: every bare specifier is an app module or in the provider table, reached through an include', (p) => {
    const own = modulesFor(p);
    const problems: string[] = [];
    for (const [spec, files] of imports(p)) {
      if (spec in own) continue;
      const provider = providerFor(spec, p);
      if (!provider) problems.push(`${spec} (imported by ${files.join(', ')}): no provider on ${p}`);
      else if ('generated' in provider) {
        if (provider.generated === 'ffi' && !(platforms[p]?.ffi as Json | undefined)?.functions) problems.push(`${spec}: no ffi section under platforms.${p}`);
      } else if (!includesFor(p).includes(provider.via)) problems.push(`${spec}: ${provider.via} is not included for ${p}`);
    }
    expect(problems).toEqual([]);
  });

  test('the bundle the sources make imports only modules both platforms provide', () => {
    const specs = bundleImports(bundle);
    expect(specs.length).toBeGreaterThan(0);
    for (const p of PLATFORMS) expect({ p, missing: specs.filter((s) => !providerFor(s, p)) }).toEqual({ p, missing: [] });
    // The walk over the sources finds the same set (so the source scan above is not missing any).
    expect(specs).toEqual([...scanImports(ROOT, [RUNTIME_ENTRY]).bare.keys()].sort());
  });
});

const MODDABLE = process.env.MODDABLE;
const describeSdk: jest.Describe = MODDABLE
  ? describe
  : (process.stderr.write('SKIP manifest checks against the SDK: MODDABLE is not set (build the Moddable SDK per its Linux guide)\n'), describe.skip);

describeSdk('against the Moddable SDK at $MODDABLE', () => {
  const sdk = MODDABLE ?? ''; // the body runs (to collect the skipped tests) without it too
  // What manifest_base and mcconfig define; provider manifests are also read on their own.
  const vars = { MODDABLE: sdk, MODULES: path.join(sdk, 'modules'), BUILD: path.join(sdk, 'build'), BUILD_SIMULATOR: path.join(sdk, 'build/simulators') };
  const resolve = (p: string): string => p.replace('$(MODDABLE)', sdk);

  test.each(PLATFORMS)('%s: the merged manifests declare every module the code imports, no platform error', (p) => {
    const view = readManifest(path.join(ROOT, APP), p, vars, { BLYNK_DIST: path.join(ROOT, 'build/dist') });
    expect(view.errors).toEqual([]);
    expect(view.unresolved).toEqual([]);
    const appFiles = Object.values(modulesFor(p)).filter((s) => s !== RUNTIME_SOURCE).map((s) => sourceFile(s)!);
    const specs = [...scanImports(ROOT, [RUNTIME_ENTRY, ...appFiles]).bare.keys()];
    expect(specs.filter((s) => !view.modules.has(s))).toEqual([]);
  });

  test.each(PLATFORMS)('%s: the table is right: each provider declares its module and its "via" include reaches it', (p) => {
    const wrong: string[] = [];
    for (const spec of Object.keys(PROVIDERS)) {
      const provider = providerFor(spec, p);
      const file = provider && providerManifest(provider, p);
      if (!file) continue;
      if (!readManifest(resolve(file), p, vars).modules.has(spec)) wrong.push(`${spec}: ${file} does not declare it on ${p}`);
      if ('via' in provider! && !readManifest(resolve(provider.via), p, vars).manifests.includes(resolve(file))) wrong.push(`${spec}: ${provider.via} does not include ${file} on ${p}`);
    }
    expect(wrong).toEqual([]);
  });

  // mcconfig itself, for the ESP32, without -m: it merges the manifests and writes the makefile
  // and generated sources, which needs no ESP-IDF (building them would). Output goes to a temp dir.
  test('mcconfig -p esp32/nodemcu accepts the thermostat: bundle and firmware preloaded, esp_restart FFI, OTA partitions, its creation sizes', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'blynk-esp32-config-'));
    try {
      const bin = path.join(sdk, 'build/bin/lin/release');
      const r = spawnSync(path.join(bin, 'mcconfig'), ['-d', '-p', 'esp32/nodemcu', '-o', out, 'token=0000TEST', 'template=TMPLtest'], {
        cwd: path.join(ROOT, 'examples/thermostat'),
        env: { ...process.env, MODDABLE: sdk, PATH: `${process.env.PATH ?? ''}:${bin}`, BLYNK_DIST: outDir },
        encoding: 'utf8',
        timeout: 600_000,
      });
      expect({ status: r.status, stderr: r.stderr.split('\n').filter((l) => /error/i.test(l)) }).toEqual({ status: 0, stderr: [] });
      const flatFile = path.join(out, 'tmp/esp32/nodemcu/debug/thermostat/manifest_flat.json'); // named after its directory, whatever the clone's
      const flat = JSON.parse(readFileSync(flatFile, 'utf8')) as Json;
      expect(flat.preload).toEqual(expect.arrayContaining(['blynk', 'blynk/firmware', 'ota', 'flash', 'preference', 'thermostat', 'thermostat/settings']));
      expect((flat.ffi as Json).functions).toEqual({ esp_restart: { arguments: [], returns: 'void' } });
      expect(((flat.defines as Json).ota as Json).autosplit).toBe(1);
      expect(flat.creation).toMatchObject(app.creation as Json);
      expect(r.stdout + r.stderr).not.toMatch(/no modules match|no data match/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('the thermostat refuses other platforms (its "..." section); the library itself restricts none', () => {
    const view = readManifest(path.join(ROOT, APP), 'esp', vars, {});
    expect(view.errors.some((e) => e.includes('runs on esp32'))).toBe(true);
    // The library alone, where the SDK's networking exists (mac, a desktop simulator; esp, the ESP8266):
    // whatever errors there are come from the SDK's manifests, none from ours.
    for (const p of ['mac', 'esp', 'esp32', 'lin']) {
      const lib = readManifest(path.join(ROOT, LIBRARY), p, vars, {});
      expect({ p, ours: lib.errors.filter((e) => e.startsWith(path.join(ROOT, LIBRARY))) }).toEqual({ p, ours: [] });
      expect(lib.modules.has('blynk/firmware')).toBe(true);
    }
  });
});
