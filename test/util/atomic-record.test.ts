// The torn-write-safe record (src/util/atomic-record.ts) under every store (C-REDIRECT-3's
// endpoint, C-PROVISION's configuration): loading picks the newest slot that checks out, with
// sequence numbers compared with wrap-around; on a tie slot A. Generated slot pairs, including
// sequence numbers at the wrap and half a cycle apart, against that definition.
import fc from 'fast-check';
import type { Storage } from '../../hal/interfaces';
import { AtomicRecord } from '../../src/util/atomic-record';
import { slotRecord } from '../support/atomic-record';

const SEED = Number(process.env.TEST_SEED ?? 424244);
const MAGIC = [0x42, 0x72] as const;

const record = (seq: number, body: number[], version = 1): Uint8Array => slotRecord(seq, body, MAGIC, version);

function storage(entries: Record<string, Uint8Array>): Storage {
  const m = new Map(Object.entries(entries));
  return { get: (k) => m.get(k), set: (k, v) => (m.set(k, v), true), delete: (k) => void m.delete(k) };
}

describe('AtomicRecord.load (C-REDIRECT-3, C-PROVISION)', () => {
  test(`picks the newer intact slot, wrap-around compared, A on a tie (seed ${SEED})`, () => {
    const seq = fc.oneof(fc.nat({ max: 0xffffffff }), fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff));
    const slot = fc.record({ seq, body: fc.array(fc.nat({ max: 255 }), { maxLength: 8 }), state: fc.constantFrom('ok', 'ok', 'missing', 'corrupt', 'other-version') });
    fc.assert(
      // `near`: B's sequence number a few steps from A's (ties and neighbours), or left as drawn.
      fc.property(slot, slot, fc.option(fc.integer({ min: -2, max: 2 })), (a, b, near) => {
        if (near !== null) b.seq = (a.seq + near) >>> 0;
        const make = (s: typeof a): Uint8Array | undefined => {
          if (s.state === 'missing') return undefined;
          const r = record(s.seq, s.body, s.state === 'other-version' ? 2 : 1);
          if (s.state === 'corrupt') r[r.length - 1]! ^= 1;
          return r;
        };
        const ra = make(a);
        const rb = make(b);
        const entries: Record<string, Uint8Array> = {};
        if (ra) entries['t.a'] = ra;
        if (rb) entries['t.b'] = rb;
        const got = new AtomicRecord(storage(entries), 't', MAGIC, 1, 16);
        const okA = a.state === 'ok';
        const okB = b.state === 'ok';
        const want = okB && (!okA || ((b.seq - a.seq) | 0) > 0) ? b : okA ? a : undefined;
        expect(got.body === undefined ? undefined : Array.from(got.body)).toEqual(want?.body);
        expect(got.seq).toBe(want ? want.seq >>> 0 : 0);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  test('the next save goes to the slot not holding the current record', () => {
    const s = storage({ 't.a': record(7, [1]), 't.b': record(8, [2]) });
    const r = new AtomicRecord(s, 't', MAGIC, 1, 16);
    expect(Array.from(r.body!)).toEqual([2]);
    expect(r.save(Uint8Array.of(3))).toBe(true);
    expect(Array.from(s.get('t.a')!.subarray(7, 8))).toEqual([3]); // B held the current one
    expect(Array.from(new AtomicRecord(s, 't', MAGIC, 1, 16).body!)).toEqual([3]);
  });
});
