import { BlynkError } from '../errors';

// C-SECRETS, all in one place: the auth token never appears in logs, errors (message or
// detail), events or diagnostics. Code that knows the token shows it masked; everything on its
// way out (log lines, errors, every event payload) also passes a scrubber that masks any
// occurrence of the token, in any letter case (hosts are lower-cased on the way in), as a
// second line of defence. What the cloud echoes back (a redirect, an OTA URL) is scrubbed too.

/** All but the last 4 characters hidden. */
export function maskToken(token: string): string {
  const tail = token.length > 4 ? token.slice(-4) : '';
  return `****${tail}`;
}

export class Scrubber {
  private readonly lower: string;
  private readonly masked: string;

  constructor(secret: string) {
    this.lower = secret.toLowerCase();
    this.masked = maskToken(secret);
  }

  /** Does `text` contain the secret (in any case)? */
  has(text: string): boolean {
    return this.lower.length > 0 && text.toLowerCase().indexOf(this.lower) >= 0;
  }

  /** `text` with every occurrence of the secret (in any case, also percent-encoded) masked. */
  scrub(text: string): string {
    // has(), inline, and its lower-cased text kept for the masking: a frame fewer under every
    // event (XS stack, issue 14) and one string fewer when the secret is there.
    const low = text.toLowerCase();
    if (this.lower.length === 0 || low.indexOf(this.lower) < 0) {
      return text.indexOf('%') < 0 ? text : this.scrubEncoded(text);
    }
    // toLowerCase keeps positions for everything but a few non-ASCII letters; if it did not, mask it all.
    if (low.length !== text.length) return this.masked;
    let out = '';
    let from = 0;
    for (let i = low.indexOf(this.lower); i >= 0; i = low.indexOf(this.lower, from)) {
      out += text.slice(from, i) + this.masked;
      from = i + this.lower.length;
    }
    out += text.slice(from);
    // What is left can still show it: a percent-encoded copy next to the plain one, or the mask's
    // last 4 and what follows spelling it again. Scrubbed too (each pass leaves fewer characters
    // other than '*': it ends), unless the mask itself shows the token (one made of '*').
    return this.masked.toLowerCase().indexOf(this.lower) >= 0 ? out : this.scrub(out);
  }

  // Percent-encoded, maybe more than once (%2554...): a few rounds of decoding, in a loop, not
  // recursion (a hostile %252525... must not cost a frame per round). Its own method: scrub()'s
  // frame, under every event, holds none of these locals (XS stack).
  private scrubEncoded(text: string): string {
    let decoded = text;
    for (let round = 0; round < 4 && decoded.indexOf('%') >= 0; round++) {
      const next = decoded.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
      if (next === decoded) break;
      decoded = next;
      if (this.has(decoded)) return this.scrub(decoded);
    }
    return text;
  }

  /** `e` itself, or a copy with the secret masked out of its message and detail. */
  error(e: BlynkError): BlynkError {
    const message = this.scrub(e.message);
    let detail = e.detail;
    let changed = message !== e.message;
    if (detail) {
      for (const k of Object.keys(detail)) {
        const v: unknown = detail[k];
        if (typeof v === 'string' && this.scrub(v) !== v) {
          detail = { ...detail, [k]: this.scrub(v) };
          changed = true;
        }
      }
    }
    return changed ? new BlynkError(e.code, message, detail ? { ...detail } : undefined) : e;
  }

  /**
   * An event payload with the secret masked in every string it holds (the same object when there
   * is none). Strings and errors inside are handled in this frame; only an object inside an
   * object takes another: payloads are flat, and on XS every frame is stack (issue 14).
   */
  value<T>(v: T, depth = 0): T {
    if (typeof v === 'string') return this.scrub(v) as T;
    if (v === null || typeof v !== 'object') return v;
    if (v instanceof BlynkError) return this.error(v) as T;
    if (depth > 4) return v;
    const o = v as Record<string | number, unknown>;
    const keys = Array.isArray(v) ? undefined : Object.keys(o);
    const n = keys ? keys.length : (v as unknown[]).length;
    let copy: Record<string | number, unknown> | undefined;
    for (let i = 0; i < n; i++) {
      const k = keys ? keys[i]! : i;
      const x = o[k];
      const y = typeof x === 'string' ? this.scrub(x) : x instanceof BlynkError ? this.error(x) : x !== null && typeof x === 'object' ? this.value(x, depth + 1) : x;
      if (y !== x) (copy ??= keys ? { ...o } : ((v as unknown[]).slice() as unknown as Record<string | number, unknown>))[k] = y;
      // A key can carry it too (names the cloud sent), plain or encoded like any string: renamed,
      // out of this frame (no locals for a rare case).
      if (keys && this.scrub(k as string) !== k) copy = this.renamed(copy ?? { ...o }, k as string);
    }
    return (copy ?? v) as T;
  }

  private renamed(o: Record<string | number, unknown>, k: string): Record<string | number, unknown> {
    const v = o[k];
    delete o[k];
    o[this.scrub(k)] = v;
    return o;
  }
}
