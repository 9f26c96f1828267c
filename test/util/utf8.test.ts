// UTF-8 over whatever the platform has: the platform path (TextEncoder/TextDecoder here) and the
// portable fallback must agree, and validation must refuse everything that is not UTF-8.

import fc from 'fast-check';
import {
  asciiLength,
  hasLoneSurrogate,
  isWellFormedString,
  isWellFormedUtf8,
  resetUtf8Platform,
  tryWriteAscii,
  utf8Decode,
  utf8Encode,
  utf8Length,
  writeAscii,
} from '../../src/util/utf8';
import { checkProperty, hex, toHex } from '../mqtt/helpers';

afterEach(() => resetUtf8Platform());

const samples = ['', 'a', 'downlink/ds/Power', 'é', '€', '😀', 'a\u0000b', 'mixed é€😀 text', '\u{10FFFF}', 'x'.repeat(100) + 'é'];

describe.each([
  ['platform', false],
  ['portable', true],
])('encode/decode (%s)', (_name, portable) => {
  beforeEach(() => resetUtf8Platform(portable));

  test('known encodings: 2, 3 and 4 byte characters, NUL', () => {
    expect(toHex(utf8Encode('é€😀'))).toBe('c3 a9 e2 82 ac f0 9f 98 80');
    expect(toHex(utf8Encode('a\u0000'))).toBe('61 00');
    expect(utf8Decode(hex('c3 a9 e2 82 ac f0 9f 98 80'))).toBe('é€😀');
  });

  test('round trip, whole and as a sub-range', () => {
    for (const s of samples) {
      const b = utf8Encode(s);
      expect(b.length).toBe(Buffer.byteLength(s));
      expect(utf8Decode(b)).toBe(s);
      const framed = new Uint8Array(b.length + 4);
      framed.set(b, 2);
      expect(utf8Decode(framed, 2, 2 + b.length)).toBe(s);
    }
  });

  test('random strings round trip and match Node', () => {
    checkProperty(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        const b = utf8Encode(s);
        expect(Buffer.from(b).equals(Buffer.from(s, 'utf8'))).toBe(true);
        expect(utf8Decode(b)).toBe(s);
        expect(utf8Length(s)).toBe(b.length);
      }),
      300,
    );
  });
});

// What every decode path must give for any bytes: WHATWG's UTF-8 decode without BOM removal
// (malformed sequences become U+FFFD, maximal subparts), which Node implements.
const reference = new TextDecoder('utf-8', { ignoreBOM: true });
const MALFORMED: [string, string][] = [
  ['c3 41', '\uFFFDA'], // a lead byte whose continuation is missing must not swallow the next character
  ['c0 af', '\uFFFD\uFFFD'], // overlong '/'
  ['e0 80 af', '\uFFFD\uFFFD\uFFFD'], // overlong, 3 bytes
  ['f0 80 80 af', '\uFFFD\uFFFD\uFFFD\uFFFD'], // overlong, 4 bytes
  ['ed a0 80', '\uFFFD\uFFFD\uFFFD'], // U+D800, a surrogate
  ['f4 90 80 80', '\uFFFD\uFFFD\uFFFD\uFFFD'], // above U+10FFFF
  ['e2 82 41', '\uFFFDA'], // truncated 3-byte sequence
  ['f0 9f 98', '\uFFFD'], // truncated at the end
  ['80 41', '\uFFFDA'], // stray continuation
  ['ff 41', '\uFFFDA'],
];

describe.each([
  ['platform', false],
  ['portable', true],
])('decode keeps what it was given (%s)', (_name, portable) => {
  beforeEach(() => resetUtf8Platform(portable));

  test('a leading U+FEFF is kept, not stripped (MQTT-1.5.3-3): "\\uFEFFa/b" stays so, a BOM-only string is "\\uFEFF"', () => {
    expect(utf8Decode(hex('ef bb bf 61 2f 62'))).toBe('\uFEFFa/b');
    expect(utf8Decode(hex('ef bb bf'))).toBe('\uFEFF');
    expect(utf8Decode(hex('00 ef bb bf 61 00'), 1, 5)).toBe('\uFEFFa');
  });

  test('malformed bytes become U+FFFD as WHATWG decodes them: C3 41 keeps the A, overlongs and surrogates do not pass', () => {
    for (const [h, want] of MALFORMED) {
      expect([h, utf8Decode(hex(h))]).toEqual([h, want]);
      expect([h, reference.decode(hex(h))]).toEqual([h, want]);
    }
  });

  test('random bytes decode as the reference decoder does, whole and as a sub-range', () => {
    checkProperty(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(3), (b, cut) => {
        expect(utf8Decode(b)).toBe(reference.decode(b));
        const s = Math.min(cut, b.length);
        expect(utf8Decode(b, s, b.length)).toBe(reference.decode(b.subarray(s)));
      }),
      500,
    );
  });
});

