// application/x-www-form-urlencoded, strictly: the query string of a config-mode request or a
// form body. Percent-escapes are decoded to bytes and the bytes must be well-formed UTF-8 with
// no NUL; raw bytes outside printable ASCII, a name given twice, or too many arguments are
// refused as a whole (PROVISION_REQUEST), so a request is either understood or not used at all.

import { BlynkError, ErrorCode, err } from '../errors';
import { isWellFormedUtf8, utf8Decode } from '../util/utf8';

export const MAX_ARGS = 24;

function bad(reason: string): BlynkError {
  return err(ErrorCode.PROVISION_REQUEST, reason);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Decode one name or value (`text` holds only the characters of one component). */
function decodeComponent(text: string, what: string): string | BlynkError {
  const out = new Uint8Array(text.length); // never longer than the escaped text
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      const hi = i + 2 < text.length ? hexValue(text.charCodeAt(i + 1)) : -1;
      const lo = i + 2 < text.length ? hexValue(text.charCodeAt(i + 2)) : -1;
      if (hi < 0 || lo < 0) return bad(`bad percent-escape in ${what}`);
      out[n++] = (hi << 4) | lo;
      i += 2;
    } else if (c === 0x2b) {
      out[n++] = 0x20;
    } else if (c > 0x20 && c < 0x7f) {
      out[n++] = c;
    } else {
      return bad(`a raw character that must be percent-encoded in ${what}`);
    }
  }
  if (!isWellFormedUtf8(out, 0, n)) return bad(`${what} is not UTF-8 text (or holds a NUL)`);
  return utf8Decode(out, 0, n);
}

/** Parse `a=1&b=2` (no leading `?`). Empty pairs (`a=1&&b=2`) are skipped, as browsers do. */
export function parseForm(text: string): Map<string, string> | BlynkError {
  const args = new Map<string, string>();
  if (text === '') return args;
  const pairs = text.split('&');
  if (pairs.length > MAX_ARGS * 2) return bad('too many arguments');
  for (const pair of pairs) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq < 0 ? pair : pair.slice(0, eq), 'an argument name');
    if (name instanceof BlynkError) return name;
    const value = decodeComponent(eq < 0 ? '' : pair.slice(eq + 1), `the value of '${name.slice(0, 16)}'`);
    if (value instanceof BlynkError) return value;
    if (args.has(name)) return bad(`the argument '${name.slice(0, 16)}' is given twice`);
    if (args.size >= MAX_ARGS) return bad('too many arguments');
    args.set(name, value);
  }
  return args;
}

/** Split a request target into its path and its query (without the `?`). A `#` is not sent by clients; refuse it. */
export function splitTarget(target: string): { path: string; query: string } | BlynkError {
  if (target.charCodeAt(0) !== 0x2f) return bad('the request target must start with /');
  if (target.indexOf('#') >= 0) return bad('a fragment in the request target');
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) };
}
