// The npm package for Node users: `npm pack` here, the tarball installed into an empty project
// with no registry (--offline: its one dependency, ws, is bundled in the tarball; the emulator's
// are optional peers), and the README's script run there against the emulator: it connects,
// writes a value and receives one. The type declarations resolve for a nodenext project and catch
// a wrong option. Waits are for events, with generous deadlines (nothing here is timed).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator, type Emulator } from '../../tools/emulator';
import { ROOT } from '../../tools/xs/build';
import { TOKEN } from '../support/tokens';
import { waitFor } from '../support/wait';

const DEADLINE = 60_000;
const EMULATOR_PEERS = ['aedes', 'mqtt-packet', '@peculiar/x509', 'reflect-metadata'];

let work: string;
let project: string;
let tarball: string;
let emu: Emulator | undefined;
const children: ChildProcess[] = [];

function sh(cmd: string, args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, npm_config_update_notifier: 'false' } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The README's script: the code block marked `<!-- npm-script: device.mjs -->`. */
function readmeScript(): string {
  const m = /<!-- npm-script: device\.mjs -->\n```js\n([\s\S]*?)```/.exec(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  if (!m) throw new Error('README.md has no block marked <!-- npm-script: device.mjs -->');
  return m[1]!;
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'blynk-npm-pack-'));
  // npm pack runs prepack: the Moddable bundle and the package build (dist/, with types).
  const pack = sh('npm', ['pack', '--pack-destination', work], ROOT);
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.out}`);
  tarball = path.join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
  project = path.join(work, 'my-device');
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'my-device', private: true, type: 'module' }));
  const install = sh('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], project);
  if (install.status !== 0) throw new Error(`npm install of the tarball failed:\n${install.out}`);
}, 240_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  await emu?.close();
  if (work) rmSync(work, { recursive: true, force: true });
}, 60_000);

test('the tarball: no "private", exports with types, the Moddable manifest and bundle; installs with ws and nothing else', () => {
  const pkg = JSON.parse(readFileSync(path.join(project, 'node_modules/blynk-mqtt-xs/package.json'), 'utf8')) as Record<string, any>;
  expect(pkg.private).toBeUndefined();
  expect(Object.keys(pkg.exports)).toEqual(['.', './node', './emulator', './manifest.json', './package.json']);
  for (const sub of ['.', './node', './emulator']) {
    for (const file of [pkg.exports[sub].types, pkg.exports[sub].import]) expect({ sub, file, there: existsSync(path.join(project, 'node_modules/blynk-mqtt-xs', file)) }).toEqual({ sub, file, there: true });
  }
  for (const f of ['manifest.json', 'build/dist/blynk-moddable.mjs', 'build/moddable/firmware.js', 'certs/isrg-root-x1.der']) expect(existsSync(path.join(project, 'node_modules/blynk-mqtt-xs', f))).toBe(true);
  expect(Object.keys(pkg.dependencies)).toEqual(['ws']);
  expect(Object.keys(pkg.peerDependencies).sort()).toEqual([...EMULATOR_PEERS].sort());
  expect(Object.values(pkg.peerDependenciesMeta).every((m: any) => m.optional === true)).toBe(true);
  // Nothing but the package itself at the top: ws is bundled inside it, the peers are not installed.
  expect(readdirSync(path.join(project, 'node_modules')).filter((d) => !d.startsWith('.'))).toEqual(['blynk-mqtt-xs']);
  const files = sh('tar', ['tzf', tarball], work).out.split('\n');
  expect(files.filter((f) => /^package\/(test|src|hal|tools)\//.test(f))).toEqual([]);
});

test('the README script (ten lines), run in that project, connects to the emulator, writes a value and receives one', async () => {
  const script = readmeScript();
  expect(script.trimEnd().split('\n').length).toBeLessThanOrEqual(10);
  writeFileSync(path.join(project, 'device.mjs'), script);
  emu = await startEmulator({ tokens: [TOKEN], regions: { global: { mqtt: 0 } } });
  let out = '';
  const child = spawn(process.execPath, ['device.mjs'], { cwd: project, env: { ...process.env, BLYNK_TOKEN: TOKEN, BLYNK_SERVER: emu.uri('mqtt') }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const alive = (): boolean => {
    if (child.exitCode !== null) throw new Error(`the script exited (${child.exitCode}):\n${out}`);
    return true;
  };
  await waitFor(() => alive() && emu!.datastream(TOKEN, 'Temperature') === '21.5', `ds/Temperature 21.5 from the script (output so far: ${out})`, DEADLINE);
  expect(emu.device(TOKEN).infoMcu?.json).toMatchObject({ tmpl: 'TMPL1234abcd' });
  await emu.writeDatastream(TOKEN, 'Power', 1);
  await waitFor(() => alive() && out.includes('Power = 1'), 'the script to print Power = 1', DEADLINE);
  expect(out).not.toContain(TOKEN);
  child.kill('SIGTERM');
}, 120_000);

test('the type declarations resolve in a nodenext project and reject a wrong option', () => {
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [], typeRoots: [path.join(ROOT, 'node_modules/@types')] },
    files: ['check.ts'],
  }));
  const good = [
    "import { BlynkDevice, firmwareTag, type DeviceOptions } from 'blynk-mqtt-xs';",
    "import { createNodeHal } from 'blynk-mqtt-xs/node';",
    "import type { Emulator } from 'blynk-mqtt-xs/emulator';",
    "const options: DeviceOptions = { hal: createNodeHal(), token: 't', templateId: 'TMPL1', firmware: firmwareTag({ version: '1.0.0', type: 'TMPL1' }) };",
    'const device = new BlynkDevice(options);',
    "const problem: ReturnType<BlynkDevice['write']> = device.write('Temperature', 21.5);",
    'export const used: [typeof problem, Emulator | undefined] = [problem, undefined];',
  ].join('\n');
  writeFileSync(path.join(project, 'check.ts'), good);
  const ok = sh(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
  expect(ok).toEqual({ status: 0, out: '' });
  writeFileSync(path.join(project, 'check.ts'), good.replace("templateId: 'TMPL1'", 'templateId: 1'));
  const bad = sh(process.execPath, [tsc, '-p', 'tsconfig.json'], project);
  expect(bad.status).not.toBe(0);
  expect(bad.out).toMatch(/check\.ts\(4,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/);
}, 60_000);

test('blynk-mqtt-xs/emulator needs its optional peers: a clear error without them, a running emulator with them', () => {
  const probe = "import('blynk-mqtt-xs/emulator').then(async (m) => { const e = await m.startEmulator({ tokens: ['abcd1234abcd1234'], regions: { global: { mqtt: 0 } } }); console.log('emulator at', e.uri('mqtt')); await e.close(); }, (err) => { console.log('import failed:', err.message); process.exit(3); })";
  const without = sh(process.execPath, ['--input-type=module', '-e', probe], project);
  expect(without.status).toBe(3);
  expect(without.out).toMatch(/Cannot find package '(aedes|mqtt-packet|@peculiar\/x509|reflect-metadata)'/);
  // The peers, offline: linked from this repository's node_modules (what `npm install aedes ...` would add).
  for (const peer of EMULATOR_PEERS) {
    mkdirSync(path.dirname(path.join(project, 'node_modules', peer)), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules', peer), path.join(project, 'node_modules', peer), 'dir');
  }
  const withPeers = sh(process.execPath, ['--input-type=module', '-e', probe], project);
  expect(withPeers).toMatchObject({ status: 0, out: expect.stringMatching(/^emulator at mqtt:\/\/127\.0\.0\.1:\d+\n$/) });
}, 60_000);
