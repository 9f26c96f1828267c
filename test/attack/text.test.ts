// Attack on text decoding (issue 10 defect 11 again): a leading U+FEFF must survive
// [MQTT-1.5.3-3], and malformed UTF-8 must not swallow the byte after it, nor let surrogates or
// overlong forms through. Covers src/util/utf8.ts (the device's decode path, also the portable
// fallback) and hal/text.ts (the HALs' decoder).
import { decodeText } from '../../hal/text';
import { resetUtf8Platform, utf8Decode } from '../../src/util/utf8';
import { makeApiDevice } from '../support/device';

afterEach(() => resetUtf8Platform(false));

describe('[MQTT-1.5.3-3] a leading U+FEFF is kept', () => {
  test('utf8Decode(EF BB BF 61) is "\\uFEFFa" (TextDecoder is created without ignoreBOM)', () => {
    expect(utf8Decode(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]))).toBe('\uFEFFa');
  });

  test('a datastream value "\\uFEFFx" reaches onWrite as sent', () => {
    const d = makeApiDevice();
    const got: string[] = [];
    d.device.onWrite('A', (v) => void got.push(v));
    d.broker.push('downlink/ds/A', '\uFEFFx');
    d.broker.settle();
    expect(got).toEqual(['\uFEFFx']);
  });

  test('held: a U+FEFF inside a topic is kept', () => {
    const d = makeApiDevice();
    const got: string[] = [];
    d.device.onAnyWrite((n) => void got.push(n));
    d.broker.push('downlink/ds/\uFEFFB', 'y');
    d.broker.settle();
    expect(got).toEqual(['\uFEFFB']);
  });
});

describe('malformed UTF-8 becomes U+FFFD without eating what follows (expected: what TextDecoder gives)', () => {
  const cases: [string, number[], string][] = [
    ['C3 41 (a lead byte, then ASCII)', [0xc3, 0x41], '\uFFFDA'],
    ['ED A0 80 (a UTF-16 surrogate)', [0xed, 0xa0, 0x80], '\uFFFD\uFFFD\uFFFD'],
    ['E0 80 80 (an overlong NUL)', [0xe0, 0x80, 0x80], '\uFFFD\uFFFD\uFFFD'],
    ['80 41 (a stray continuation byte)', [0x80, 0x41], '\uFFFDA'],
  ];
  for (const [what, bytes, want] of cases) {
    test(`hal/text.ts decodeText: ${what}`, () => {
      expect(decodeText(Uint8Array.from(bytes))).toBe(want);
    });
    test(`src/util/utf8.ts portable decoder (no TextDecoder, no String.fromArrayBuffer): ${what}`, () => {
      resetUtf8Platform(true);
      // pad past the 32-byte ASCII fast path so the platform decoder runs
      const pad = Array(40).fill(0x2e);
      expect(utf8Decode(Uint8Array.from([...bytes, ...pad]))).toBe(want + '.'.repeat(40));
    });
  }

  test('held: the platform decoder (TextDecoder) replaces malformed bytes and keeps what follows', () => {
    expect(utf8Decode(Uint8Array.from([0xc3, 0x41, ...Array(40).fill(0x2e)]))).toBe('\uFFFDA' + '.'.repeat(40));
  });
});
