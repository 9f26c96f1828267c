// C-SECRETS: Scrubber.value (src/util/secrets.ts) masks the token in every string of an event
// payload, in any case, at any depth up to 5, and returns the same object when it holds none.
// Its loop handles strings and errors inside an object in one frame (XS stack, issue 14); this
// checks it against the plain recursive definition on generated payloads.
import fc from 'fast-check';
import { BlynkError, ErrorCode } from '../../src/errors';
import { Scrubber } from '../../src/util/secrets';
import { TOKEN } from '../support/tokens';

const SEED = Number(process.env.TEST_SEED ?? 424243);

/** The definition: every string scrubbed, errors through error(), objects copied only if changed, nothing below depth 5. */
function model(s: Scrubber, v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return s.scrub(v);
  if (v instanceof BlynkError) return s.error(v);
  if (v === null || typeof v !== 'object' || depth > 4) return v;
  if (Array.isArray(v)) {
    const out = v.map((x) => model(s, x, depth + 1));
    return out.every((x, i) => x === v[i]) ? v : out;
  }
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  let changed = false;
  for (const k of Object.keys(o)) {
    out[k] = model(s, o[k], depth + 1);
    if (out[k] !== o[k]) changed = true;
  }
  return changed ? out : v;
}

/** Same shape and same identity where nothing changed; errors compared by code, message and detail. */
function same(a: unknown, b: unknown, orig: unknown): void {
  if (a instanceof BlynkError || b instanceof BlynkError) {
    expect(a).toBeInstanceOf(BlynkError);
    expect(b).toBeInstanceOf(BlynkError);
    const x = a as BlynkError;
    const y = b as BlynkError;
    expect([x.code, x.message, x.detail]).toEqual([y.code, y.message, y.detail]);
    expect(x === orig).toBe(y === orig);
    return;
  }
  expect(a === orig).toBe(b === orig);
  if (a !== null && typeof a === 'object' && b !== null && typeof b === 'object') {
    expect(Object.keys(a)).toEqual(Object.keys(b));
    for (const k of Object.keys(a)) same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], (orig as Record<string, unknown>)[k]);
  } else expect(a).toEqual(b);
}

describe('C-SECRETS Scrubber.value', () => {
  test(`matches the recursive definition on generated payloads (seed ${SEED})`, () => {
    const s = new Scrubber(TOKEN);
    const text = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom(TOKEN, TOKEN.toLowerCase(), TOKEN.toUpperCase(), `x ${TOKEN} y`, encodeURIComponent(`=${TOKEN}`).replace(/[A-Z]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)),
    );
    const leaf = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), text.map((m) => new BlynkError(ErrorCode.CONNECTION_LOST, m, { why: m })));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('tree'), { maxLength: 4 }), fc.dictionary(fc.constantFrom('a', 'b', 'to', 'from', 'reason'), tie('tree'), { maxKeys: 4 })),
    }));
    fc.assert(
      fc.property(tree, (v) => {
        same(s.value(v), model(s, v), v);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  test('a flat payload without the token is returned as it is; one with it is a copy', () => {
    const s = new Scrubber(TOKEN);
    const clean = { from: 'connecting', to: 'online', n: 3 };
    expect(s.value(clean)).toBe(clean);
    const dirty = { from: 'connecting', to: `at ${TOKEN}`, e: new BlynkError(ErrorCode.CONNECTION_LOST, `no ${TOKEN}`) };
    const out = s.value(dirty);
    expect(out).not.toBe(dirty);
    expect(out.from).toBe('connecting');
    expect(out.to).not.toContain(TOKEN);
    expect(out.e.message).not.toContain(TOKEN);
    expect(dirty.to).toContain(TOKEN); // the original is not touched
  });

  test('the token encoded twice (%2554...) is masked; a long %252525... string is left as it is', () => {
    const s = new Scrubber(TOKEN);
    const once = Array.from(TOKEN, (c) => `%${c.charCodeAt(0).toString(16)}`).join('');
    const twice = once.replace(/%/g, '%25');
    for (const t of [once, twice, twice.replace(/%/g, '%25')]) {
      const out = s.scrub(`url?p=${t}`);
      expect(out.toLowerCase()).not.toContain(TOKEN.toLowerCase());
      expect(out).toContain(`****${TOKEN.slice(-4)}`);
    }
    const hostile = '%' + '25'.repeat(5000); // decodes one level per round: the rounds are bounded, and so is the work
    expect(s.scrub(hostile)).toBe(hostile);
  });

  test('a key holding the token, plain or percent-encoded, is renamed, its value kept', () => {
    const s = new Scrubber(TOKEN);
    const out = s.value({ [`v_${TOKEN}`]: 1, keep: 'x' }) as Record<string, unknown>;
    expect(Object.keys(out).join(' ')).not.toContain(TOKEN);
    expect(out[`v_****${TOKEN.slice(-4)}`]).toBe(1);
    expect(out.keep).toBe('x');
    const encoded = Array.from(TOKEN, (c) => `%${c.charCodeAt(0).toString(16)}`).join('');
    const out2 = s.value({ [encoded]: 2, 'a%20b': 3 }) as Record<string, unknown>;
    expect(Object.keys(out2).join(' ').toLowerCase()).not.toContain(TOKEN.toLowerCase());
    expect(Object.keys(out2).join(' ')).not.toContain(encoded);
    expect(out2[`****${TOKEN.slice(-4)}`]).toBe(2);
    expect(out2['a%20b']).toBe(3); // an encoded key without the token stays as it is
  });
});
