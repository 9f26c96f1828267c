// MQTT field preparation and writing, shared by the encoders: strings checked and measured
// before anything is allocated, packets allocated once at their exact size, fields written in.

import { BlynkError, ErrorCode, err } from '../errors';
import { asciiLength, isWellFormedString, utf8Encode, writeAscii } from '../util/utf8';
import { MAX_REMAINING_LENGTH, type QoS } from './packets';

/**
 * A string ready to write: a JS string when it was checked to be plain ASCII (so its length is
 * its byte count), otherwise its UTF-8 bytes.
 */
export type Prepared = string | Uint8Array;

/** The longest MQTT string or binary field. */
export const MAX_STRING = 0xffff;

/** Prepare an MQTT UTF-8 string field: well-formed, no U+0000, at most 65535 bytes. */
export function prepareString(s: string, what: string): Prepared | BlynkError {
  if (typeof s !== 'string') return err(ErrorCode.BAD_ARGUMENT, `${what} must be a string`);
  if (asciiLength(s) >= 0) {
    if (s.length > MAX_STRING) return err(ErrorCode.BAD_ARGUMENT, `${what} is longer than 65535 bytes`);
    return s;
  }
  if (!isWellFormedString(s)) return err(ErrorCode.BAD_UTF8, `${what} is not well-formed Unicode`);
  const bytes = utf8Encode(s);
  if (bytes.indexOf(0) >= 0) return err(ErrorCode.BAD_UTF8, `${what} contains U+0000`);
  if (bytes.length > MAX_STRING) return err(ErrorCode.BAD_ARGUMENT, `${what} is longer than 65535 bytes`);
  return bytes;
}

/** Prepare a payload: any bytes, or a string sent as UTF-8 (NUL allowed: Blynk separates array items with it). */
export function preparePayload(p: Uint8Array | string): Prepared | BlynkError {
  if (typeof p !== 'string') return isBytes(p) ? p : notPayload();
  const n = p.length;
  let ascii = true;
  for (let i = 0; i < n; i++) {
    if (p.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return p;
  if (!isWellFormedString(p)) return err(ErrorCode.BAD_UTF8, 'payload is not well-formed Unicode');
  return utf8Encode(p);
}

/** Prepare a topic name for PUBLISH: a non-empty MQTT string without wildcards. */
export function prepareTopic(topic: string): Prepared | BlynkError {
  if (typeof topic !== 'string') return err(ErrorCode.BAD_ARGUMENT, 'topic must be a string');
  const n = topic.length;
  if (n === 0) return err(ErrorCode.BAD_TOPIC, 'topic is empty');
  // One pass for the common case: wildcards refused, plain ASCII without NUL returned as is.
  let plain = true;
  for (let i = 0; i < n; i++) {
    const c = topic.charCodeAt(i);
    if (c <= 0x23 || c === 0x2b || c >= 0x80) {
      if (c === 0x23 || c === 0x2b) return err(ErrorCode.BAD_TOPIC, 'topic name contains a wildcard');
      if (c === 0 || c >= 0x80) plain = false;
    }
  }
  if (plain) return n > MAX_STRING ? err(ErrorCode.BAD_ARGUMENT, 'topic is longer than 65535 bytes') : topic;
  return prepareString(topic, 'topic');
}

export function varintSize(n: number): number {
  return n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : 4;
}

export function alloc(header: number, remaining: number): Uint8Array | BlynkError {
  if (remaining > MAX_REMAINING_LENGTH) return overMqttMaximum(remaining);
  return packet(header, remaining);
}

export function overMqttMaximum(remaining: number): BlynkError {
  return err(ErrorCode.TOO_LARGE, `packet of ${remaining} bytes is over the MQTT maximum`, { size: remaining });
}

/** A packet with its fixed header written; `remaining` was checked against the MQTT maximum. */
export function packet(header: number, remaining: number): Uint8Array {
  if (remaining < 128) {
    const out = new Uint8Array(2 + remaining);
    out[0] = header;
    out[1] = remaining;
    return out;
  }
  const out = new Uint8Array(1 + varintSize(remaining) + remaining);
  out[0] = header;
  let n = remaining;
  let i = 1;
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n > 0) b |= 0x80;
    out[i++] = b;
  } while (n > 0);
  return out;
}

/** Offset of the variable header in a packet made by `alloc`. */
export function bodyStart(remaining: number): number {
  return 1 + varintSize(remaining);
}

export function writeU16(out: Uint8Array, pos: number, v: number): number {
  out[pos] = v >>> 8;
  out[pos + 1] = v & 0xff;
  return pos + 2;
}

export function preparedLength(p: Prepared): number {
  return p.length;
}

export function writePrepared(out: Uint8Array, pos: number, p: Prepared): number {
  if (typeof p === 'string') writeAscii(out, pos, p);
  else out.set(p, pos);
  return pos + p.length;
}

/** A length-prefixed field (MQTT strings and binary data). */
export function writeField(out: Uint8Array, pos: number, p: Prepared): number {
  pos = writeU16(out, pos, p.length);
  return writePrepared(out, pos, p);
}

export function isPacketId(id: unknown): id is number {
  return typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= 0xffff;
}

export function isBytes(p: unknown): p is Uint8Array {
  return p instanceof Uint8Array;
}

export function notPayload(): BlynkError {
  return err(ErrorCode.BAD_ARGUMENT, 'binary data must be a string or a Uint8Array');
}

export function isQoS(q: unknown): q is QoS {
  return q === 0 || q === 1 || q === 2;
}
