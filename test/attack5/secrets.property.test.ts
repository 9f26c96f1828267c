// Attack on C-SECRETS after Scrubber.value/scrub were flattened (issue 14): a hostile cloud that
// echoes the token back in any case, percent-encoded or both at once, nested in arrays and
// objects (frozen, prototype-less, with holes or getters). The model is written from the
// contract, not from the code: after scrubbing, no string holds the token in any letter case,
// plainly or percent-encoded once; a payload without the token comes back as the same object.
import fc from 'fast-check';
import { BlynkError, ErrorCode } from '../../src/errors';
import { Scrubber, maskToken } from '../../src/util/secrets';
import { TOKEN } from '../support/tokens';

const SEED = Number(process.env.TEST_SEED ?? 505001);

const pct = (s: string, upper = false): string => Array.from(s, (c) => '%' + (upper ? c.charCodeAt(0).toString(16).toUpperCase() : c.charCodeAt(0).toString(16))).join('');
const decodeOnce = (s: string): string => s.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));

/** Does `text` show `token` (any letter case), plainly or percent-encoded once? */
function shows(text: string, token: string): boolean {
  const t = token.toLowerCase();
  return text.toLowerCase().includes(t) || decodeOnce(text).toLowerCase().includes(t);
}

/** The model of a string's scrub where only plain, ASCII occurrences exist: each (any case) replaced, left to right. */
function replaceAll(text: string, token: string): string {
  const low = text.toLowerCase();
  const t = token.toLowerCase();
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (low.startsWith(t, i)) {
      out += maskToken(token);
      i += t.length;
    } else out += text[i++];
  }
  return out;
}

