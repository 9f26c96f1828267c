// UTF-8 for HAL implementations (the XS bridge's control messages, WebSocket handshakes): a
// HAL may not import the core's codec, and these are short strings off the data path, so a
// plain loop by code point will do (it is right on XS, where strings are code-point indexed).

export function encodeText(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/**
 * Decode `b[start, end)` as WHATWG does (without BOM removal): each maximal malformed subpart is
 * one U+FFFD, so `C3 41` is U+FFFD then "A"; overlong forms, surrogates and values above
 * U+10FFFF never pass. The same algorithm as the core's portable decoder (src/util/utf8.ts).
 */
export function decodeText(b: Uint8Array, start = 0, end = b.length): string {
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
    else if (b0 >= 0xe0 && b0 <= 0xef) (need = 2), (cp = b0 & 0x0f), (lo = b0 === 0xe0 ? 0xa0 : 0x80), (hi = b0 === 0xed ? 0x9f : 0xbf);
    else if (b0 >= 0xf0 && b0 <= 0xf4) (need = 3), (cp = b0 & 0x07), (lo = b0 === 0xf0 ? 0x90 : 0x80), (hi = b0 === 0xf4 ? 0x8f : 0xbf);
    else {
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
