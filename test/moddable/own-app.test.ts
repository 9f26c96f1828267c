// "Your own app" (docs/moddable.md, section 3) as a new user would do it: a new directory whose
// manifest includes only the library manifest, with the docs' own manifest.json and main.js
// (read from the docs, so the page and this test cannot drift apart). Built for the simulator and
// run against the emulator: it connects, writes a value and receives one, and the binary holds
// exactly one Blynk info tag, equal to the info/mcu it sends (C-OTA-3). The same app for the
// ESP32: the preloaded heap mcconfig's makefile writes (mc.xs.c) before it needs the ESP-IDF
// holds the tag as one C string literal. Runs only when MODDABLE is set (one SKIP line otherwise).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator, type Emulator } from '../../tools/emulator';
import { scanTags } from '../../tools/tag/parse';
import { buildTarget, ROOT } from '../../tools/xs/build';
import { TOKEN } from '../support/tokens';
import { waitFor } from '../support/wait';
import { cLiteralsWith, yourAppFiles } from './support/own-app';
import { buildForSimulator, describeSimulator, sdkTools, Simulator, type SdkTools } from './support/simulator';

const TEMPLATE = 'TMPLmine0001';
const VERSION = '0.1.0';
const DEADLINE = 120_000; // generous; never the thing under test
const BUILD_FORM = /^[A-Z][a-z]{2} [ \d]\d \d{4} \d\d:\d\d:\d\d$/;
const parseBuild = (s: string): number => new Date(s.replace(/^(\w{3}) +(\d+) (\d{4}) /, '$1 $2, $3 ')).getTime();

