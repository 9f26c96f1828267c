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
} from './packets';
import {
  DEFAULT_MAX_PACKET,
  checkSize,
  connectRemainingLength,
  publishRemainingLength,
} from './size';
import type { PacketWriter } from './writer';

// These moved to fields.ts, size.ts and encode-subscribe.ts; still exported from here for existing imports.

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

  // Each field is prepared into its own variable, no temporaries: on XS every local is a stack
  // slot, and CONNECT is built under the device's deepest path (issue 14).
  let willTopic: Prepared | BlynkError | undefined;
  let willPayload: Prepared | BlynkError | undefined;
  if (f.will) {
    willTopic = prepareTopic(f.will.topic);
    if (willTopic instanceof BlynkError) return willTopic;
    willPayload = preparePayload(f.will.payload);
    if (willPayload instanceof BlynkError) return willPayload;
    if (willPayload.length > MAX_STRING) return err(ErrorCode.BAD_ARGUMENT, 'will payload is longer than 65535 bytes');
    if (!isQoS(f.will.qos ?? 0)) return err(ErrorCode.BAD_ARGUMENT, 'will QoS must be 0, 1 or 2');
    flags |= 0x04 | ((f.will.qos ?? 0) << 3) | (f.will.retain ? 0x20 : 0);
  }

  let username: Prepared | BlynkError | undefined;
  if (f.username !== undefined) {
    username = prepareString(f.username, 'username');
    if (username instanceof BlynkError) return username;
    flags |= 0x80;
  }
  let password: Prepared | BlynkError | undefined;
  if (f.password !== undefined) {
    if (username === undefined) return err(ErrorCode.BAD_ARGUMENT, 'a password needs a username'); // MQTT-3.1.2-22
    password = typeof f.password === 'string' ? prepareString(f.password, 'password') : isBytes(f.password) ? f.password : notPayload();
    if (password instanceof BlynkError) return password;
    if (password.length > MAX_STRING) return err(ErrorCode.BAD_ARGUMENT, 'password is longer than 65535 bytes');
    flags |= 0x40;
  }

  // No errors are left in them past this point (each returned above); casts, not new locals.
  const remaining = connectRemainingLength(
    clientId.length,
    willTopic === undefined ? -1 : (willTopic as Prepared).length,
    willPayload === undefined ? 0 : (willPayload as Prepared).length,
    username === undefined ? -1 : (username as Prepared).length,
    password === undefined ? -1 : (password as Prepared).length,
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
    pos = writeField(out, pos, willTopic as Prepared);
    pos = writeField(out, pos, willPayload as Prepared);
  }
  if (username !== undefined) pos = writeField(out, pos, username as Prepared);
  if (password !== undefined) writeField(out, pos, password as Prepared);
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
  const header = (PacketType.PUBLISH << 4) | (f.dup ? 0x08 : 0) | (qos << 1) | (f.retain ? 0x01 : 0);
  return publishFast(f.topic, f.payload, header, qos > 0 ? f.id! : 0, limit, into) ?? publishGeneral(f, qos, header, limit);
}

/**
 * A QoS 0 PUBLISH (what Blynk uplinks are), from its topic and payload: encodePublish without
 * the fields object, which on XS is 4 slots per call. Same results, same errors.
 */
export function encodeQos0Publish(topic: string, payload: Uint8Array | string, limit: number = DEFAULT_MAX_PACKET, into?: PacketWriter): Uint8Array | BlynkError {
  return publishFast(topic, payload, PacketType.PUBLISH << 4, 0, limit, into) ?? publishGeneral({ topic, payload }, 0, PacketType.PUBLISH << 4, limit);
}

// XS boxes a string for each method call or property read on it (`s.charCodeAt(i)`, `s.length`:
// 2 slots each, npm run bench:send), but not when it is passed to `call` as `this`. The fast
// path reads strings only that way, and finds the end of a short one by the NaN charCodeAt gives
// past its last character, so encoding a short PUBLISH allocates nothing there.
const charCodeAt = String.prototype.charCodeAt;
const SHORT = 48; // longer strings are measured with .length and written by tryWriteAscii (a native encoder where there is one)

/** More than SHORT characters: there is one at index SHORT (charCodeAt is NaN past the end). */
function isLong(s: string): boolean {
  const c = charCodeAt.call(s, SHORT);
  return c === c;
}

