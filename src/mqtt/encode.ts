// MQTT 3.1.1 encoders: pure functions, no I/O. Each returns one new Uint8Array holding the
// whole packet, sized exactly (lengths are computed first, then written once), or a typed
// error value. Nothing is thrown.

import { BlynkError, ErrorCode, err } from '../errors';
import { asciiLength, isWellFormedString, utf8Encode, writeAscii } from '../util/utf8';
import {
  MAX_REMAINING_LENGTH,
  PacketType,
  type ConnectFields,
  type PublishFields,
  type QoS,
  type Subscription,
} from './packets';

/**
 * A string ready to write: a JS string when it was checked to be plain ASCII (so its length is
 * its byte count), otherwise its UTF-8 bytes.
 */
export type Prepared = string | Uint8Array;

const MAX_STRING = 0xffff;

/** Prepare an MQTT UTF-8 string field: well-formed, no U+0000, at most 65535 bytes. */
export function prepareString(s: string, what: string): Prepared | BlynkError {
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
  if (typeof p !== 'string') return p;
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
  if (topic.length === 0) return err(ErrorCode.BAD_TOPIC, 'topic is empty');
  if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
    return err(ErrorCode.BAD_TOPIC, 'topic name contains a wildcard');
  }
  return prepareString(topic, 'topic');
}

export function varintSize(n: number): number {
  return n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : 4;
}

