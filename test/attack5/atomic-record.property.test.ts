// Attack on AtomicRecord.load after it read the two slots without a loop (issue 14), as flash
// after power cuts leaves them: torn (cut short), grown, a flipped bit anywhere, the wrong magic
// or version, a storage that throws for one key, a record handed back as a view into a larger
// buffer. The model, from the file's own rule: the newest slot that checks out (wrap-around
// compare, a tie keeps A); the next save goes to the other slot with seq + 1, and a reload
// finds it. Clauses: C-REDIRECT-3, C-PROVISION.
import fc from 'fast-check';
import type { Storage } from '../../hal/interfaces';
import { AtomicRecord } from '../../src/util/atomic-record';
import { slotRecord } from '../support/atomic-record';

const SEED = Number(process.env.TEST_SEED ?? 505005);
const MAGIC = [0x51, 0x07] as const;
const MAX = 12;

const record = (seq: number, body: number[], magic: readonly number[] = MAGIC, version = 3): Uint8Array => slotRecord(seq, body, magic, version);

type Damage = 'ok' | 'view' | 'missing' | 'torn' | 'grown' | 'bit' | 'magic' | 'version' | 'throws' | 'too-long';
const INTACT: Damage[] = ['ok', 'view'];

interface Slot {
  seq: number;
  body: number[];
  damage: Damage;
  at: number;
}

function stored(s: Slot): Uint8Array | undefined | 'throw' {
  switch (s.damage) {
    case 'missing':
      return undefined;
    case 'throws':
      return 'throw';
    case 'view': {
      const r = record(s.seq, s.body);
      const big = new Uint8Array(r.length + 9);
      big.set(r, 5);
      return big.subarray(5, 5 + r.length);
    }
    case 'torn':
      return record(s.seq, s.body).subarray(0, s.at % (7 + s.body.length + 4));
    case 'grown':
      return Uint8Array.from([...record(s.seq, s.body), s.at & 255]);
    case 'bit': {
      const r = record(s.seq, s.body);
      r[s.at % r.length]! ^= 1 << (s.at % 8);
      return r;
    }
    case 'magic':
      return record(s.seq, s.body, [MAGIC[0], MAGIC[1] ^ 0x80]);
    case 'version':
      return record(s.seq, s.body, MAGIC, 4);
    case 'too-long':
      return record(s.seq, new Array(MAX + 1 + (s.at % 3)).fill(7));
    default:
      return record(s.seq, s.body);
  }
}

describe('AtomicRecord with slots damaged the ways flash is (attack5)', () => {
  test(`loads the newest intact slot, saves to the other one, reloads what it saved (seed ${SEED})`, () => {
    const seq = fc.oneof(fc.nat({ max: 0xffffffff }), fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff));
    const slot = fc.record({
      seq,
      body: fc.array(fc.nat({ max: 255 }), { maxLength: MAX }),
      damage: fc.constantFrom<Damage>('ok', 'ok', 'view', 'missing', 'torn', 'grown', 'bit', 'magic', 'version', 'throws', 'too-long'),
      at: fc.nat({ max: 1000 }),
    });
    fc.assert(
      fc.property(slot, slot, fc.option(fc.integer({ min: -1, max: 1 }), { nil: null }), fc.array(fc.nat({ max: 255 }), { maxLength: MAX }), (a, b, near, next) => {
        if (near !== null) b.seq = (a.seq + near) >>> 0;
        const m = new Map<string, Uint8Array | 'throw'>();
        const sa = stored(a);
        const sb = stored(b);
        if (sa !== undefined) m.set('r.a', sa);
        if (sb !== undefined) m.set('r.b', sb);
        const writes: string[] = [];
        const storage: Storage = {
          get: (k) => {
            const v = m.get(k);
            if (v === 'throw') throw new Error('flash read failed');
            return v;
          },
          set: (k, v) => {
            writes.push(k);
            m.set(k, v.slice());
            return true;
          },
          delete: (k) => void m.delete(k),
        };
        const okA = INTACT.includes(a.damage);
        const okB = INTACT.includes(b.damage);
        const want = okB && (!okA || ((b.seq - a.seq) | 0) > 0) ? 'b' : okA ? 'a' : undefined;
        const r = new AtomicRecord(storage, 'r', MAGIC, 3, MAX);
        const chosen = want === 'a' ? a : want === 'b' ? b : undefined;
        expect(r.body === undefined ? undefined : Array.from(r.body)).toEqual(chosen?.body);
        expect(r.seq).toBe(chosen ? chosen.seq >>> 0 : 0);
        // The next save goes to the slot not holding the current record (A when there is none).
        expect(r.save(Uint8Array.from(next))).toBe(true);
        expect(writes).toEqual([want === 'a' ? 'r.b' : 'r.a']);
        const again = new AtomicRecord(storage, 'r', MAGIC, 3, MAX);
        expect(Array.from(again.body!)).toEqual(next);
        expect(again.seq).toBe(chosen ? (chosen.seq + 1) >>> 0 : 1);
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });
});
