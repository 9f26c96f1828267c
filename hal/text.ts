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

/** Decode `b[start, end)`; malformed sequences become U+FFFD. */
export function decodeText(b: Uint8Array, start = 0, end = b.length): string {
  let s = '';
  let i = start;
  while (i < end) {
    const b0 = b[i]!;
    let c = 0xfffd;
    let n = 1;
    if (b0 < 0x80) c = b0;
    else if (b0 >= 0xc2 && b0 < 0xe0 && i + 1 < end) (c = ((b0 & 31) << 6) | (b[i + 1]! & 63)), (n = 2);
    else if (b0 >= 0xe0 && b0 < 0xf0 && i + 2 < end) (c = ((b0 & 15) << 12) | ((b[i + 1]! & 63) << 6) | (b[i + 2]! & 63)), (n = 3);
    else if (b0 >= 0xf0 && b0 < 0xf5 && i + 3 < end) {
      c = ((b0 & 7) << 18) | ((b[i + 1]! & 63) << 12) | ((b[i + 2]! & 63) << 6) | (b[i + 3]! & 63);
      n = 4;
    }
    s += String.fromCodePoint(c > 0x10ffff ? 0xfffd : c);
    i += n;
  }
  return s;
}