/** Random letter case of `s`, one choice per character. */
const anyCase = (s: string) => fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((up) => Array.from(s, (c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

/** Text made of pieces of the token (whole, cut, in any case, percent-encoded whole or in part) and filler. */
function textAround(token: string): fc.Arbitrary<string> {
  const piece = fc.oneof(
    anyCase(token),
    anyCase(token).map((t) => pct(t)),
    fc.tuple(anyCase(token), fc.nat({ max: token.length }), fc.boolean()).map(([t, k, up]) => t.slice(0, k) + pct(t.slice(k), up)),
    fc.nat({ max: token.length }).map((k) => token.slice(k)),
    fc.nat({ max: token.length }).map((k) => token.slice(0, k)),
    fc.string({ unit: fc.constantFrom('a', 'B', 'z', '%', '4', '1', '*', ' ', '=', '/'), maxLength: 5 }),
  );
  return fc.array(piece, { maxLength: 5 }).map((p) => p.join(''));
}

describe('C-SECRETS: Scrubber.scrub and value against the contract (attack5)', () => {
  test(`no string leaves with the token in any case, plain or percent-encoded; clean text is untouched (seed ${SEED})`, () => {
    // Tokens from a small alphabet, so that a token's start and end coincide often (the mask keeps the last 4).
    const token = fc.string({ unit: fc.constantFrom('a', 'B', '1', 'c'), minLength: 5, maxLength: 12 });
    fc.assert(
      fc.property(
        token.chain((t) => fc.tuple(fc.constant(t), textAround(t))),
        ([t, text]) => {
          const s = new Scrubber(t);
          const out = s.scrub(text);
          expect(shows(out, t)).toBe(false);
          if (!shows(text, t)) expect(out).toBe(text);
          if (!text.includes('%') && !shows(replaceAll(text, t), t)) expect(out).toBe(replaceAll(text, t));
        },
      ),
      { seed: SEED, numRuns: 3000 },
    );
  });

  test('a string with the token both plainly and percent-encoded: neither copy leaves', () => {
    const s = new Scrubber(TOKEN);
    for (const text of [`plain ${TOKEN} and encoded ${pct(TOKEN)}`, `${pct(TOKEN, true)}&t=${TOKEN.toLowerCase()}`, `url=https://x/${TOKEN}?again=${encodeURIComponent(TOKEN).replace(/^./, (c) => pct(c))}`]) {
      const out = s.scrub(text);
      expect(shows(out, TOKEN)).toBe(false);
      expect(out).toContain(maskToken(TOKEN));
    }
  });

  test('the mask\'s last 4 and what follows cannot spell the token again', () => {
    // A token that starts with its own last 4 characters: masking `t + t.slice(4)` leaves `****` + t.
    const t = 'abcdEFGHijklmnopqrstuvwxyz01abcd';
    const s = new Scrubber(t);
    const out = s.scrub(t + t.slice(4));
    expect(shows(out, t)).toBe(false);
  });

  test(`value(): nested, frozen, prototype-less, holed and array payloads, against a model of the contract (seed ${SEED})`, () => {
    const s = new Scrubber(TOKEN);
    const text = fc.oneof(textAround(TOKEN), fc.string({ maxLength: 4 }));
    const leaf = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.tuple(text, text).map(([m, d]) => new BlynkError(ErrorCode.CONNECTION_LOST, m, { why: d, n: 1 })));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('tree'), { maxLength: 4 }),
        fc.tuple(fc.array(tie('tree'), { maxLength: 4 }), fc.nat({ max: 3 })).map(([a, hole]) => {
          const out = a.slice();
          if (hole < out.length) delete out[hole];
          return out;
        }),
        fc.dictionary(fc.constantFrom('a', 'to', 'reason', 'error', '0'), tie('tree'), { maxKeys: 4 }),
        fc.dictionary(fc.constantFrom('x', 'y'), tie('tree'), { maxKeys: 3 }).map((o) => Object.freeze(o)),
        fc.dictionary(fc.constantFrom('p', 'q'), tie('tree'), { maxKeys: 3 }).map((o) => Object.assign(Object.create(null) as object, o)),
      ),
    }));
    /** Strings at depth <= 5 (objects at depth <= 4 are looked into), errors at depth <= 5. */
    function check(orig: unknown, got: unknown, depth: number): boolean {
      if (typeof orig === 'string') {
        expect(typeof got).toBe('string');
        expect(shows(got as string, TOKEN)).toBe(false);
        return shows(orig, TOKEN);
      }
      if (orig instanceof BlynkError) {
        const e = got as BlynkError;
        expect(e).toBeInstanceOf(BlynkError);
        expect(e.code).toBe(orig.code);
        expect(shows(e.message, TOKEN) || shows(String(e.detail?.why), TOKEN)).toBe(false);
        expect(e.detail?.n).toBe(1);
        const dirty = shows(orig.message, TOKEN) || shows(String(orig.detail?.why), TOKEN);
        if (!dirty) expect(e).toBe(orig);
        return dirty;
      }
      if (orig === null || typeof orig !== 'object') {
        expect(got).toBe(orig);
        return false;
      }
      if (depth > 4) {
        expect(got).toBe(orig);
        return false;
      }
      const o = orig as Record<string, unknown>;
      const g = got as Record<string, unknown>;
      expect(Array.isArray(g)).toBe(Array.isArray(o));
      expect(Object.keys(g)).toEqual(Object.keys(o)); // holes stay holes
      if (Array.isArray(o)) expect((g as unknown as unknown[]).length).toBe(o.length);
      let dirty = false;
      for (const k of Object.keys(o)) if (check(o[k], g[k], depth + 1)) dirty = true;
      if (!dirty) expect(got).toBe(orig);
      else expect(got).not.toBe(orig);
      return dirty;
    }
    fc.assert(
      fc.property(tree, (v) => {
        const before = JSON.stringify(v, (_k, x: unknown) => (x instanceof Error ? x.message : x));
        check(v, s.value(v), 0);
        expect(JSON.stringify(v, (_k, x: unknown) => (x instanceof Error ? x.message : x))).toBe(before); // the original is not touched
      }),
      { seed: SEED, numRuns: 1500 },
    );
  });

  test('value(): a getter is read once per scrub, and a frozen array with the token comes back as a masked copy', () => {
    const s = new Scrubber(TOKEN);
    let reads = 0;
    const o = {
      get url() {
        reads++;
        return `https://x/${TOKEN}`;
      },
    };
    const out = s.value(o);
    expect(shows(out.url, TOKEN)).toBe(false);
    expect(reads).toBeLessThanOrEqual(2); // read, then copied by the spread
    const arr = Object.freeze(['ok', `t=${TOKEN.toUpperCase()}`, ['deep', pct(TOKEN)]]);
    const a = s.value(arr);
    expect(a).not.toBe(arr);
    expect(a[0]).toBe('ok');
    expect(shows(a[1] as string, TOKEN)).toBe(false);
    expect(shows((a[2] as string[])[1]!, TOKEN)).toBe(false);
  });

  test('value(): depth limit as before: strings 5 objects deep are masked, deeper ones are not looked at', () => {
    const s = new Scrubber(TOKEN);
    const at5 = { a: { b: { c: { d: { e: TOKEN } } } } };
    expect(JSON.stringify(s.value(at5))).not.toContain(TOKEN);
    const err5 = [[[[[new BlynkError(ErrorCode.CONFIG, TOKEN)]]]]];
    expect((s.value(err5)[0]![0]![0]![0]![0] as BlynkError).message).not.toContain(TOKEN);
    const at6 = { a: { b: { c: { d: { e: { f: 'x' } } } } } };
    expect(s.value(at6)).toBe(at6);
  });

  test('value(): a payload that holds itself ends (depth limit) and is masked where it is looked at', () => {
    const s = new Scrubber(TOKEN);
    const o: Record<string, unknown> = { url: `u=${pct(TOKEN)}&t=${TOKEN}` };
    o.self = o;
    const out = s.value(o) as Record<string, unknown>;
    expect(shows(out.url as string, TOKEN)).toBe(false);
    expect(shows(((out.self as Record<string, unknown>).self as Record<string, unknown>).url as string, TOKEN)).toBe(false);
  });
});
