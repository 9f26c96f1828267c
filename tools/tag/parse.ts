// Finds and reads Blynk binary info tags in a firmware file, the way Blynk.Air looks for them
// (C-OTA-3): "blnkinf" NUL, then key NUL value NUL pairs, then one more NUL. Used by the tag tool
// (tools/tag/cli.ts) and by the emulator's firmware server. Strict on purpose: a tag the cloud
// might read differently from the device is reported, not guessed at.

const MARKER = Buffer.from('blnkinf\0', 'latin1');
/** Longest key and value accepted (Blynk's keys are short; values are versions, ids, dates). */
const MAX_KEY = 32;
const MAX_VALUE = 128;

export interface FoundTag {
  /** Byte offset of the marker. */
  offset: number;
  /** Bytes from the marker to the closing NUL, inclusive. */
  length: number;
  /** Key/value pairs in file order. */
  entries: [string, string][];
  values: Record<string, string>;
}

export type TagProblemKind = 'truncated' | 'no-terminator' | 'bad-text' | 'duplicate-key' | 'missing-key' | 'disagree';

export interface TagProblem {
  kind: TagProblemKind;
  /** Offset of the tag concerned. */
  offset: number;
  message: string;
}

export interface TagScan {
  tags: FoundTag[];
  problems: TagProblem[];
}

/** The keys a tag needs for Blynk.Air to fill type, ver and build in its offer. */
export const REQUIRED_KEYS = ['mcu', 'fw-type', 'build'] as const;

type Read = { text: string; next: number } | { problem: TagProblemKind; at: number };

/** One NUL-terminated string from `at`: printable ASCII for keys, UTF-8 without control characters for values. */
function readText(buf: Buffer, at: number, kind: 'key' | 'value'): Read {
  const max = kind === 'key' ? MAX_KEY : MAX_VALUE;
  const end = buf.indexOf(0, at);
  const stop = end < 0 ? buf.length : end;
  const len = stop - at;
  for (let i = at; i < Math.min(stop, at + max + 1); i++) {
    const b = buf[i]!;
    if (b < 0x20 || b === 0x7f || (kind === 'key' && (b > 0x7e || b === 0x20))) return { problem: kind === 'key' ? 'no-terminator' : 'bad-text', at: i };
  }
  if (len > max) return { problem: kind === 'key' ? 'no-terminator' : 'bad-text', at: at + max };
  if (end < 0) return { problem: 'truncated', at: buf.length };
  const text = buf.toString('utf8', at, stop);
  if (Buffer.byteLength(text) !== len || text.includes('\ufffd')) return { problem: 'bad-text', at };
  return { text, next: stop + 1 };
}

function describe(kind: TagProblemKind, offset: number, at: number, what: string): string {
  switch (kind) {
    case 'truncated':
      return `the tag at byte ${offset} is truncated: the file ends inside its ${what}`;
    case 'no-terminator':
      return `the tag at byte ${offset} has no terminator: at byte ${at} ${what} is neither a key nor the closing NUL`;
    default:
      return `the tag at byte ${offset} has a ${what} that is not short text (byte ${at}: a control character, invalid UTF-8, or over ${MAX_VALUE} bytes)`;
  }
}

/** Reads one tag at `offset` (where the marker is). */
function readTag(buf: Buffer, offset: number): { tag?: FoundTag; problems: TagProblem[] } {
  const problems: TagProblem[] = [];
  const entries: [string, string][] = [];
  let at = offset + MARKER.length;
  for (;;) {
    if (at >= buf.length) {
      // Ended right after a complete pair: only the closing NUL is missing.
      const kind = entries.length > 0 ? 'no-terminator' : 'truncated';
      const message = kind === 'no-terminator' ? `the tag at byte ${offset} has no terminator: the file ends after its last pair, without the closing NUL` : `the tag at byte ${offset} is truncated: the file ends after the marker`;
      return { problems: [{ kind, offset, message }] };
    }
    if (buf[at] === 0) break; // the closing NUL: an empty key
    const key = readText(buf, at, 'key');
    if ('problem' in key) return { problems: [{ kind: key.problem, offset, message: describe(key.problem, offset, key.at, key.problem === 'no-terminator' ? 'what follows the last pair' : 'key') }] };
    const value = readText(buf, key.next, 'value');
    if ('problem' in value) return { problems: [{ kind: value.problem, offset, message: describe(value.problem, offset, value.at, `value of "${key.text}"`) }] };
    if (entries.some(([k]) => k === key.text)) problems.push({ kind: 'duplicate-key', offset, message: `the tag at byte ${offset} has "${key.text}" twice` });
    entries.push([key.text, value.text]);
    at = value.next;
  }
  const values = Object.fromEntries(entries);
  for (const k of REQUIRED_KEYS) {
    if (!(k in values) || values[k] === '') problems.push({ kind: 'missing-key', offset, message: `the tag at byte ${offset} has no "${k}"` });
  }
  return { tag: { offset, length: at + 1 - offset, entries, values }, problems };
}

/** Every tag in `bytes`, and what is wrong with them (including tags that disagree with each other). */
export function scanTags(bytes: Uint8Array): TagScan {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tags: FoundTag[] = [];
  const problems: TagProblem[] = [];
  for (let at = buf.indexOf(MARKER); at >= 0; at = buf.indexOf(MARKER, at + 1)) {
    const r = readTag(buf, at);
    problems.push(...r.problems);
    if (r.tag) tags.push(r.tag);
  }
  const first = tags[0];
  for (const t of tags.slice(1)) {
    const differs = [...new Set([...Object.keys(first!.values), ...Object.keys(t.values)])].filter((k) => first!.values[k] !== t.values[k]);
    if (differs.length > 0) {
      problems.push({ kind: 'disagree', offset: t.offset, message: `two tags disagree: byte ${first!.offset} and byte ${t.offset} differ in ${differs.map((k) => `${k} ("${first!.values[k] ?? ''}" vs "${t.values[k] ?? ''}")`).join(', ')}` });
    }
  }
  return { tags, problems };
}

/** The offer fields Blynk.Air derives from a package's tag: only when there is exactly one readable, complete tag. */
export function offerFields(bytes: Uint8Array): { type: string; ver: string; build: string } | undefined {
  const { tags, problems } = scanTags(bytes);
  if (tags.length === 0 || problems.length > 0) return undefined;
  const v = tags[0]!.values;
  return { type: v['fw-type']!, ver: v.mcu!, build: v.build! };
}
