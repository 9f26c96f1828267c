// Attack on encodeConnect after its temporaries became casts (issue 14): every field the MQTT
// spec (3.1) forbids, one at a time on an otherwise valid CONNECT, must come back as a typed
// error of the right code (never bytes, never a throw): a cast that let an error through would
// write an error object as a field. The valid CONNECTs themselves are checked against
// mqtt-packet in test/mqtt/differential.test.ts.
import fc from 'fast-check';
import { BlynkError, ErrorCode } from '../../src/errors';
import { encodeConnect } from '../../src/mqtt/encode';
import type { ConnectFields } from '../../src/mqtt/packets';

const SEED = Number(process.env.TEST_SEED ?? 505003);

const ok = (): ConnectFields => ({ clientId: 'dev', username: 'device', password: 'secret', keepalive: 45, cleanSession: true, will: { topic: 'w/t', payload: 'bye', qos: 1, retain: false } });
const lone = fc.constantFrom('\uD800', '\uDFFF', 'a\uDBFFb', '\uDC00\uD800');
const ascii = fc.string({ unit: fc.constantFrom('a', 'b', '/', '1'), maxLength: 6 });
const withLone = fc.tuple(ascii, lone, ascii).map(([a, l, b]) => a + l + b);
const withNul = fc.tuple(ascii, ascii).map(([a, b]) => `${a}é\u0000${b}`); // NUL in a non-ASCII string
const big = fc.integer({ min: 0x10000, max: 0x10010 });

type Case = [string, (f: ConnectFields) => void, ErrorCode];
const cases = fc.oneof(
  withLone.map((s): Case => ['client id', (f) => void (f.clientId = s), ErrorCode.BAD_UTF8]),
  withLone.map((s): Case => ['username', (f) => void (f.username = s), ErrorCode.BAD_UTF8]),
  withLone.map((s): Case => ['password', (f) => void (f.password = s), ErrorCode.BAD_UTF8]),
  withLone.map((s): Case => ['will topic', (f) => void (f.will!.topic = s), ErrorCode.BAD_UTF8]),
  withLone.map((s): Case => ['will payload', (f) => void (f.will!.payload = s), ErrorCode.BAD_UTF8]),
  withNul.map((s): Case => ['username with NUL', (f) => void (f.username = s), ErrorCode.BAD_UTF8]),
  fc.constantFrom('#', 'a/+', 'a/#', '').map((s): Case => ['will topic wildcard/empty', (f) => void (f.will!.topic = s), ErrorCode.BAD_TOPIC]),
  fc.constantFrom(3, -1, 1.5, NaN).map((q): Case => ['will qos', (f) => void (f.will!.qos = q as 0), ErrorCode.BAD_ARGUMENT]),
  big.map((n): Case => ['will payload size', (f) => void (f.will!.payload = new Uint8Array(n)), ErrorCode.BAD_ARGUMENT]),
  big.map((n): Case => ['password bytes size', (f) => void (f.password = new Uint8Array(n)), ErrorCode.BAD_ARGUMENT]),
  big.map((n): Case => ['username size', (f) => void (f.username = 'u'.repeat(n)), ErrorCode.BAD_ARGUMENT]),
  fc.constant<Case>(['password without username', (f) => void (f.username = undefined), ErrorCode.BAD_ARGUMENT]),
  fc.constantFrom(-1, 65536, 0.5).map((k): Case => ['keepalive', (f) => void (f.keepalive = k), ErrorCode.BAD_ARGUMENT]),
);

describe('encodeConnect: a forbidden field is a typed error (MQTT 3.1, C-CONN-3; attack5)', () => {
  test(`one bad field at a time, with or without a will (seed ${SEED})`, () => {
    fc.assert(
      fc.property(cases, fc.boolean(), ([what, spoil, code], keepWill) => {
        const f = ok();
        if (!keepWill && !what.startsWith('will')) f.will = undefined;
        spoil(f);
        let r: Uint8Array | BlynkError | undefined;
        expect(() => (r = encodeConnect(f, 1 << 20))).not.toThrow();
        expect(r).toBeInstanceOf(BlynkError);
        expect([what, (r as BlynkError).code]).toEqual([what, code]);
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  test('the valid base CONNECT encodes, with and without will, username and password', () => {
    for (const strip of [[], ['will'], ['password'], ['password', 'username']] as (keyof ConnectFields)[][]) {
      const f = ok() as unknown as Record<string, unknown>;
      for (const k of strip) f[k] = undefined;
      expect(encodeConnect(f as unknown as ConnectFields)).toBeInstanceOf(Uint8Array);
    }
  });
});
