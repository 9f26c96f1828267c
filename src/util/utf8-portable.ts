// UTF-8 in plain ES2022, for an engine with neither TextEncoder/TextDecoder nor XS's
// ArrayBuffer.fromString / String.fromArrayBuffer, and for malformed input on every engine
// (src/util/utf8.ts picks what the platform has).

export function encodePortable(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return Uint8Array.from(out);
}

/**
 * WHATWG's UTF-8 decode (without BOM removal) of `b[start, end)`: each maximal malformed
 * subpart is one U+FFFD, so `C3 41` is U+FFFD then "A", and overlong forms, surrogates and
 * values above U+10FFFF never pass.
 */
export function decodePortable(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  let i = start;
  while (i < end) {
    const b0 = b[i++]!;
    if (b0 < 0x80) {
      s += String.fromCharCode(b0);
      continue;
    }
    let need: number;
    let cp: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) (need = 1), (cp = b0 & 0x1f);
    else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2;
      cp = b0 & 0x0f;
      if (b0 === 0xe0) lo = 0xa0; // overlong
      if (b0 === 0xed) hi = 0x9f; // surrogates
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3;
      cp = b0 & 0x07;
      if (b0 === 0xf0) lo = 0x90; // overlong
      if (b0 === 0xf4) hi = 0x8f; // above U+10FFFF
    } else {
      s += '\uFFFD';
      continue;
    }
    for (; need > 0; need--) {
      const c = i < end ? b[i]! : -1;
      if (c < lo || c > hi) break; // not consumed: it starts the next character
      cp = (cp << 6) | (c & 0x3f);
      lo = 0x80;
      hi = 0xbf;
      i++;
    }
    s += need === 0 ? String.fromCodePoint(cp) : '\uFFFD';
  }
  return s;
}
