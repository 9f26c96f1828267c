// hal/text.ts: the HALs' own small UTF-8 codec (a HAL may not import the core's). Its decoder
// must agree with WHATWG's (Node's TextDecoder without BOM removal) on every input.
import fc from 'fast-check';
import { decodeText, encodeText } from '../../hal/text';
import { checkProperty, hex } from '../mqtt/helpers';

const reference = new TextDecoder('utf-8', { ignoreBOM: true });

test('decodeText: C3 41 keeps the A (a lead byte without its continuation is one U+FFFD)', () => {
  expect(decodeText(hex('c3 41'))).toBe('\uFFFDA');
  expect(decodeText(hex('e2 82 41'))).toBe('\uFFFDA');
});

test('decodeText: overlong forms and surrogates do not pass (each byte of them is U+FFFD)', () => {
  expect(decodeText(hex('c0 af'))).toBe('\uFFFD\uFFFD');
  expect(decodeText(hex('e0 80 af'))).toBe('\uFFFD\uFFFD\uFFFD');
  expect(decodeText(hex('f0 80 80 af'))).toBe('\uFFFD\uFFFD\uFFFD\uFFFD');
  expect(decodeText(hex('ed a0 80'))).toBe('\uFFFD\uFFFD\uFFFD');
  expect(decodeText(hex('f4 90 80 80'))).toBe('\uFFFD\uFFFD\uFFFD\uFFFD');
});

test('decodeText keeps a leading U+FEFF', () => {
  expect(decodeText(hex('ef bb bf 61'))).toBe('\uFEFFa');
});

test('decodeText agrees with the reference decoder on random bytes, and on a sub-range', () => {
  checkProperty(
    fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(3), (b, cut) => {
      expect(decodeText(b)).toBe(reference.decode(b));
      const s = Math.min(cut, b.length);
      expect(decodeText(b, s, b.length)).toBe(reference.decode(b.subarray(s)));
    }),
    500,
  );
});

test('encodeText round-trips through decodeText', () => {
  checkProperty(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (s) => {
      expect(decodeText(encodeText(s))).toBe(s);
      expect(Buffer.from(encodeText(s)).equals(Buffer.from(s, 'utf8'))).toBe(true);
    }),
    200,
  );
});
