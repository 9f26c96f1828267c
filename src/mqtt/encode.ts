// MQTT 3.1.1 encoders: pure functions, no I/O. Each returns one new Uint8Array holding the
// whole packet, sized exactly (lengths are computed first, then written once), or a typed
// error value. Nothing is thrown. encodePublish can write into a PacketWriter instead (memory
// the caller owns and reuses: see writer.ts).

import { BlynkError, ErrorCode, err } from '../errors';
import { isWellFormedString, tryWriteAscii, utf8Encode, utf8Length } from '../util/utf8';
import {
  MAX_STRING,
  alloc,
  bodyStart,
  isBytes,
  isPacketId,
  isQoS,
  notPayload,
  packet,
  prepareString,
  preparePayload,
  prepareTopic,
  preparedLength,
  writeField,
  writeU16,
  type Prepared,
} from './fields';
import {
  MAX_REMAINING_LENGTH,
  PacketType,
  type ConnectFields,
  type PublishFields,
  type QoS,
  type Subscription,
} from './packets';
import {
  DEFAULT_MAX_PACKET,
  checkSize,
  connectRemainingLength,
  filtersRemainingLength,
  publishRemainingLength,
} from './size';
import type { PacketWriter } from './writer';

// These moved to fields.ts and size.ts; still exported from here for existing imports.
export { prepareString, preparePayload, prepareTopic, varintSize, type Prepared } from './fields';
export { DEFAULT_MAX_PACKET, publishRemainingLength } from './size';

/** Encode a CONNECT. Over `limit` (remaining length, C-LIMITS-1) it is TOO_LARGE. */
export function encodeConnect(f: ConnectFields, limit: number = DEFAULT_MAX_PACKET): Uint8Array | BlynkError {
  if (!Number.isInteger(f.keepalive) || f.keepalive < 0 || f.keepalive > 0xffff) {
    return err(ErrorCode.BAD_ARGUMENT, 'keepalive must be 0..65535 seconds');
  }
  const clientId = prepareString(f.clientId, 'client id');
  if (clientId instanceof BlynkError) return clientId;
  if (clientId.length === 0 && !f.cleanSession) {
    return err(ErrorCode.BAD_ARGUMENT, 'an empty client id needs a clean session'); // MQTT-3.1.3-7
  }
  let flags = f.cleanSession ? 0x02 : 0;

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
  }

  let username: Prepared | undefined;
  if (f.username !== undefined) {
    const u = prepareString(f.username, 'username');
    if (u instanceof BlynkError) return u;
    username = u;
    flags |= 0x80;
  }
  let password: Prepared | undefined;
  if (f.password !== undefined) {
    if (username === undefined) return err(ErrorCode.BAD_ARGUMENT, 'a password needs a username'); // MQTT-3.1.2-22
    const p = typeof f.password === 'string' ? prepareString(f.password, 'password') : isBytes(f.password) ? f.password : notPayload();
    if (p instanceof BlynkError) return p;
    if (p.length > MAX_STRING) return err(ErrorCode.BAD_ARGUMENT, 'password is longer than 65535 bytes');
    password = p;
    flags |= 0x40;
  }

  const remaining = connectRemainingLength(
    clientId.length,
    willTopic === undefined ? -1 : willTopic.length,
    willPayload === undefined ? 0 : willPayload.length,
    username === undefined ? -1 : username.length,
    password === undefined ? -1 : password.length,
  );
  const tooBig = checkSize(remaining, limit, 'CONNECT');
  if (tooBig) return tooBig;
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

/**
 * Encode a PUBLISH. A packet whose variable header + payload would exceed `limit` is refused
 * with TOO_LARGE before the packet is built (C-LIMITS-2). With `into`, the common case (ASCII
 * topic and string, or bytes, within the writer's capacity) is written into its memory and the
 * result is a view that the next encode into the same writer overwrites: hand it to
 * Transport.write (which copies what it keeps) and let go of it. Anything else is a new array.
 */
