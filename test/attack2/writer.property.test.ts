// Second attacker: PacketWriter reuse (src/mqtt/writer.ts, the topic cache in encode.ts). Every
// packet out of a shared writer must equal the packet encoded into fresh memory, whatever came
// before it (longer packets, other topics, failed encodes, varint size changes, growth).
import fc from 'fast-check';
import { encodeQos0Publish } from '../../src/mqtt/encode';
import { PacketWriter } from '../../src/mqtt/writer';
import { BlynkError } from '../../src/errors';

const topics = ['ds/A', 'ds/Power', 'ds/' + 'x'.repeat(60), 'ds/Tëmp', 'ds/#bad', 'ds/B', 'info/mcu', 'ds/' + 'y'.repeat(46)];
const payloadArb = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.stringMatching(/^[ -~]{0,60}$/),
  fc.uint8Array({ maxLength: 300 }),
  fc.constantFrom('', '1', 'é', '\u0000', 'x'.repeat(127), 'x'.repeat(128)),
);

test('a shared writer gives the same bytes as fresh memory, packet after packet', () => {
  const seed = Number(process.env.ATTACK_SEED ?? 20261201);
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom(...topics), payloadArb, fc.constantFrom(64, 256, 1024)), { minLength: 1, maxLength: 30 }), (ops) => {
      const w = new PacketWriter(600, 8);
      for (const [t, p, limit] of ops) {
        const fresh = encodeQos0Publish(t, p, limit);
        const got = encodeQos0Publish(t, p, limit, w);
        if (fresh instanceof BlynkError) {
          expect(got).toBeInstanceOf(BlynkError);
          expect((got as BlynkError).code).toBe(fresh.code);
        } else {
          expect(got).toBeInstanceOf(Uint8Array);
          expect(Array.from(got as Uint8Array)).toEqual(Array.from(fresh));
        }
      }
    }),
    { seed, numRuns: 1500 },
  );
});
