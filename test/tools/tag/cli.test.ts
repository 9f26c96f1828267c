// `npm run tag`: a firmware file's Blynk info tag printed and checked (C-OTA-3), `--add` for a
// package without one, and each kind of bad input: a clear message and a non-zero exit.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeFirmwareTag } from '../../../src/blynk/firmware-tag';
import { runTagCli } from '../../../tools/tag/cli';
import { offerFields, scanTags } from '../../../tools/tag/parse';
import { ROOT } from '../../../tools/xs/build';

const FW = { version: '1.2.3', type: 'TMPLthermo01', build: 'Dec  1 2026 08:05:09' };
const TAG = Buffer.from(encodeFirmwareTag(FW));
const junk = (n: number, seed = 7): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 131 + seed * 17 + (i >> 3)) & 0xff).map((b) => (b === 0x62 ? 0x63 : b)));

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'blynk-tag-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, ...parts: (Buffer | string)[]): string {
  const f = path.join(dir, name);
  writeFileSync(f, Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p))));
  return f;
}

function run(...args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const code = runTagCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('reading a tag', () => {
  test('prints the tag of a firmware image, wherever it is in the file', () => {
    const f = file('fw.bin', junk(5000), TAG, junk(3000, 9));
    const r = run(f);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe([`${f}: Blynk info tag at byte 5000 (${TAG.length} bytes)`, '  mcu      1.2.3', '  fw-type  TMPLthermo01', '  build    Dec  1 2026 08:05:09'].join('\n'));
  });

  test('--expect-* pass when equal, and each mismatch is named (exit 1)', () => {
    const f = file('fw2.bin', junk(100), TAG);
    expect(run(f, '--expect-version', '1.2.3', '--expect-type', 'TMPLthermo01', '--expect-build', FW.build).code).toBe(0);
    const r = run(f, '--expect-version', '1.2.4', '--expect-type', 'TMPLthermo01', '--expect-blynk', '0.1.0');
    expect(r.code).toBe(1);
    expect(r.err).toBe(`${f}: mcu is "1.2.3", expected "1.2.4" (--expect-version)\n${f}: blynk is absent, expected "0.1.0" (--expect-blynk)`);
  });

  test('--json: one line for scripts', () => {
    const r = run(file('fw3.bin', TAG), '--json');
    expect(JSON.parse(r.out)).toMatchObject({ offset: 0, length: TAG.length, copies: 1, values: { mcu: '1.2.3', 'fw-type': 'TMPLthermo01', build: FW.build } });
  });

  test('two identical copies are one tag (the cloud reads the same either way)', () => {
    const r = run(file('twice.bin', TAG, junk(50), TAG));
    expect(r.code).toBe(0);
    expect(r.out).toContain('and 1 identical copy');
  });
});

describe('bad input: a clear message and a non-zero exit', () => {
  const cases: [string, () => string, RegExp, number][] = [
    ['no tag', () => file('none.bin', junk(2000)), /no Blynk info tag \(no "blnkinf" marker\)/, 1],
    ['a tag cut off inside a value', () => file('cut.bin', junk(10), TAG.subarray(0, 15)), /the tag at byte 10 is truncated: the file ends inside its value of "mcu"/, 1],
    ['a tag cut off inside a key', () => file('cutkey.bin', TAG.subarray(0, 20)), /the tag at byte 0 is truncated: the file ends inside its key/, 1],
    ['a tag cut off right after the marker', () => file('cut2.bin', junk(10), 'blnkinf\0'), /truncated: the file ends after the marker/, 1],
    ['a tag whose closing NUL is missing at the end of the file', () => file('noend.bin', TAG.subarray(0, TAG.length - 1)), /has no terminator: the file ends after its last pair, without the closing NUL/, 1],
    ['a tag followed by binary instead of its closing NUL', () => file('noend2.bin', TAG.subarray(0, TAG.length - 1), Buffer.from([0x90, 0x12, 0, 0])), /has no terminator: at byte \d+ what follows the last pair is neither a key nor the closing NUL/, 1],
    ['two tags that disagree', () => file('two.bin', TAG, junk(100), Buffer.from(encodeFirmwareTag({ ...FW, version: '1.2.4' }))), /two tags disagree: byte 0 and byte \d+ differ in mcu \("1\.2\.3" vs "1\.2\.4"\)/, 1],
    ['a tag without a build', () => file('nobuild.bin', 'blnkinf\0mcu\x001.0\0fw-type\0T\0\0'), /has no "build"/, 1],
    ['a value with a control character', () => file('ctl.bin', 'blnkinf\0mcu\x001.0\x01x\0\0'), /value of "mcu" that is not short text/, 1],
    ['a file that cannot be read', () => path.join(dir, 'missing.bin'), /missing\.bin: cannot read it \(ENOENT\)/, 2],
    ['a directory', () => dir, /cannot read it \(EISDIR\)/, 2],
  ];
  test.each(cases)('%s', (_, make, message, code) => {
    const r = run(make());
    expect(r.code).toBe(code);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  test('usage errors exit 2: no file, two files, an unknown option', () => {
    expect(run().code).toBe(2);
    expect(run('a', 'b').err).toMatch(/one file at a time/);
    const r = run('a', '--expect-colour', 'red');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Unknown option '--expect-colour'[\s\S]*usage: npm run tag/);
  });

  test('no offer fields from a package Blynk.Air could not rely on', () => {
    expect(offerFields(readFileSync(file('d.bin', TAG, Buffer.from(encodeFirmwareTag({ ...FW, build: 'Dec  2 2026 08:05:09' })))))).toBeUndefined();
    expect(offerFields(TAG)).toEqual({ type: FW.type, ver: FW.version, build: FW.build });
  });
});

describe('--add', () => {
  test('--from copies the firmware\'s tag onto a package without one', () => {
    const fw = file('raw.bin', junk(4000), TAG, junk(100, 3));
    const pkg = file('pkg.tar.gz', junk(3000, 5));
    const original = readFileSync(pkg);
    const r = run(pkg, '--add', '--from', fw);
    expect(r.code).toBe(0);
    const tagged = readFileSync(pkg);
    expect(tagged.equals(Buffer.concat([original, TAG]))).toBe(true);
    expect(scanTags(tagged).tags.map((t) => t.values)).toEqual([{ mcu: FW.version, 'fw-type': FW.type, build: FW.build }]);
  });

  test('explicit values, written to --out; the input is left alone', () => {
    const pkg = file('pkg2.bin', junk(300));
    const out = path.join(dir, 'pkg2.tagged.bin');
    const r = run(pkg, '--add', '--version', FW.version, '--type', FW.type, '--build', FW.build, '--out', out);
    expect(r.code).toBe(0);
    expect(readFileSync(out).subarray(300).equals(TAG)).toBe(true);
    expect(readFileSync(pkg).length).toBe(300);
  });

  test('refused: a package that already has a tag, missing values, a build in the wrong form, a source without a tag', () => {
    const tagged = file('pkg3.bin', junk(10), TAG);
    expect(run(tagged, '--add', '--from', tagged)).toMatchObject({ code: 1, err: expect.stringMatching(/already has a tag \(at byte 10\)/) });
    const plain = file('pkg4.bin', junk(10));
    expect(run(plain, '--add', '--version', '1.0.0')).toMatchObject({ code: 2, err: expect.stringMatching(/missing: --type, --build/) });
    expect(run(plain, '--add', '--version', '1', '--type', 'T', '--build', '2026-12-01')).toMatchObject({ code: 2, err: expect.stringMatching(/--build must look like/) });
    expect(run(plain, '--add', '--from', file('pkg5.bin', junk(10)))).toMatchObject({ code: 1, err: expect.stringMatching(/pkg5\.bin: no Blynk info tag/) });
    expect(readFileSync(plain).length).toBe(10);
  });
});

test('npm run tag -- FILE: the script runs the tool and passes its exit status on', () => {
  const f = file('script.bin', junk(100), TAG);
  const ok = spawnSync('npm', ['run', '-s', 'tag', '--', f, '--expect-type', FW.type], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  expect({ status: ok.status, out: ok.stdout.split('\n')[0] }).toEqual({ status: 0, out: `${f}: Blynk info tag at byte 100 (${TAG.length} bytes)` });
  const bad = spawnSync('npm', ['run', '-s', 'tag', '--', f, '--expect-type', 'TMPLother'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(bad.status).toBe(1);
  expect(bad.stderr).toContain('fw-type is "TMPLthermo01", expected "TMPLother" (--expect-type)');
}, 60_000);
