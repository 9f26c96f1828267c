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
    if (!this.has(text)) {
      if (text.indexOf('%') < 0) return text;
      const decoded = text.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
      return this.has(decoded) ? this.scrub(decoded) : text;
    }
    const low = text.toLowerCase();
    // toLowerCase keeps positions for everything but a few non-ASCII letters; if it did not, mask it all.
    if (low.length !== text.length) return this.masked;
    let out = '';
    let from = 0;
    for (let i = low.indexOf(this.lower); i >= 0; i = low.indexOf(this.lower, from)) {
      out += text.slice(from, i) + this.masked;
      from = i + this.lower.length;
    }
    return out + text.slice(from);
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

  /** An event payload with the secret masked in every string it holds (the same object when there is none). */
  value<T>(v: T, depth = 0): T {
    if (typeof v === 'string') return this.scrub(v) as T;
    if (v instanceof BlynkError) return this.error(v) as T;
    if (v === null || typeof v !== 'object' || depth > 4) return v;
    if (Array.isArray(v)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const x = this.value(v[i], depth + 1);
        if (x !== v[i]) (out ??= v.slice())[i] = x;
      }
      return (out ?? v) as T;
    }
    let copy: Record<string, unknown> | undefined;
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const x = this.value(o[k], depth + 1);
      if (x !== o[k]) (copy ??= { ...o })[k] = x;
    }
    return (copy ?? v) as T;
  }
}
