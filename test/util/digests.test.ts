import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { Md5 } from '../../src/util/md5';
import { Sha256 } from '../../src/util/sha256';
import { fromBase64, fromHex, toHex } from '../../src/util/encoding';

const SEED = Number(process.env.TEST_SEED ?? 424242);

describe('portable digests (C-OTA image checks) agree with node:crypto', () => {
  test(`MD5 and SHA-256 over random data in random pieces (seed ${SEED})`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 40 }), (data, cuts) => {
        const m = new Md5();
        const s = new Sha256();
        let pos = 0;
        for (const c of cuts) {
          m.update(data.subarray(pos, pos + c));
          s.update(data.subarray(pos, pos + c));
          pos += c;
        }
        m.update(data.subarray(pos));
        s.update(data.subarray(pos));
        expect(toHex(m.finish())).toBe(createHash('md5').update(data).digest('hex'));
        expect(toHex(s.finish())).toBe(createHash('sha256').update(data).digest('hex'));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  test('block-boundary lengths', () => {
    for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129]) {
      const d = new Uint8Array(n).fill(0x61);
      const m = new Md5();
      m.update(d);
      const s = new Sha256();
      s.update(d);
      expect(toHex(m.finish())).toBe(createHash('md5').update(d).digest('hex'));
      expect(toHex(s.finish())).toBe(createHash('sha256').update(d).digest('hex'));
    }
  });

  test('hex and Base64 header decoding', () => {
    expect(Array.from(fromHex('00ff10')!)).toEqual([0, 255, 16]);
    expect(fromHex('abc')).toBeUndefined();
    expect(fromHex('zz')).toBeUndefined();
    const raw = createHash('sha256').update('x').digest();
    expect(Buffer.from(fromBase64(raw.toString('base64'))!).equals(raw)).toBe(true);
    expect(Buffer.from(fromBase64(raw.toString('base64url'))!).equals(raw)).toBe(true);
    expect(fromBase64('a$b=')).toBeUndefined();
  });
});
