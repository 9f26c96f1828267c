// UTF-8 with whatever the platform has. On the device XS has no TextEncoder, but it has
// ArrayBuffer.fromString / String.fromArrayBuffer; Node and the npm XS build have TextEncoder.
// Strings on the device are UTF-8 indexed by code point, so `string.length` is never a byte
// count: byte lengths come only from encoded bytes (or from the ASCII scan below, which checks
// every character first).

import { decodePortable, encodePortable } from './utf8-portable';

interface TextEncoderLike {
  encode(s: string): Uint8Array;
  encodeInto?(s: string, dest: Uint8Array): { read: number; written: number };
}
interface TextDecoderLike {
  decode(bytes: Uint8Array): string;
}
interface XsArrayBufferStatics {
  fromString?(s: string): ArrayBuffer;
}
interface XsStringStatics {
  fromArrayBuffer?(b: ArrayBuffer, offset?: number, length?: number): string;
}

type Encode = (s: string) => Uint8Array;
/** Decode `bytes[start, end)`; `ascii` says the range was scanned and holds only ASCII. */
type Decode = (bytes: Uint8Array, start: number, end: number, ascii: boolean) => string;
type EncodeInto = (s: string, dest: Uint8Array) => { read: number; written: number };

let platformEncode: Encode | undefined;
let platformDecode: Decode | undefined;
// Short ASCII is built here unless the platform decodes a range in place (the device).
let shortInline = true;
// null: the platform has no encodeInto (the device); undefined: not looked up yet.
let platformEncodeInto: EncodeInto | null | undefined;

// Resolved on first use, not at module load: a preloaded module must not touch host objects
// while it is being frozen into flash.
function resolveEncode(): Encode {
  const g = globalThis as unknown as { TextEncoder?: new () => TextEncoderLike };
  const ab = ArrayBuffer as unknown as XsArrayBufferStatics;
  if (typeof ab.fromString === 'function') {
    // Called as a method: XS builds the result from `this` (a detached call throws
    // "new: not a constructor" on the device).
    return (s) => new Uint8Array(ab.fromString!(s));
  }
  if (typeof g.TextEncoder === 'function') {
    const enc = new g.TextEncoder();
    return (s) => enc.encode(s);
  }
  return encodePortable;
}

function resolveDecode(): Decode {
  const g = globalThis as unknown as { TextDecoder?: new (label?: string, o?: { ignoreBOM?: boolean }) => TextDecoderLike };
  const st = String as unknown as XsStringStatics;
  // The device's own decoder first: it reads the range in place (no view, no copy) and makes
  // the string in one allocation. It strips no BOM, but it copies overlong forms and surrogates
  // as they are (it checks lead and continuation bytes only, and throws on those): so anything
  // not ASCII is checked first, and malformed bytes take the replacing decoder.
  shortInline = typeof st.fromArrayBuffer !== 'function';
  if (!shortInline) {
    return (b, start, end, ascii) =>
      ascii || isWellFormedUtf8(b, start, end, true)
        ? st.fromArrayBuffer!(b.buffer as ArrayBuffer, b.byteOffset + start, end - start) // as a method, like fromString
        : decodePortable(b, start, end);
  }
  if (typeof g.TextDecoder === 'function') {
    // ignoreBOM: a leading U+FEFF is part of the string, and MQTT-1.5.3-3 says it must not be
    // skipped or stripped (TextDecoder's default strips it).
    // Malformed input takes the replacing decoder here too: XS's TextDecoder makes one U+FFFD
    // of an overlong `C0 AF` where WHATWG (and Node) make two.
    const dec = new g.TextDecoder('utf-8', { ignoreBOM: true });
    return (b, start, end, ascii) =>
      ascii || isWellFormedUtf8(b, start, end, true)
        ? dec.decode(start === 0 && end === b.length ? b : b.subarray(start, end))
        : decodePortable(b, start, end);
  }
  return decodePortable;
}

function resolveEncodeInto(): EncodeInto | null {
  const g = globalThis as unknown as { TextEncoder?: new () => TextEncoderLike };
  if (typeof g.TextEncoder !== 'function') return null;
  const enc = new g.TextEncoder();
  if (typeof enc.encodeInto !== 'function') return null;
  return (s, dest) => enc.encodeInto!(s, dest);
}