describe('isWellFormedUtf8', () => {
  test('accepts all of Unicode but surrogates, including the edges', () => {
    for (const h of ['', '7f', 'c2 80', 'df bf', 'e0 a0 80', 'ed 9f bf', 'ee 80 80', 'ef bf bf', 'f0 90 80 80', 'f4 8f bf bf']) {
      expect(isWellFormedUtf8(hex(h))).toBe(true);
    }
  });

  test('refuses overlong forms, surrogates, values above U+10FFFF, bad or missing continuations', () => {
    for (const h of [
      'c0 80', 'c1 bf', 'e0 80 80', 'e0 9f bf', 'f0 80 80 80', 'f0 8f bf bf', // overlong
      'ed a0 80', 'ed af bf', 'ed b0 80', 'ed bf bf', // U+D800..U+DFFF
      'f4 90 80 80', 'f5 80 80 80', 'f8 88 80 80 80', 'fe', 'ff', // too big / never valid
      '80', 'bf', 'c3', 'c3 28', 'e2 82', 'e2 28 ac', 'f0 9f 98', 'f0 9f 98 28', // continuation problems
    ]) {
      expect([h, isWellFormedUtf8(hex(h))]).toEqual([h, false]);
    }
  });

  test('U+0000 is refused in strings but allowed when asked (payloads)', () => {
    expect(isWellFormedUtf8(hex('61 00 62'))).toBe(false);
    expect(isWellFormedUtf8(hex('61 00 62'), 0, 3, true)).toBe(true);
  });

  test('checks only the given range', () => {
    const b = hex('ff 61 62 ff');
    expect(isWellFormedUtf8(b, 1, 3)).toBe(true);
    expect(isWellFormedUtf8(hex('c3 a9'), 0, 1)).toBe(false); // a character cut by the range end
  });

  test('agrees with a strict decoder on random bytes', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    checkProperty(
      fc.property(fc.uint8Array({ maxLength: 12 }), (b) => {
        let valid = true;
        try {
          strict.decode(b);
        } catch {
          valid = false;
        }
        expect(isWellFormedUtf8(b, 0, b.length, true)).toBe(valid);
      }),
      5000,
    );
  });
});

describe('strings that cannot be encoded faithfully', () => {
  test('lone surrogates are found; pairs are fine', () => {
    expect(hasLoneSurrogate('a\uD800')).toBe(true);
    expect(hasLoneSurrogate('\uDC00a')).toBe(true);
    expect(hasLoneSurrogate('\uDC00\uD800')).toBe(true);
    expect(hasLoneSurrogate('😀')).toBe(false);
    expect(isWellFormedString('a\uD800b')).toBe(false);
    expect(isWellFormedString('é😀')).toBe(true);
  });
});

describe('ASCII helpers', () => {
  test('asciiLength: a byte count for ASCII without NUL, else -1', () => {
    expect(asciiLength('abc')).toBe(3);
    expect(asciiLength('')).toBe(0);
    expect(asciiLength('a\u0000')).toBe(-1);
    expect(asciiLength('é')).toBe(-1);
  });

  test('writeAscii and tryWriteAscii write at the offset; tryWriteAscii refuses non-ASCII, short and long', () => {
    const buf = new Uint8Array(200);
    writeAscii(buf, 1, 'ab');
    expect(toHex(buf.subarray(0, 4))).toBe('00 61 62 00');
    expect(tryWriteAscii(buf, 3, 'c\u0000d')).toBe(true);
    expect(toHex(buf.subarray(3, 6))).toBe('63 00 64');
    expect(tryWriteAscii(buf, 0, 'é')).toBe(false);
    const long = 'z'.repeat(150);
    expect(tryWriteAscii(buf, 10, long)).toBe(true);
    expect(buf[10]).toBe(0x7a);
    expect(buf[159]).toBe(0x7a);
    expect(buf[160]).toBe(0);
    expect(tryWriteAscii(buf, 10, 'z'.repeat(100) + 'é')).toBe(false);
    expect(tryWriteAscii(buf, 10, 'z'.repeat(100) + '😀')).toBe(false);
    expect(tryWriteAscii(buf, 10, 'z'.repeat(100) + '\uD800')).toBe(false);
  });

  test('tryWriteAscii without a native encoder (as on the device)', () => {
    resetUtf8Platform(true);
    const buf = new Uint8Array(120);
    expect(tryWriteAscii(buf, 0, 'q'.repeat(120))).toBe(true);
    expect(tryWriteAscii(buf, 0, 'q'.repeat(60) + 'é')).toBe(false);
  });

  test('utf8Length counts bytes without encoding; a lone surrogate counts as U+FFFD', () => {
    expect(utf8Length('abc')).toBe(3);
    expect(utf8Length('é€😀')).toBe(9);
    expect(utf8Length('a\uD800')).toBe(4);
  });
});

