// The binary info tag Blynk.Air looks for in an uploaded firmware package (C-OTA-3): the marker
// "blnkinf" and a NUL, then key NUL value NUL pairs, then one more NUL. The cloud fills `type`,
// `ver` and `build` of its downlink/ota/json offer from it, and compares them with what the
// device sends in info/mcu, so both must come from one object: firmwareTag() returns the values
// and their tag together, and the application passes that object as `firmware`.
//
// On Moddable, a module that calls firmwareTag() at its top level and is preloaded runs once, on
// the build machine, when mcconfig links the app: the build time is the link time, and the tag's
// ArrayBuffer is stored in the firmware image as one run of bytes (docs/moddable.md).
import { err, ErrorCode } from '../errors';
import { utf8Encode } from '../util/utf8';

// The marker "blnkinf" that opens a tag, as numbers: written as a string literal it would itself
// be stored NUL-terminated in a firmware image (XS keeps string constants as C strings), a second
// "tag" that Blynk.Air would find first.
const MARKER = [0x62, 0x6c, 0x6e, 0x6b, 0x69, 0x6e, 0x66];

export interface FirmwareTagValues {
  /** Firmware version (tag key `mcu`, info/mcu `ver`). */
  version: string;
  /** Firmware type, usually the template id (tag key `fw-type`, info/mcu `type`). */
  type: string;
  /** Build time as `Mmm dd yyyy hh:mm:ss` (tag key `build`, info/mcu `build`). */
  build: string;
  /** Optional library version (tag key `blynk`). */
  blynk?: string;
}

/** What an application passes as `firmware`: the values info/mcu sends, and the tag made of them. */
export interface TaggedFirmware {
  readonly version: string;
  readonly type: string;
  readonly build: string;
  /** The tag's bytes (an ArrayBuffer: in a preloaded module it stays in flash, contiguous). */
  readonly tag: ArrayBuffer;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/**
 * `Mmm dd yyyy hh:mm:ss` in the build machine's local time, the form of C's `__DATE__ " "
 * __TIME__` that Blynk's own libraries send (the day is padded with a space: "Dec  1 2026").
 */
export function formatBuildTime(d: Date): string {
  const day = d.getDate();
  return `${MONTHS[d.getMonth()]} ${day < 10 ? ` ${day}` : day} ${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function value(name: string, v: unknown): Uint8Array {
  if (typeof v !== 'string' || v.length === 0 || v.indexOf('\u0000') >= 0) {
    throw err(ErrorCode.CONFIG, `firmware ${name} must be a non-empty string without NUL characters`);
  }
  const bytes = utf8Encode(v);
  if (bytes.length > 64) throw err(ErrorCode.CONFIG, `firmware ${name} must be at most 64 bytes (UTF-8)`);
  return bytes;
}

/** The tag's exact bytes for these values. Throws a CONFIG BlynkError for an empty value or one with a NUL. */
export function encodeFirmwareTag(v: FirmwareTagValues): Uint8Array {
  const pairs: [string, Uint8Array][] = [
    ['mcu', value('version', v.version)],
    ['fw-type', value('type', v.type)],
    ['build', value('build', v.build)],
  ];
  if (v.blynk !== undefined) pairs.push(['blynk', value('blynk', v.blynk)]);
  const parts: Uint8Array[] = [Uint8Array.from(MARKER)];
  for (const [k, bytes] of pairs) parts.push(utf8Encode(k), bytes);
  let size = 1; // the closing NUL
  for (const p of parts) size += p.length + 1;
  const out = new Uint8Array(size); // zero-filled: every NUL is already there
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length + 1;
  }
  return out;
}

/**
 * The firmware's identity, frozen, with its tag. `build` defaults to now (formatBuildTime): in a
 * preloaded module that is when the app was linked.
 */
export function firmwareTag(v: { version: string; type: string; build?: string; blynk?: string }): TaggedFirmware {
  const build = v.build ?? formatBuildTime(new Date());
  const bytes = encodeFirmwareTag({ version: v.version, type: v.type, build, ...(v.blynk !== undefined ? { blynk: v.blynk } : {}) });
  return Object.freeze({ version: v.version, type: v.type, build, tag: bytes.buffer as ArrayBuffer });
}
