// attack3: utf8Decode after today's change (values up to 4 bytes built inline on every platform;
// 5..16 by shortAscii unless the platform decodes in place) against WHATWG's decoder (Node's
// TextDecoder with ignoreBOM: MQTT-1.5.3-3 keeps a leading U+FEFF), on the three platform
// shapes: TextDecoder (Node, npm XS), the portable codec, and an XS-like String.fromArrayBuffer.
import { resetUtf8Platform, utf8Decode } from '../../src/util/utf8';
import { prng, SEED, toHex } from '../mqtt/helpers';

const whatwg = new TextDecoder('utf-8', { ignoreBOM: true });
const RUNS = Number(process.env.ATTACK3_RUNS ?? 4000);

type StringStatics = { fromArrayBuffer?: (b: ArrayBuffer, offset?: number, length?: number) => string };

// XS's in-place decoder, as utf8.ts describes it: strips no BOM, and is only handed well-formed
// input (utf8.ts checks first). It throws on anything else, so a call with malformed bytes fails the test.
let xsCalls = 0;
function installFakeXs(): void {
  const fatal = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true });
  (String as unknown as StringStatics).fromArrayBuffer = function (this: unknown, b: ArrayBuffer, offset = 0, length = b.byteLength - offset) {
    xsCalls++;
    if (this !== String) throw new TypeError('new: not a constructor'); // called detached
    return fatal.decode(new Uint8Array(b, offset, length));
  };
}

afterEach(() => {
  delete (String as unknown as StringStatics).fromArrayBuffer;
  resetUtf8Platform();
});

const interesting = [0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x9f, 0x90, 0x8f];

function sample(rand: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  const r = rand();
  for (let i = 0; i < n; i++) b[i] = 0x20 + Math.floor(rand() * 0x5f);
  if (r < 0.3 && n > 0) {
    b[Math.floor(rand() * n)] = interesting[Math.floor(rand() * interesting.length)]!; // one odd byte anywhere
  } else if (r < 0.5) {
    for (let i = 0; i < n; i++) if (rand() < 0.3) b[i] = 0x80 + Math.floor(rand() * 0x80);
  } else if (r < 0.7) {
    const s = new TextEncoder().encode(['\uFEFF', 'é', '€', '😀', '\u{10FFFF}', '\u0000'][Math.floor(rand() * 6)]!);
    const at = Math.floor(rand() * Math.max(1, n - s.length + 1));
    b.set(s.subarray(0, Math.max(0, Math.min(s.length, n - at))), at);
  }
  return b;
}

describe.each([
  ['TextDecoder (Node, npm XS)', 'platform'],
  ['portable', 'portable'],
  ['XS-like String.fromArrayBuffer', 'xs'],
])('MQTT-1.5.3-3 / C-API utf8Decode on %s matches WHATWG (BOM kept)', (_name, kind) => {
  beforeEach(() => {
    if (kind === 'xs') installFakeXs();
    resetUtf8Platform(kind === 'portable');
  });

  test('every length 0..20, odd bytes at every position, sub-ranges at odd offsets', () => {
    const rand = prng(SEED ^ 0x0f8);
    for (let run = 0; run < RUNS; run++) {
      const n = run % 21;
      const b = sample(rand, n);
      const pad = 1 + Math.floor(rand() * 5);
      const whole = new Uint8Array(n + 2 * pad).fill(0xc3); // a lead byte either side: no range may read past its end
      whole.set(b, pad);
      const want = whatwg.decode(b);
      const got = utf8Decode(whole, pad, pad + n);
      if (got !== want) throw new Error(`seed ${SEED} run ${run}: utf8Decode([${toHex(b)}]) = ${JSON.stringify(got)}, WHATWG ${JSON.stringify(want)}`);
      expect(utf8Decode(b)).toBe(want);
    }
    if (kind === 'xs') expect(xsCalls).toBeGreaterThan(100); // the device's branch really ran
  });

  test('a leading BOM is kept at lengths 3..20', () => {
    for (let n = 3; n <= 20; n++) {
      const b = new Uint8Array(n).fill(0x61);
      b.set([0xef, 0xbb, 0xbf]);
      expect(utf8Decode(b)).toBe('\uFEFF' + 'a'.repeat(n - 3));
    }
  });
});
