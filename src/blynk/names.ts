// Names and values as the Blynk device API puts them on the wire (C-API).
// Datastream, property, event and metadata names may contain spaces but not '/', '#', '+' or
// NUL (they would change the topic), and may not be empty. Values are text.

import { BlynkError, ErrorCode, err } from '../errors';

/** A value an application can write: text, a number, a switch, or several items (multi-value). */
export type Scalar = string | number | boolean;
export type DatastreamValue = Scalar | readonly Scalar[];

/** A position for `batch_ds`: sent as [lon, lat], the order the cloud wants there. */
export interface Location {
  lat: number;
  lon: number;
}

export type BatchValue = Scalar | Location | readonly Scalar[];

const charCodeAt = String.prototype.charCodeAt;

export function checkName(name: unknown, what = 'name'): BlynkError | null {
  if (typeof name !== 'string') return err(ErrorCode.BAD_NAME, `${what} must be a non-empty string`);
  // Read through charCodeAt.call until NaN (past the end): on XS, `name.length` and
  // `name.charCodeAt(i)` box the string (2 slots each), and this runs on every write.
  let i = 0;
  for (;; i++) {
    const c = charCodeAt.call(name, i);
    if (c !== c) break;
    if (c === 0x2f || c === 0x23 || c === 0x2b || c === 0) {
      return err(ErrorCode.BAD_NAME, `${what} "${printable(name)}" contains '/', '#', '+' or NUL`);
    }
  }
  return i === 0 ? err(ErrorCode.BAD_NAME, `${what} must be a non-empty string`) : null;
}

/** Names sent comma-separated (get/ds, get/meta) may not contain a comma either. */
export function checkListName(name: unknown, what = 'name'): BlynkError | null {
  const e = checkName(name, what);
  if (e) return e;
  return (name as string).indexOf(',') >= 0 ? err(ErrorCode.BAD_NAME, `${what} "${name as string}" contains ','`) : null;
}

function printable(s: string): string {
  return s.replace(/\u0000/g, '\\0');
}

function scalarText(v: Scalar): string | BlynkError {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? '1' : '0'; // Blynk switches are 0/1
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return err(ErrorCode.BAD_VALUE, 'number values must be finite');
    return String(v);
  }
  return err(ErrorCode.BAD_VALUE, `unsupported value type ${typeof v}`);
}

/** The wire text of a value: arrays are joined with NUL (multi-value datastreams). */
export function valueText(v: DatastreamValue): string | BlynkError {
  if (!Array.isArray(v)) return scalarText(v as Scalar);
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const t = scalarText(v[i]!);
    if (t instanceof BlynkError) return t;
    out += i === 0 ? t : '\u0000' + t;
  }
  return out;
}

function isLocation(v: unknown): v is Location {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'lat' in v && 'lon' in v;
}

/** The JSON form of a batch value: numbers stay numbers, booleans booleans, Location is [lon, lat]. */
export function batchJson(v: BatchValue): unknown | BlynkError {
  if (isLocation(v)) {
    if (!Number.isFinite(v.lat) || !Number.isFinite(v.lon)) return err(ErrorCode.BAD_VALUE, 'location needs finite lat and lon');
    return [v.lon, v.lat];
  }
  if (Array.isArray(v)) {
    for (const x of v) {
      if (typeof x === 'number' && !Number.isFinite(x)) return err(ErrorCode.BAD_VALUE, 'number values must be finite');
      if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') return err(ErrorCode.BAD_VALUE, `unsupported item type ${x === null ? 'null' : typeof x} in a multi-value`);
    }
    return v;
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return err(ErrorCode.BAD_VALUE, 'number values must be finite');
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
    return err(ErrorCode.BAD_VALUE, `unsupported value type ${typeof v}`);
  }
  return v;
}

// ---- typed helpers for incoming values (text on the wire) ----

/** The value as a number (NaN if it is not one). */
export function asNumber(text: string): number {
  return text.trim().length === 0 ? NaN : Number(text);
}

/** The value as a switch: a non-zero number, "true" or "on" is on; anything else is off. */
export function asBoolean(text: string): boolean {
  if (text === 'true' || text === 'on') return true;
  const n = asNumber(text);
  return !Number.isNaN(n) && n !== 0;
}

/** The items of a multi-value datastream (NUL-separated). */
export function asList(text: string): string[] {
  return text.split('\u0000');
}
