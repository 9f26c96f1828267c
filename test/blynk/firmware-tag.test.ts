// C-OTA-3: the Blynk binary info tag made from the firmware's values, byte for byte, and the
// build time form info/mcu sends. (That info/mcu equals the tag on a live connection:
// test/tools/emulator/ota-tag.test.ts; in a Moddable image: test/moddable/simulator.test.ts.)
import { encodeFirmwareTag, firmwareTag, formatBuildTime } from '../../src/blynk/firmware-tag';
import { resolveConfig } from '../../src/blynk/config';
import { BlynkError, ErrorCode } from '../../src/errors';
import { TOKEN } from '../support/tokens';

const ascii = (s: string): number[] => [...Buffer.from(s, 'latin1')];

describe('C-OTA-3 encodeFirmwareTag', () => {
  test('the exact bytes: marker NUL, mcu / fw-type / build pairs, one more NUL', () => {
    const bytes = encodeFirmwareTag({ version: '1.2.3', type: 'TMPL1234abcd', build: 'Dec  1 2026 08:05:09' });
    expect([...bytes]).toEqual(ascii('blnkinf\0mcu\x001.2.3\0fw-type\0TMPL1234abcd\0build\0Dec  1 2026 08:05:09\0\0'));
  });

  test('with the optional library version last', () => {
    const bytes = encodeFirmwareTag({ version: '2.0.0', type: 'HeaterFW', build: 'Jan 31 2027 23:59:59', blynk: '0.1.0' });
    expect(Buffer.from(bytes).toString('latin1')).toBe('blnkinf\0mcu\x002.0.0\0fw-type\0HeaterFW\0build\0Jan 31 2027 23:59:59\0blynk\x000.1.0\0\0');
  });

  test('values are UTF-8 and sized by their bytes, not by string length', () => {
    const bytes = encodeFirmwareTag({ version: '1.0.0-β', type: 'Chauffé', build: 'Dec  1 2026 08:05:09' });
    expect(Buffer.from(bytes).includes(Buffer.from('\0mcu\x001.0.0-β\0fw-type\0Chauffé\0', 'utf8'))).toBe(true);
    expect(bytes.length).toBe(Buffer.byteLength('blnkinf\0mcu\x001.0.0-β\0fw-type\0Chauffé\0build\0Dec  1 2026 08:05:09\0\0'));
  });

  test.each([
    ['an empty version', { version: '', type: 'T', build: 'b' }],
    ['a NUL inside the type', { version: '1', type: 'TM\0PL', build: 'b' }],
    ['a value over 64 bytes', { version: '1', type: 'é'.repeat(33), build: 'b' }],
  ])('refuses %s with a CONFIG error', (_, v) => {
    let e: unknown;
    try {
      encodeFirmwareTag(v);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(BlynkError);
    expect((e as BlynkError).code).toBe(ErrorCode.CONFIG);
  });
});

describe('formatBuildTime: Mmm dd yyyy hh:mm:ss, as C\'s __DATE__ " " __TIME__', () => {
  test('a one-digit day is padded with a space, times with zeros', () => {
    expect(formatBuildTime(new Date(2026, 11, 1, 8, 5, 9))).toBe('Dec  1 2026 08:05:09');
    expect(formatBuildTime(new Date(2027, 0, 31, 23, 59, 59))).toBe('Jan 31 2027 23:59:59');
  });
});

describe('firmwareTag: the values info/mcu sends, and their tag, in one frozen object', () => {
  test('the tag holds exactly the object\'s own values', () => {
    const fw = firmwareTag({ version: '1.2.3', type: 'TMPLx', build: 'Dec  1 2026 08:05:09' });
    expect(Object.isFrozen(fw)).toBe(true);
    expect(fw.tag).toBeInstanceOf(ArrayBuffer);
    expect(new Uint8Array(fw.tag)).toEqual(encodeFirmwareTag({ version: fw.version, type: fw.type, build: fw.build }));
  });

  test('build defaults to now, and resolveConfig takes the object as it is', () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const fw = firmwareTag({ version: '1.0.0', type: 'TMPLx' });
    const after = Date.now();
    const t = new Date(fw.build.replace(/^(\w{3}) +(\d+) (\d{4}) /, '$1 $2, $3 ')).getTime();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(after);
    const c = resolveConfig({ token: TOKEN, templateId: 'TMPLx', firmware: fw });
    expect(c.firmware).toEqual({ version: fw.version, build: fw.build, type: fw.type });
  });
});
