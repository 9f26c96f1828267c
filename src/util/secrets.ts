import { BlynkError } from '../errors';

// C-SECRETS: the auth token never appears in logs, errors, events or diagnostics. Code that
// knows the token shows it masked; everything on its way out (log lines, error messages) also
// passes a scrubber that replaces any occurrence of the token, as a second line of defence.

/** All but the last 4 characters hidden. */
export function maskToken(token: string): string {
  const tail = token.length > 4 ? token.slice(-4) : '';
  return `****${tail}`;
}

export class Scrubber {
  private readonly secret: string;
  private readonly masked: string;

  constructor(secret: string) {
    this.secret = secret;
    this.masked = maskToken(secret);
  }

  /** `text` with every occurrence of the secret masked. */
  scrub(text: string): string {
    if (this.secret.length === 0 || text.indexOf(this.secret) < 0) return text;
    return text.split(this.secret).join(this.masked);
  }

  /** `e` itself, or a copy with the secret masked out of its message. */
  error(e: BlynkError): BlynkError {
    const message = this.scrub(e.message);
    return message === e.message ? e : new BlynkError(e.code, message, e.detail ? { ...e.detail } : undefined);
  }
}