/** UTF-8 bytes of `s` (a new array). */
export function utf8Encode(s: string): Uint8Array {
  if (platformEncode === undefined) platformEncode = resolveEncode();
  return platformEncode(s);
}

/**
 * Decode `bytes[start, end)`. Malformed sequences become U+FFFD (WHATWG's decode, on every
 * platform); a leading U+FEFF is kept (MQTT-1.5.3-3). Callers validate first when malformed
 * input must be refused instead.
 */
export function utf8Decode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  const n = end - start;
  // Short ASCII (datastream values, topics) is the common case. Up to 4 bytes (most values)
  // it is made here, on every platform: on XS a call costs more than the bytes, the device's
  // decoder included. Up to 16, here too unless the platform decodes a range in place.
  if (n <= 4) {
    if (n <= 0) return '';
    const c0 = bytes[start]!;
    if (n === 1) {
      if (c0 < 0x80) return fromCharCode(c0);
    } else {
      const c1 = bytes[start + 1]!;
      if (n === 2) {
        if ((c0 | c1) < 0x80) return fromCharCode(c0, c1);
      } else {
        const c2 = bytes[start + 2]!;
        if (n === 3) {
          if ((c0 | c1 | c2) < 0x80) return fromCharCode(c0, c1, c2);
        } else {
          const c3 = bytes[start + 3]!;
          if ((c0 | c1 | c2 | c3) < 0x80) return fromCharCode(c0, c1, c2, c3);
        }
      }
    }
  }
  if (platformDecode === undefined) platformDecode = resolveDecode();
  if (shortInline && n > 4 && n <= 16) {
    const s = n <= 8 ? shortAscii(bytes, start, n) : joinAscii(shortAscii(bytes, start, 8), bytes, start + 8, n - 8);
    if (s !== null) return s;
  }
  let i = start;
  while (i < end && bytes[i]! < 0x80) i++;
  return platformDecode(bytes, start, end, i === end);
}

const fromCharCode = String.fromCharCode;

// 1 to 8 ASCII bytes as a string, or null if one is not ASCII. Each byte is read once into a
// local and all are checked together: on XS a loop or a call costs more than the bytes, and
// `s += c` would allocate every prefix.
function shortAscii(b: Uint8Array, i: number, n: number): string | null {
  const c0 = b[i]!;
  if (n === 1) return c0 < 0x80 ? fromCharCode(c0) : null;
  const c1 = b[i + 1]!;
  if (n === 2) return (c0 | c1) < 0x80 ? fromCharCode(c0, c1) : null;
  const c2 = b[i + 2]!;
  if (n === 3) return (c0 | c1 | c2) < 0x80 ? fromCharCode(c0, c1, c2) : null;
  const c3 = b[i + 3]!;
  if (n === 4) return (c0 | c1 | c2 | c3) < 0x80 ? fromCharCode(c0, c1, c2, c3) : null;
  const c4 = b[i + 4]!;
  if (n === 5) return (c0 | c1 | c2 | c3 | c4) < 0x80 ? fromCharCode(c0, c1, c2, c3, c4) : null;
  const c5 = b[i + 5]!;
  if (n === 6) return (c0 | c1 | c2 | c3 | c4 | c5) < 0x80 ? fromCharCode(c0, c1, c2, c3, c4, c5) : null;
  const c6 = b[i + 6]!;
  if (n === 7) return (c0 | c1 | c2 | c3 | c4 | c5 | c6) < 0x80 ? fromCharCode(c0, c1, c2, c3, c4, c5, c6) : null;
  const c7 = b[i + 7]!;
  return (c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7) < 0x80 ? fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7) : null;
}

function joinAscii(head: string | null, b: Uint8Array, i: number, n: number): string | null {
  if (head === null) return null;
  const tail = shortAscii(b, i, n);
  return tail === null ? null : head + tail;
}

/**
 * Byte length of `s` if it is plain ASCII without NUL, else -1. Checks every character, so the
 * result is a real byte count on every engine.
 */
export function asciiLength(s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || c === 0) return -1;
  }
  return n;
}

/** Write an ASCII string (checked with asciiLength first) at `pos`. */
export function writeAscii(buf: Uint8Array, pos: number, s: string): void {
  const n = s.length;
  for (let i = 0; i < n; i++) buf[pos + i] = s.charCodeAt(i);
}