export function encodePublish(f: PublishFields, limit: number = DEFAULT_MAX_PACKET, into?: PacketWriter): Uint8Array | BlynkError {
  const qos = f.qos ?? 0;
  if (qos !== 0 && qos !== 1) return err(ErrorCode.BAD_QOS, 'the client publishes at QoS 0 or 1');
  if (qos > 0 && !isPacketId(f.id)) return err(ErrorCode.BAD_PACKET_ID, 'QoS 1 needs a packet id 1..65535');
  if (qos === 0 && f.dup) return err(ErrorCode.BAD_FLAGS, 'DUP must be 0 for QoS 0'); // MQTT-3.3.1-2
  const topic = f.topic;
  const payload = f.payload;
  // The common case in one pass: topic and string payload taken to be ASCII, so their lengths
  // are their byte counts, and checked while they are written. Anything else (non-ASCII, NUL or
  // a wildcard in the topic, over a limit, bad arguments) goes the general way, which also
  // decides which error to report.
  if (typeof topic !== 'string' || (typeof payload !== 'string' && !isBytes(payload))) return publishGeneral(f, qos, limit);
  const topicLen = topic.length;
  const remaining = publishRemainingLength(topicLen, payload.length, qos);
  if (topicLen === 0 || topicLen > MAX_STRING || remaining > limit || remaining > MAX_REMAINING_LENGTH) {
    return publishGeneral(f, qos, limit);
  }
  const header = publishHeader(f, qos);
  const out = (into && into.start(header, remaining)) || packet(header, remaining);
  let pos = bodyStart(remaining);
  const end = pos + remaining;
  out[pos++] = topicLen >>> 8;
  out[pos++] = topicLen & 0xff;
  for (let i = 0; i < topicLen; i++) {
    const c = topic.charCodeAt(i);
    if (c <= 0x23 || c === 0x2b || c >= 0x80) {
      if (c === 0 || c === 0x23 || c === 0x2b || c >= 0x80) return publishGeneral(f, qos, limit);
    }
    out[pos + i] = c;
  }
  pos += topicLen;
  if (qos > 0) pos = writeU16(out, pos, f.id!);
  if (typeof payload !== 'string') out.set(payload, pos);
  else if (!tryWriteAscii(out, pos, payload)) return publishGeneral(f, qos, limit);
  return out.length === end ? out : into!.finish(end);
}

function publishHeader(f: PublishFields, qos: number): number {
  return (PacketType.PUBLISH << 4) | (f.dup ? 0x08 : 0) | (qos << 1) | (f.retain ? 0x01 : 0);
}

// Any PUBLISH: topic errors first, then the size (measured, not encoded: C-LIMITS-2), then the
// payload's own errors.
function publishGeneral(f: PublishFields, qos: QoS, limit: number): Uint8Array | BlynkError {
  const topic = prepareTopic(f.topic);
  if (topic instanceof BlynkError) return topic;
  const p = f.payload;
  if (typeof p !== 'string' && !isBytes(p)) return notPayload();
  const size = publishRemainingLength(topic.length, typeof p === 'string' ? utf8Length(p) : p.length, qos);
  const tooBig = checkSize(size, limit, 'message');
  if (tooBig) return tooBig;
  let payload: Uint8Array | string = p;
  if (typeof p === 'string' && size !== publishRemainingLength(topic.length, p.length, qos)) {
    if (!isWellFormedString(p)) return err(ErrorCode.BAD_UTF8, 'payload is not well-formed Unicode');
    payload = utf8Encode(p);
  }
  const out = alloc(publishHeader(f, qos), size);
  if (out instanceof BlynkError) return out;
  let pos = writeField(out, bodyStart(size), topic);
  if (qos > 0) pos = writeU16(out, pos, f.id!);
  if (typeof payload === 'string') tryWriteAscii(out, pos, payload);
  else out.set(payload, pos);
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
  if (!Array.isArray(filters)) return err(ErrorCode.BAD_ARGUMENT, 'topic filters must be an array');
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

/** Encode a SUBSCRIBE. Over `limit` (remaining length, C-LIMITS-1) it is TOO_LARGE. */
export function encodeSubscribe(
  id: number,
  subs: readonly Subscription[],
  limit: number = DEFAULT_MAX_PACKET,
): Uint8Array | BlynkError {
  if (!isPacketId(id)) return err(ErrorCode.BAD_PACKET_ID, 'packet id must be 1..65535');
  if (!Array.isArray(subs)) return err(ErrorCode.BAD_ARGUMENT, 'subscriptions must be an array');
  for (const s of subs) if (!isQoS(s.qos)) return err(ErrorCode.BAD_QOS, 'requested QoS must be 0, 1 or 2');
  const filters = prepareFilters(subs.map((s) => s.topic));
  if (filters instanceof BlynkError) return filters;
  const remaining = filtersRemainingLength(filters.map(preparedLength), true);
  const tooBig = checkSize(remaining, limit, 'SUBSCRIBE');
  if (tooBig) return tooBig;
  const out = alloc((PacketType.SUBSCRIBE << 4) | 0x02, remaining);
  if (out instanceof BlynkError) return out;
  let pos = writeU16(out, bodyStart(remaining), id);
  for (let i = 0; i < filters.length; i++) {
    pos = writeField(out, pos, filters[i]!);
    out[pos++] = subs[i]!.qos;
  }
  return out;
}

/** Encode an UNSUBSCRIBE. Over `limit` (remaining length, C-LIMITS-1) it is TOO_LARGE. */
export function encodeUnsubscribe(
  id: number,
  topics: readonly string[],
  limit: number = DEFAULT_MAX_PACKET,
): Uint8Array | BlynkError {
  if (!isPacketId(id)) return err(ErrorCode.BAD_PACKET_ID, 'packet id must be 1..65535');
  const filters = prepareFilters(topics);
  if (filters instanceof BlynkError) return filters;
  const remaining = filtersRemainingLength(filters.map(preparedLength), false);
  const tooBig = checkSize(remaining, limit, 'UNSUBSCRIBE');
  if (tooBig) return tooBig;
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
