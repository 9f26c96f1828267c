// `npm run tag -- FILE ...`: shows a firmware file's Blynk info tag and checks it; `--add` appends
// one to a package that has none (a compressed or repackaged image, where the tag of the raw
// firmware is no longer readable: what Blynk's blynk_tag.py is for).
//
//   npm run tag -- FILE                                   print the tag
//   npm run tag -- FILE --expect-version 1.2.0 --expect-type TMPLxxxx [--expect-build "..."]
//   npm run tag -- PACKAGE --add --from FIRMWARE [--out FILE]      copy FIRMWARE's tag
//   npm run tag -- PACKAGE --add --version V --type T --build "Mmm dd yyyy hh:mm:ss" [--out FILE]
//
// Exit status: 0 fine, 1 the tag is missing, malformed or not as expected, 2 bad arguments or a
// file that cannot be read or written.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeFirmwareTag } from '../../src/blynk/firmware-tag';
import { isError } from '../../src/errors';
import { scanTags, type FoundTag } from './parse';

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

const USAGE = 'usage: npm run tag -- FILE [--expect-version V] [--expect-type T] [--expect-build B] [--expect-blynk X] [--json]\n' +
  '       npm run tag -- PACKAGE --add (--from FIRMWARE | --version V --type T --build "Mmm dd yyyy hh:mm:ss" [--blynk X]) [--out FILE]';

const EXPECT: Record<string, string> = { 'expect-version': 'mcu', 'expect-type': 'fw-type', 'expect-build': 'build', 'expect-blynk': 'blynk' };
const BUILD_FORM = /^[A-Z][a-z]{2} [ \d]\d \d{4} \d\d:\d\d:\d\d$/;

class Exit extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

function read(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new Exit(2, `${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function show(file: string, tag: FoundTag, count: number, io: Io): void {
  io.out(`${file}: Blynk info tag at byte ${tag.offset} (${tag.length} bytes)${count > 1 ? `, and ${count - 1} identical cop${count > 2 ? 'ies' : 'y'}` : ''}`);
  const width = Math.max(...tag.entries.map(([k]) => k.length));
  for (const [k, v] of tag.entries) io.out(`  ${k.padEnd(width)}  ${v}`);
}

/** The one good tag of `file`, or an Exit(1) saying what is wrong. */
function theTag(file: string, bytes: Buffer): { tag: FoundTag; count: number } {
  const { tags, problems } = scanTags(bytes);
  if (problems.length > 0) throw new Exit(1, problems.map((p) => `${file}: ${p.message}`).join('\n'));
  if (tags.length === 0) throw new Exit(1, `${file}: no Blynk info tag (no "blnkinf" marker): Blynk.Air will not know its type, version or build; add one with --add`);
  return { tag: tags[0]!, count: tags.length };
}

function add(file: string, bytes: Buffer, v: Record<string, string | boolean | undefined>, io: Io): number {
  const { tags, problems } = scanTags(bytes);
  if (tags.length > 0 || problems.length > 0) {
    throw new Exit(1, `${file}: already has a tag (at byte ${(tags[0] ?? problems[0])!.offset}); --add only tags a package that has none`);
  }
  let tag: Uint8Array;
  if (typeof v.from === 'string') {
    if (v.version || v.type || v.build) throw new Exit(2, '--from copies the whole tag: leave out --version, --type and --build');
    const source = read(v.from);
    const found = theTag(v.from, source).tag;
    tag = source.subarray(found.offset, found.offset + found.length);
  } else {
    const missing = ['version', 'type', 'build'].filter((k) => typeof v[k] !== 'string');
    if (missing.length > 0) throw new Exit(2, `--add needs --from FIRMWARE, or all of --version, --type and --build (missing: ${missing.map((k) => `--${k}`).join(', ')}); the values must be what the firmware sends in info/mcu`);
    if (!BUILD_FORM.test(v.build as string)) throw new Exit(2, `--build must look like "Dec  1 2026 08:00:00" (as info/mcu sends it), not "${v.build}"`);
    try {
      tag = encodeFirmwareTag({ version: v.version as string, type: v.type as string, build: v.build as string, ...(typeof v.blynk === 'string' ? { blynk: v.blynk } : {}) });
    } catch (e) {
      throw new Exit(2, isError(e) ? e.message : String(e));
    }
  }
  const out = typeof v.out === 'string' ? v.out : file;
  try {
    writeFileSync(out, Buffer.concat([bytes, tag]));
  } catch (e) {
    throw new Exit(2, `${out}: cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  io.out(`${out}: tag appended (${tag.length} bytes at byte ${bytes.length})`);
  show(out, theTag(out, read(out)).tag, 1, io);
  return 0;
}

export function runTagCli(argv: string[], io: Io): number {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          add: { type: 'boolean', default: false },
          from: { type: 'string' },
          version: { type: 'string' },
          type: { type: 'string' },
          build: { type: 'string' },
          blynk: { type: 'string' },
          out: { type: 'string' },
          json: { type: 'boolean', default: false },
          help: { type: 'boolean', default: false },
          ...Object.fromEntries(Object.keys(EXPECT).map((k) => [k, { type: 'string' as const }])),
        },
      });
    } catch (e) {
      throw new Exit(2, `${(e as Error).message}\n${USAGE}`);
    }
    const { values: v, positionals } = parsed;
    if (v.help) {
      io.out(USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new Exit(2, `${positionals.length === 0 ? 'no file given' : 'one file at a time'}\n${USAGE}`);
    const file = positionals[0]!;
    const bytes = read(file);
    if (v.add) return add(file, bytes, v as Record<string, string | boolean | undefined>, io);
    const { tag, count } = theTag(file, bytes);
    if (v.json) io.out(JSON.stringify({ file, offset: tag.offset, length: tag.length, copies: count, values: tag.values }));
    else show(file, tag, count, io);
    const wrong: string[] = [];
    for (const [opt, key] of Object.entries(EXPECT)) {
      const want = (v as Record<string, unknown>)[opt];
      if (typeof want !== 'string') continue;
      const have = tag.values[key];
      if (have !== want) wrong.push(`${key} is ${have === undefined ? 'absent' : `"${have}"`}, expected "${want}" (--${opt})`);
    }
    if (wrong.length > 0) throw new Exit(1, wrong.map((w) => `${file}: ${w}`).join('\n'));
    return 0;
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
    io.err(e.message);
    return e.code;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = runTagCli(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l) });
}