/**
 * Write `s` at `buf[pos]` if it is plain ASCII (NUL allowed), `s.length` bytes, which the caller
 * has room for. Returns false, with some bytes written, if `s` has anything else: then its
 * length was not its byte count and the caller must encode it properly.
 */
export function tryWriteAscii(buf: Uint8Array, pos: number, s: string): boolean {
  const n = s.length;
  // Long strings: a native encoder beats a per-character loop many times over. Only ASCII
  // fits n units into n bytes, so `read === n` proves the string was ASCII.
  if (n > 48) {
    if (platformEncodeInto === undefined) platformEncodeInto = resolveEncodeInto();
    if (platformEncodeInto !== null) return platformEncodeInto(s, buf.subarray(pos, pos + n)).read === n;
  }
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return false;
    buf[pos + i] = c;
  }
  return true;
}

/**
 * UTF-8 byte length of `s`, without encoding it (a lone surrogate counts as the 3 bytes of the
 * U+FFFD an encoder would put there). Iterates by code point, so it is right on every engine.
 */
export function utf8Length(s: string): number {
  const n = s.length;
  let i = 0;
  while (i < n && s.charCodeAt(i) < 0x80) i++;
  if (i === n) return n;
  let bytes = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/**
 * True if `bytes[start, end)` is well-formed UTF-8 (no overlongs, no surrogates, nothing above
 * U+10FFFF) and, with `allowNul` false, contains no U+0000 — the MQTT rule for strings.
 */
export function isWellFormedUtf8(bytes: Uint8Array, start = 0, end = bytes.length, allowNul = false): boolean {
  let i = start;
  while (i < end) {
    const b0 = bytes[i]!;
    if (b0 < 0x80) {
      if (b0 === 0 && !allowNul) return false;
      i++;
      continue;
    }
    if (b0 < 0xc2) return false; // continuation byte or overlong 2-byte lead
    if (b0 < 0xe0) {
      if (i + 1 >= end || (bytes[i + 1]! & 0xc0) !== 0x80) return false;
      i += 2;
      continue;
    }
    if (b0 < 0xf0) {
      if (i + 2 >= end) return false;
      const b1 = bytes[i + 1]!;
      if ((b1 & 0xc0) !== 0x80 || (bytes[i + 2]! & 0xc0) !== 0x80) return false;
      if (b0 === 0xe0 && b1 < 0xa0) return false; // overlong
      if (b0 === 0xed && b1 >= 0xa0) return false; // UTF-16 surrogates
      i += 3;
      continue;
    }
    if (b0 < 0xf5) {
      if (i + 3 >= end) return false;
      const b1 = bytes[i + 1]!;
      if ((b1 & 0xc0) !== 0x80 || (bytes[i + 2]! & 0xc0) !== 0x80 || (bytes[i + 3]! & 0xc0) !== 0x80) return false;
      if (b0 === 0xf0 && b1 < 0x90) return false; // overlong
      if (b0 === 0xf4 && b1 >= 0x90) return false; // above U+10FFFF
      i += 4;
      continue;
    }
    return false;
  }
  return true;
}

/**
 * True if `s` can be encoded faithfully. On engines with UTF-16 strings (V8, the npm XS build) a
 * lone surrogate would silently become U+FFFD; on the device's code-point strings there is no
 * such thing, and scanning UTF-16 units there would misread astral characters, so skip it.
 */
export function isWellFormedString(s: string): boolean {
  const proto = String.prototype as unknown as { isWellFormed?: () => boolean };
  if (typeof proto.isWellFormed === 'function') return proto.isWellFormed.call(s);
  if ('\u{1F600}'.length !== 2) return true;
  return !hasLoneSurrogate(s);
}

/** True if the UTF-16 string has an unpaired surrogate. */
export function hasLoneSurrogate(s: string): boolean {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    return true;
  }
  return false;
}

/**
 * Re-read the engine's text built-ins. The runtime picks TextEncoder/TextDecoder,
 * String.fromArrayBuffer or its own codec once, on first use; an application that installs or
 * removes a polyfill later calls this, and `portable` = true makes the runtime use its own
 * conforming codec everywhere (for an engine whose built-ins do not follow WHATWG). The tests
 * use it to run both paths.
 */
export function resetUtf8Platform(portable = false): void {
  platformEncode = portable ? encodePortable : undefined;
  platformDecode = portable ? decodePortable : undefined;
  shortInline = true;
  platformEncodeInto = portable ? null : undefined;
}
