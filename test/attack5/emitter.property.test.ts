// Attack on C-APP-1 after Emitter.emit became an indexed loop over a copy (issue 14): listeners
// that remove themselves or others, add listeners, emit again from inside (re-entrancy), throw
// or return a rejected promise. The model is the rule as stated: an emit calls the listeners
// registered when it started, once each and in order, whether or not they were removed
// meanwhile; one added meanwhile waits for the next emit; a throw or a rejection goes to
// onListenerError and does not stop the others.
import fc from 'fast-check';
import { Emitter } from '../../src/util/emitter';

const SEED = Number(process.env.TEST_SEED ?? 505004);

type Action = { kind: 'none' } | { kind: 'throw' } | { kind: 'reject' } | { kind: 'offSelf' } | { kind: 'off'; j: number } | { kind: 'add'; j: number } | { kind: 'emit' };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.constant<Action>({ kind: 'none' }),
  fc.constant<Action>({ kind: 'throw' }),
  fc.constant<Action>({ kind: 'reject' }),
  fc.constant<Action>({ kind: 'offSelf' }),
  fc.nat({ max: 7 }).map((j): Action => ({ kind: 'off', j })),
  fc.nat({ max: 7 }).map((j): Action => ({ kind: 'add', j })),
  fc.constant<Action>({ kind: 'emit' }),
);

/** Runs the script on an emitter-like `on/off/emit`; returns what was called and what failed. */
function runScript(
  scripts: Action[][],
  initial: number[],
  emits: number,
  api: { on(id: number, fn: () => unknown): void; off(id: number): void; emit(): void },
): string[] {
  const trace: string[] = [];
  const calls = new Map<number, number>();
  let depth = 0;
  let added = 0; // at most 6 listeners added per run: the list stays small
  const listener = (id: number) => (): unknown => {
    const n = calls.get(id) ?? 0;
    calls.set(id, n + 1);
    trace.push(`call ${id} depth ${depth}`);
    const a = scripts[id % scripts.length]![n % scripts[id % scripts.length]!.length]!;
    switch (a.kind) {
      case 'throw':
        throw new Error(`listener ${id}`);
      case 'reject':
        return Promise.reject(new Error(`listener ${id} async`));
      case 'offSelf':
        api.off(id);
        return undefined;
      case 'off':
        api.off(a.j);
        return undefined;
      case 'add':
        if (++added > 6) return undefined;
        api.on(100 + id * 10 + (a.j % 3), listener(100 + id * 10 + (a.j % 3)));
        return undefined;
      case 'emit':
        if (depth < 2) {
          depth++;
          api.emit();
          depth--;
        }
        return undefined;
      default:
        return undefined;
    }
  };
  for (const id of initial) api.on(id, listener(id));
  for (let i = 0; i < emits; i++) {
    trace.push(`emit ${i}`);
    api.emit();
  }
  return trace;
}

describe('C-APP-1: Emitter.emit with listeners that change the list, re-enter, throw or reject (attack5)', () => {
  test(`the listeners of the moment, once each, in order; failures reported, others still called (seed ${SEED})`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(action, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 8 }), fc.array(fc.nat({ max: 7 }), { maxLength: 8 }), fc.integer({ min: 1, max: 3 }), async (scripts, initial, emits) => {
        // The code under test.
        const em = new Emitter<{ ev: number }>();
        const failures: string[] = [];
        em.onListenerError = (event, e) => void failures.push(`${event}: ${(e as Error).message}`);
        const fns = new Map<number, (() => unknown)[]>();
        const got = runScript(scripts, initial, emits, {
          on: (id, fn) => {
            (fns.get(id) ?? fns.set(id, []).get(id)!).push(fn);
            em.on('ev', fn as (v: number) => void);
          },
          off: (id) => {
            const list = fns.get(id);
            const fn = list?.shift();
            if (fn) em.off('ev', fn as (v: number) => void);
          },
          emit: () => em.emit('ev', 1),
        });
        // The model: a plain list, a copy per emit.
        const list: { id: number; fn: () => unknown }[] = [];
        const modelFailures: string[] = [];
        const want = runScript(scripts, initial, emits, {
          on: (id, fn) => void list.push({ id, fn }),
          off: (id) => {
            const i = list.findIndex((l) => l.id === id);
            if (i >= 0) list.splice(i, 1);
          },
          emit: () => {
            for (const l of list.slice()) {
              try {
                const r = l.fn();
                if (r instanceof Promise) r.catch((e: Error) => modelFailures.push(`ev: ${e.message}`));
              } catch (e) {
                modelFailures.push(`ev: ${(e as Error).message}`);
              }
            }
          },
        });
        await new Promise((r) => setImmediate(r));
        expect(got).toEqual(want);
        expect([...failures].sort()).toEqual([...modelFailures].sort());
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  test('an onListenerError that throws does not reach the emitter, and the next listener still runs', () => {
    const em = new Emitter<{ ev: number }>();
    em.onListenerError = () => {
      throw new Error('reporter broke');
    };
    const seen: number[] = [];
    em.on('ev', () => {
      throw new Error('first');
    });
    em.on('ev', (v) => void seen.push(v));
    expect(() => em.emit('ev', 3)).not.toThrow();
    expect(seen).toEqual([3]);
  });
});