/** The length of `s` if it is an ASCII topic name (no NUL, no wildcard, not empty) up to SHORT characters, -2 if longer, -1 if not plain. */
function shortTopicLength(s: string): number {
  if (isLong(s)) return -2;
  for (let i = 0; i <= SHORT; i++) {
    const c = charCodeAt.call(s, i);
    if (c < 0x80) {
      if (c === 0 || c === 0x23 || c === 0x2b) return -1;
    } else return c !== c && i > 0 ? i : -1; // NaN: past the end
  }
  return -2;
}

/** The length of `s` if it is ASCII (NUL allowed) up to SHORT characters, -2 if longer, -1 if not ASCII. */
function shortAsciiLength(s: string): number {
  if (isLong(s)) return -2;
  for (let i = 0; i <= SHORT; i++) {
    const c = charCodeAt.call(s, i);
    if (!(c < 0x80)) return c !== c ? i : -1;
  }
  return -2;
}

// The common case: topic and string payload plain ASCII (so their lengths are their byte counts)
// and the packet within the limits. Null for anything else (non-ASCII, a NUL or wildcard in the
// topic, over a limit, bad arguments): the general way encodes it or decides which error it is.
function publishFast(topic: unknown, payload: unknown, header: number, id: number, limit: number, into: PacketWriter | undefined): Uint8Array | null {
  if (typeof topic !== 'string') return null;
  // Into a new array, one pass: lengths from .length, characters checked as they are written
  // (the allocation costs more than the boxing). Into a writer, nothing may allocate.
  const known = into ? into.topicLength(topic) : -2; // the last packet's topic: checked then
  let topicLen = known !== -1 ? known : shortTopicLength(topic);
  if (topicLen === -1) return null;
  const long = topicLen === -2;
  if (long) topicLen = topic.length;
  let payloadLen: number;
  let shortPayload = false;
  if (typeof payload === 'string') {
    payloadLen = into ? shortAsciiLength(payload) : -2;
    if (payloadLen === -1) return null;
    shortPayload = payloadLen >= 0;
    if (!shortPayload) payloadLen = payload.length;
  } else if (isBytes(payload)) payloadLen = payload.length;
  else return null;
  const remaining = 2 + topicLen + (id > 0 ? 2 : 0) + payloadLen;
  if (topicLen === 0 || topicLen > MAX_STRING || remaining > limit || remaining > MAX_REMAINING_LENGTH) return null;
  const owned = into ? into.start(header, remaining) : null;
  const out = owned || packet(header, remaining);
  let pos = bodyStart(remaining);
  const end = pos + remaining;
  out[pos++] = topicLen >>> 8;
  out[pos++] = topicLen & 0xff;
  const mine = owned !== null; // into the writer's memory
  if (!mine || !into!.hasTopicAt(topic, pos)) {
    if (mine) into!.noteTopic(undefined, 0, 0);
    if (long) {
      for (let i = 0; i < topicLen; i++) {
        const c = charCodeAt.call(topic, i);
        if (c === 0 || c === 0x23 || c === 0x2b || c >= 0x80) return null;
        out[pos + i] = c;
      }
    } else for (let i = 0; i < topicLen; i++) out[pos + i] = charCodeAt.call(topic, i);
    if (mine) into!.noteTopic(topic, pos, topicLen);
  }
  pos += topicLen;
  if (id > 0) pos = writeU16(out, pos, id);
  if (typeof payload !== 'string') out.set(payload as Uint8Array, pos);
  else if (shortPayload) for (let i = 0; i < payloadLen; i++) out[pos + i] = charCodeAt.call(payload, i);
  else if (!tryWriteAscii(out, pos, payload)) return null;
  return mine ? into!.finish(end) : out;
}

// Any PUBLISH: topic errors first, then the size (measured, not encoded: C-LIMITS-2), then the
// payload's own errors.
function publishGeneral(f: PublishFields, qos: QoS, header: number, limit: number): Uint8Array | BlynkError {
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
  const out = alloc(header, size);
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

export function encodePingreq(): Uint8Array {
  return Uint8Array.of(PacketType.PINGREQ << 4, 0);
}

export function encodeDisconnect(): Uint8Array {
  return Uint8Array.of(PacketType.DISCONNECT << 4, 0);
}