describe("XS's own UTF-8 (ArrayBuffer.fromString, String.fromArrayBuffer), as the device has them", () => {
  // On XS both build their result from `this`: called detached they throw. These stand-ins
  // behave the same, so a detached call (the bug that broke every publish in the simulator)
  // fails here too, on Node.
  const statics = ArrayBuffer as unknown as { fromString?: (s: string) => ArrayBuffer };
  const strings = String as unknown as { fromArrayBuffer?: (b: ArrayBuffer, offset?: number, length?: number) => string };
  const calls: [number, number][] = [];
  const encoder = globalThis.TextEncoder;
  const decoder = globalThis.TextDecoder;

  beforeEach(() => {
    statics.fromString = function (this: unknown, s: string) {
      if (this !== ArrayBuffer) throw new TypeError('new: not a constructor (in fromString)');
      return new encoder().encode(s).slice().buffer;
    };
    strings.fromArrayBuffer = function (this: unknown, b: ArrayBuffer, offset = 0, length = b.byteLength - offset) {
      if (this !== String) throw new TypeError('not called on String');
      calls.push([offset, length]);
      return xsFromArrayBuffer(new Uint8Array(b, offset, length));
    };
    // The device has neither TextEncoder nor TextDecoder.
    (globalThis as { TextEncoder?: unknown }).TextEncoder = undefined;
    (globalThis as { TextDecoder?: unknown }).TextDecoder = undefined;
    resetUtf8Platform();
  });

  afterEach(() => {
    delete statics.fromString;
    delete strings.fromArrayBuffer;
    globalThis.TextEncoder = encoder;
    globalThis.TextDecoder = decoder;
    resetUtf8Platform();
  });

  test('encode and decode go through them, called as methods', () => {
    expect(Array.from(utf8Encode('é😀'))).toEqual([0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80]);
    const bytes = Uint8Array.from([0x78, 0xc3, 0xa9, 0x78, 0xf0, 0x9f, 0x98, 0x80, 0x78, ...new Array(40).fill(0x61)]);
    expect(utf8Decode(bytes, 1, 8)).toBe('éx😀');
    expect(utf8Decode(bytes)).toBe('xéx😀x' + 'a'.repeat(40));
  });

  test('String.fromArrayBuffer decodes the range in place (offset and length), no copy of the bytes', () => {
    const bytes = new Uint8Array(64);
    bytes.set(utf8Encode('xxx\u00e9t\u00e9 and more text to be past the short path'), 0);
    const view = bytes.subarray(2);
    calls.length = 0;
    expect(utf8Decode(view, 1, 6)).toBe('\u00e9t\u00e9');
    expect(calls).toEqual([[3, 5]]);
  });

  test('a leading U+FEFF is kept on the device path too (MQTT-1.5.3-3)', () => {
    expect(utf8Decode(hex('ef bb bf 61 2f 62'))).toBe('\uFEFFa/b');
    expect(utf8Decode(hex('ef bb bf'))).toBe('\uFEFF');
  });

  test('malformed bytes on the device path: U+FFFD as WHATWG says, never an exception, never raw overlongs or surrogates', () => {
    for (const [h, want] of MALFORMED) expect([h, utf8Decode(hex(h))]).toEqual([h, want]);
    const long = hex('61 '.repeat(40) + 'ed a0 80');
    expect(utf8Decode(long)).toBe('a'.repeat(40) + '\uFFFD\uFFFD\uFFFD');
  });
});

/**
 * What XS's String.fromArrayBuffer does (xsString.c): checks lead and continuation bytes only
 * (TypeError "invalid UTF-8" otherwise), copies overlong forms and surrogates as they are, and
 * strips nothing. Overlongs and surrogates come out here as U+FFFD-free garbage markers so a
 * test sees that they passed through.
 */
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }); // made before a test removes TextDecoder
function xsFromArrayBuffer(b: Uint8Array): string {
  let i = 0;
  let out = '';
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 1 : (c & 0xe0) === 0xc0 ? 2 : (c & 0xf0) === 0xe0 ? 3 : (c & 0xf0) === 0xf0 ? 4 : 0;
    if (n === 0 || i + n > b.length) throw new TypeError('invalid UTF-8');
    for (let k = 1; k < n; k++) if ((b[i + k]! & 0xc0) !== 0x80) throw new TypeError('invalid UTF-8');
    const piece = b.subarray(i, i + n);
    try {
      out += strict.decode(piece);
    } catch {
      out += `<raw ${toHex(piece)}>`; // XS would hold these bytes as they are
    }
    i += n;
  }
  return out;
}