describe('the docs\' "your own app" files', () => {
  test('are there: a manifest with one include, of the library manifest, and a main.js that passes blynk/firmware', () => {
    const files = yourAppFiles(readFileSync(path.join(ROOT, 'docs/moddable.md'), 'utf8'));
    expect(Object.keys(files).sort()).toEqual(['main.js', 'manifest.json']);
    const manifest = JSON.parse(files['manifest.json']!) as Record<string, unknown>;
    expect(manifest.include).toEqual(['$(BLYNK_MQTT_XS)/manifest.json']);
    expect(files['main.js']).toMatch(/import firmware from 'blynk\/firmware'/);
    expect(files['main.js']).toMatch(/new BlynkDevice\(\{[^}]*firmware/);
  });
});

describeSimulator('your own app, from docs/moddable.md, on the library manifest alone', () => {
  let tools: SdkTools;
  let emu: Emulator;
  let work: string;
  let appDir: string;
  let bundleDir: string;
  let sim: Simulator | undefined;
  const files = yourAppFiles(readFileSync(path.join(ROOT, 'docs/moddable.md'), 'utf8'));
  const env = (): NodeJS.ProcessEnv => ({ BLYNK_MQTT_XS: ROOT, BLYNK_DIST: bundleDir });

  beforeAll(async () => {
    tools = sdkTools(process.env.MODDABLE!);
    emu = await startEmulator({ tokens: [TOKEN], regions: { global: { mqtt: 0 } } });
    work = mkdtempSync(path.join(tmpdir(), 'blynk-own-app-'));
    // A directory named as in the docs; nothing in it but the docs' two files. The one addition:
    // a Preference directory of its own, so no endpoint stored by another run is picked up.
    appDir = path.join(work, 'my-blynk-app');
    mkdirSync(path.join(work, 'prefs'), { recursive: true });
    mkdirSync(appDir);
    const manifest = JSON.parse(files['manifest.json']!) as Record<string, unknown>;
    writeFileSync(path.join(appDir, 'manifest.json'), JSON.stringify({ ...manifest, platforms: { lin: { config: { file: { root: `${work}/prefs/` } } } } }, null, 2));
    writeFileSync(path.join(appDir, 'main.js'), files['main.js']!);
    bundleDir = process.env.BLYNK_DIST ?? path.join(work, 'dist');
    if (!process.env.BLYNK_DIST) await buildTarget({ name: 'blynk-moddable', entry: 'build/entries/moddable.ts' }, bundleDir);
  }, 120_000);

  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  }, 60_000);

  afterAll(async () => {
    await emu?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  test('simulator: builds, connects, writes and receives a value; the binary\'s one tag equals its info/mcu', async () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const logFile = path.join(work, 'build-lin.log');
    const mcSo = await buildForSimulator(tools, {
      appDir, outDir: work, logFile, env: env(),
      config: { token: TOKEN, template: TEMPLATE, version: VERSION, server: emu.uri('mqtt') },
    });
    const after = Date.now();
    expect(readFileSync(logFile, 'utf8')).not.toContain(TOKEN);

    const { tags, problems } = scanTags(readFileSync(mcSo));
    expect(problems).toEqual([]);
    expect(tags.length).toBe(1);
    const tag = tags[0]!.values;
    expect(tag).toEqual({ mcu: VERSION, 'fw-type': TEMPLATE, build: expect.stringMatching(BUILD_FORM) });
    // Made when mcconfig linked the app (blynk/firmware is preloaded), not when the bundle was built.
    expect(parseBuild(tag.build!)).toBeGreaterThanOrEqual(before);
    expect(parseBuild(tag.build!)).toBeLessThanOrEqual(after);

    sim = Simulator.start(tools, mcSo, path.join(work, 'sim.log'));
    await waitFor(() => emu.device(TOKEN).infoMcu !== undefined, 'info/mcu', DEADLINE);
    const info = emu.device(TOKEN).infoMcu!.json!;
    expect({ ver: info.ver, type: info.type, build: info.build, tmpl: info.tmpl }).toEqual({ ver: tag.mcu, type: tag['fw-type'], build: tag.build, tmpl: TEMPLATE });
    await waitFor(() => emu.datastream(TOKEN, 'Temperature') === '21.5', 'ds/Temperature 21.5', DEADLINE);
    await emu.writeDatastream(TOKEN, 'Power', 1);
    await sim.waitForLine(/^Power is 1$/, 'the app to receive Power 1', DEADLINE);
    expect(sim.lines.join('\n')).not.toContain(TOKEN);
  }, 300_000);

  test('ESP32, a release build (what goes to Blynk.Air): the preloaded heap mcconfig generates holds the tag as one C string literal, once', () => {
    const out = path.join(work, 'esp32');
    mkdirSync(out);
    const config = [`token=${TOKEN}`, `template=${TEMPLATE}`, `version=${VERSION}`];
    const before = Math.floor(Date.now() / 1000) * 1000;
    // Without -m: merge the manifests and write the makefile (no ESP-IDF needed).
    const gen = spawnSync(path.join(tools.moddable, 'build/bin/lin/release/mcconfig'), ['-p', 'esp32/nodemcu', '-o', out, ...config], { cwd: appDir, env: { ...tools.env, ...env() }, encoding: 'utf8', timeout: 600_000 });
    expect({ status: gen.status, errors: gen.stderr.split('\n').filter((l) => /error/i.test(l)) }).toEqual({ status: 0, errors: [] });
    // Then only the makefile's linker step (xsc + xsl): the ESP-IDF is needed from the C compile on.
    // IDF_PATH/IDF_VERSION only satisfy the makefile's checks; SDKCONFIG_H= drops a dependency on the IDF build.
    const tmp = path.join(out, 'tmp/esp32/nodemcu/release/my-blynk-app');
    const make = spawnSync('make', ['-f', path.join(tmp, 'makefile'), 'IDF_PATH=/nonexistent-esp-idf', 'IDF_VERSION=v6.0', 'SDKCONFIG_H=', path.join(tmp, 'mc.xs.c')], { cwd: appDir, env: { ...tools.env, ...env() }, encoding: 'utf8', timeout: 600_000 });
    expect({ status: make.status, xsl: make.stdout.includes('# xsl modules') }).toEqual({ status: 0, xsl: true });
    const after = Date.now();

    const c = readFileSync(path.join(tmp, 'mc.xs.c'), 'utf8');
    const marker = Buffer.from('blnkinf\0', 'latin1');
    const literals = cLiteralsWith(c, marker);
    expect(literals.length).toBe(1); // one tag in the whole preloaded heap, no stray marker
    const { tags, problems } = scanTags(literals[0]!);
    expect(problems).toEqual([]);
    expect(tags.length).toBe(1);
    expect(tags[0]!.offset).toBe(0); // the literal is the tag: an ArrayBuffer's contents in one piece
    expect(tags[0]!.length).toBe(literals[0]!.length);
    expect(tags[0]!.values).toEqual({ mcu: VERSION, 'fw-type': TEMPLATE, build: expect.stringMatching(BUILD_FORM) });
    const t = parseBuild(tags[0]!.values.build!);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(after);
  }, 300_000);
});