function alloc(header: number, remaining: number): Uint8Array | BlynkError {
  if (remaining > MAX_REMAINING_LENGTH) {
    return err(ErrorCode.TOO_LARGE, `packet of ${remaining} bytes is over the MQTT maximum`, { size: remaining });
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
function bodyStart(remaining: number): number {
  return 1 + varintSize(remaining);
}

function writeU16(out: Uint8Array, pos: number, v: number): number {
  out[pos] = v >>> 8;
  out[pos + 1] = v & 0xff;
  return pos + 2;
}

function preparedLength(p: Prepared): number {
  return p.length;
}

function writePrepared(out: Uint8Array, pos: number, p: Prepared): number {
  if (typeof p === 'string') writeAscii(out, pos, p);
  else out.set(p, pos);
  return pos + p.length;
}

/** A length-prefixed field (MQTT strings and binary data). */
function writeField(out: Uint8Array, pos: number, p: Prepared): number {
  pos = writeU16(out, pos, p.length);
  return writePrepared(out, pos, p);
}

function isPacketId(id: unknown): id is number {
  return typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= 0xffff;
}

function isQoS(q: unknown): q is QoS {
  return q === 0 || q === 1 || q === 2;
}

export function encodeConnect(f: ConnectFields): Uint8Array | BlynkError {
  if (!Number.isInteger(f.keepalive) || f.keepalive < 0 || f.keepalive > 0xffff) {
    return err(ErrorCode.BAD_ARGUMENT, 'keepalive must be 0..65535 seconds');
  }
  const clientId = prepareString(f.clientId, 'client id');
  if (clientId instanceof BlynkError) return clientId;
  if (clientId.length === 0 && !f.cleanSession) {
    return err(ErrorCode.BAD_ARGUMENT, 'an empty client id needs a clean session'); // MQTT-3.1.3-7
  }
  let flags = f.cleanSession ? 0x02 : 0;
  let remaining = 10 + 2 + preparedLength(clientId);

  let willTopic: Prepared | undefined;
  let willPayload: Prepared | undefined;
  if (f.will) {
    const t = prepareTopic(f.will.topic);
    if (t instanceof BlynkError) return t;
    const p = preparePayload(f.will.payload);
    if (p instanceof BlynkError) return p;
    if (p.length > MAX_STRING) return err(ErrorCode.BAD_ARGUMENT, 'will payload is longer than 65535 bytes');
    const qos = f.will.qos ?? 0;
    if (!isQoS(qos)) return err(ErrorCode.BAD_ARGUMENT, 'will QoS must be 0, 1 or 2');
    willTopic = t;
    willPayload = p;
    flags |= 0x04 | (qos << 3) | (f.will.retain ? 0x20 : 0);
    remaining += 4 + t.length + p.length;
  }

  let username: Prepared | undefined;
  if (f.username !== undefined) {
    const u = prepareString(f.username, 'username');
    if (u instanceof BlynkError) return u;
    username = u;
    flags |= 0x80;
    remaining += 2 + u.length;
  }
  let password: Prepared | undefined;
  if (f.password !== undefined) {
    if (username === undefined) return err(ErrorCode.BAD_ARGUMENT, 'a password needs a username'); // MQTT-3.1.2-22
    const p = typeof f.password === 'string' ? prepareString(f.password, 'password') : f.password;
    if (p instanceof BlynkError) return p;
    if (p.length > MAX_STRING) return err(ErrorCode.BAD_ARGUMENT, 'password is longer than 65535 bytes');
    password = p;
    flags |= 0x40;
    remaining += 2 + p.length;
  }

  const out = alloc(PacketType.CONNECT << 4, remaining);
  if (out instanceof BlynkError) return out;
  let pos = bodyStart(remaining);
  // Protocol name "MQTT", level 4 (3.1.1)
  out[pos++] = 0;
  out[pos++] = 4;
  out[pos++] = 0x4d;
  out[pos++] = 0x51;
  out[pos++] = 0x54;
  out[pos++] = 0x54;
  out[pos++] = 4;
  out[pos++] = flags;
  pos = writeU16(out, pos, f.keepalive);
  pos = writeField(out, pos, clientId);
  if (willTopic !== undefined && willPayload !== undefined) {
    pos = writeField(out, pos, willTopic);
    pos = writeField(out, pos, willPayload);
  }
  if (username !== undefined) pos = writeField(out, pos, username);
  if (password !== undefined) writeField(out, pos, password);
  return out;
}

/** Remaining length (variable header + payload) of a PUBLISH: what C-LIMITS counts. */
export function publishRemainingLength(topicBytes: number, payloadBytes: number, qos: QoS): number {
  return 2 + topicBytes + (qos > 0 ? 2 : 0) + payloadBytes;
}

/**
 * Encode a PUBLISH. With `limit`, a packet whose variable header + payload would exceed it is
 * refused with TOO_LARGE before anything is allocated (C-LIMITS-2).
 */
export function encodePublish(f: PublishFields, limit = MAX_REMAINING_LENGTH): Uint8Array | BlynkError {
  const qos = f.qos ?? 0;
  if (qos !== 0 && qos !== 1) return err(ErrorCode.BAD_QOS, 'the client publishes at QoS 0 or 1');
  if (qos > 0 && !isPacketId(f.id)) return err(ErrorCode.BAD_PACKET_ID, 'QoS 1 needs a packet id 1..65535');
  if (qos === 0 && f.dup) return err(ErrorCode.BAD_FLAGS, 'DUP must be 0 for QoS 0'); // MQTT-3.3.1-2
  const topic = prepareTopic(f.topic);
  if (topic instanceof BlynkError) return topic;
  const payload = preparePayload(f.payload);
  if (payload instanceof BlynkError) return payload;
  const remaining = publishRemainingLength(topic.length, payload.length, qos);
  if (remaining > limit) {
    return err(ErrorCode.TOO_LARGE, `message of ${remaining} bytes is over the ${limit}-byte limit`, {
      size: remaining,
      limit,
    });
  }
  const header = (PacketType.PUBLISH << 4) | (f.dup ? 0x08 : 0) | (qos << 1) | (f.retain ? 0x01 : 0);
  const out = alloc(header, remaining);
  if (out instanceof BlynkError) return out;
  let pos = writeField(out, bodyStart(remaining), topic);
  if (qos > 0) pos = writeU16(out, pos, f.id!);
  writePrepared(out, pos, payload);
  return out;
}

function encodeAck(type: number, flags: number, id: number): Uint8Array | BlynkError {
  if (!isPacketId(id)) return err(ErrorCode.BAD_PACKET_ID, 'packet id must be 1..65535');
  const out = new Uint8Array(4);
  out[0] = (type << 4) | flags;
  out[1] = 2;
  out[2] = id >>> 8;
  out[3] = id & 0xff;
  return out;
}

export function encodePuback(id: number): Uint8Array | BlynkError {
  return encodeAck(PacketType.PUBACK, 0, id);
}

/** A valid topic filter: wildcards only as whole levels, '#' only last. */
function isValidFilter(f: string): boolean {
  if (f.length === 0) return false;
  const levels = f.split('/');
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (l.indexOf('#') >= 0 && (l !== '#' || i !== levels.length - 1)) return false;
    if (l.indexOf('+') >= 0 && l !== '+') return false;
  }
  return true;
}

function prepareFilters(filters: readonly string[]): Prepared[] | BlynkError {
  if (filters.length === 0) return err(ErrorCode.BAD_ARGUMENT, 'at least one topic filter is needed'); // MQTT-3.8.3-3
  const out: Prepared[] = [];
  for (const f of filters) {
    if (!isValidFilter(f)) return err(ErrorCode.BAD_TOPIC, `invalid topic filter`);
    const p = prepareString(f, 'topic filter');
    if (p instanceof BlynkError) return p;
    out.push(p);
  }
  return out;
}

export function encodeSubscribe(id: number, subs: readonly Subscription[]): Uint8Array | BlynkError {
  if (!isPacketId(id)) return err(ErrorCode.BAD_PACKET_ID, 'packet id must be 1..65535');
  for (const s of subs) if (!isQoS(s.qos)) return err(ErrorCode.BAD_QOS, 'requested QoS must be 0, 1 or 2');
  const filters = prepareFilters(subs.map((s) => s.topic));
  if (filters instanceof BlynkError) return filters;
  let remaining = 2;
  for (const f of filters) remaining += 3 + f.length;
  const out = alloc((PacketType.SUBSCRIBE << 4) | 0x02, remaining);
  if (out instanceof BlynkError) return out;
  let pos = writeU16(out, bodyStart(remaining), id);
  for (let i = 0; i < filters.length; i++) {
    pos = writeField(out, pos, filters[i]!);
    out[pos++] = subs[i]!.qos;
  }
  return out;
}

export function encodeUnsubscribe(id: number, topics: readonly string[]): Uint8Array | BlynkError {
  if (!isPacketId(id)) return err(ErrorCode.BAD_PACKET_ID, 'packet id must be 1..65535');
  const filters = prepareFilters(topics);
  if (filters instanceof BlynkError) return filters;
  let remaining = 2;
  for (const f of filters) remaining += 2 + f.length;
  const out = alloc((PacketType.UNSUBSCRIBE << 4) | 0x02, remaining);
  if (out instanceof BlynkError) return out;
  let pos = writeU16(out, bodyStart(remaining), id);
  for (const f of filters) pos = writeField(out, pos, f);
  return out;
}

export function encodePingreq(): Uint8Array {
  return Uint8Array.of(PacketType.PINGREQ << 4, 0);
}

export function encodeDisconnect(): Uint8Array {
  return Uint8Array.of(PacketType.DISCONNECT << 4, 0);
}
