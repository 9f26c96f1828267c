// MQTT 3.1.1 decoding of the packets a client receives: CONNACK, PUBLISH, PUBACK, SUBACK,
// UNSUBACK, PINGRESP. Pure: it reads a contiguous byte range and fills a reusable
// IncomingPacket; the only allocations are the topic string (none when a TopicCache already
// has it) and the SUBACK code list; the payload is a range of the input, not a copy or a view.
// Anything a client must not receive is an error value.

import { BlynkError, ErrorCode, err } from '../errors';
import { isWellFormedUtf8, utf8Decode } from '../util/utf8';
import { IncomingPacket, PacketType, type QoS } from './packets';
import type { TopicCache } from './topics';

/**
 * Check the first byte of a fixed header. Returns null if a client may receive it, else the
 * error. Done as soon as the byte arrives, before any of the packet is buffered.
 */
export function checkHeader(byte: number): BlynkError | null {
  const type = byte >>> 4;
  const flags = byte & 0x0f;
  switch (type) {
    case PacketType.PUBLISH:
      if ((flags & 0x06) === 0x06) return err(ErrorCode.BAD_QOS, 'PUBLISH with QoS 3'); // MQTT-3.3.1-4
      if ((flags & 0x06) === 0 && (flags & 0x08) !== 0) return err(ErrorCode.BAD_FLAGS, 'PUBLISH QoS 0 with DUP set'); // MQTT-3.3.1-2
      return null;
    case PacketType.CONNACK:
    case PacketType.PUBACK:
    case PacketType.SUBACK:
    case PacketType.UNSUBACK:
    case PacketType.PINGRESP:
      return flags === 0 ? null : err(ErrorCode.BAD_FLAGS, `reserved flags set on packet type ${type}`); // MQTT-2.2.2-2
    default:
      return err(ErrorCode.BAD_TYPE, `packet type ${type} is not for a client`, { type });
  }
}

function exactLength(type: number, remaining: number, want: number): BlynkError | null {
  return remaining === want
    ? null
    : err(ErrorCode.MALFORMED_LENGTH, `packet type ${type} must have remaining length ${want}, not ${remaining}`);
}

function packetId(buf: Uint8Array, pos: number): number {
  return (buf[pos]! << 8) | buf[pos + 1]!;
}

/**
 * Decode the variable header and payload of a packet whose first byte `header` passed
 * checkHeader. The body is `buf[start, start + remaining)`. On success fills `out` and
 * returns null; the payload is `buf[out.payloadStart, out.payloadEnd)`. With `topics`, repeated topic strings come
 * from that cache instead of being built again.
 */
export function decodeBody(
  header: number,
  buf: Uint8Array,
  start: number,
  remaining: number,
  out: IncomingPacket,
  topics?: TopicCache,
): BlynkError | null {
  const type = header >>> 4;
  const end = start + remaining;
  out.type = type;
  switch (type) {
    case PacketType.PUBLISH:
      return decodePublish(header, buf, start, remaining, out, topics);
    case PacketType.CONNACK: {
      const e = exactLength(type, remaining, 2);
      if (e) return e;
      const ackFlags = buf[start]!;
      if ((ackFlags & 0xfe) !== 0) return err(ErrorCode.BAD_FLAGS, 'reserved CONNACK flags set'); // MQTT-3.2.2-1
      out.sessionPresent = (ackFlags & 1) !== 0;
      out.returnCode = buf[start + 1]!;
      return null;
    }
    case PacketType.PUBACK:
    case PacketType.UNSUBACK: {
      const e = exactLength(type, remaining, 2);
      if (e) return e;
      const id = packetId(buf, start);
      if (id === 0) return err(ErrorCode.BAD_PACKET_ID, `packet type ${type} with packet id 0`);
      out.id = id;
      return null;
    }
    case PacketType.SUBACK: {
      if (remaining < 3) return err(ErrorCode.TRUNCATED, 'SUBACK without return codes');
      const id = packetId(buf, start);
      if (id === 0) return err(ErrorCode.BAD_PACKET_ID, 'SUBACK with packet id 0');
      const codes: number[] = [];
      for (let i = start + 2; i < end; i++) {
        const c = buf[i]!;
        if (c !== 0 && c !== 1 && c !== 2 && c !== 0x80) {
          return err(ErrorCode.BAD_QOS, `SUBACK return code ${c} is not allowed`); // MQTT-3.9.3-2
        }
        codes.push(c);
      }
      out.id = id;
      out.granted = codes;
      return null;
    }
    case PacketType.PINGRESP:
      return exactLength(type, remaining, 0);
    default:
      return err(ErrorCode.BAD_TYPE, `packet type ${type} is not for a client`, { type });
  }
}

/**
 * decodeBody for a PUBLISH whose header passed checkHeader (the framer calls it directly: it is
 * most of the traffic). `missed`: the caller asked `topics` already and it had no such topic.
 */
export function decodePublish(
  header: number,
  buf: Uint8Array,
  start: number,
  remaining: number,
  out: IncomingPacket,
  topics?: TopicCache,
  missed = false,
): BlynkError | null {
  const end = start + remaining;
  out.type = PacketType.PUBLISH;
  const qos = ((header >>> 1) & 3) as QoS;
  if (remaining < 2) return err(ErrorCode.TRUNCATED, 'PUBLISH too short for its topic length');
  const topicLen = (buf[start]! << 8) | buf[start + 1]!;
  let pos = start + 2;
  if (pos + topicLen > end) return err(ErrorCode.TRUNCATED, 'PUBLISH topic runs past the packet');
  if (topicLen === 0) return err(ErrorCode.BAD_TOPIC, 'PUBLISH with an empty topic');
  const topicEnd = pos + topicLen;
  const cached = topics && !missed ? topics.find(buf, pos, topicEnd) : null;
  if (cached !== null) {
    out.topic = cached;
  } else {
    const e = checkTopic(buf, pos, topicEnd);
    if (e) return e;
    out.topic = utf8Decode(buf, pos, topicEnd);
    if (topics) topics.add(buf, pos, topicEnd, out.topic);
  }
  pos = topicEnd;
  if (qos > 0) {
    if (pos + 2 > end) return err(ErrorCode.TRUNCATED, 'PUBLISH too short for its packet id');
    const id = packetId(buf, pos);
    if (id === 0) return err(ErrorCode.BAD_PACKET_ID, 'PUBLISH with packet id 0');
    out.id = id;
    pos += 2;
  } else {
    out.id = 0;
  }
  out.qos = qos;
  out.dup = (header & 0x08) !== 0;
  out.retain = (header & 0x01) !== 0;
  out.bytes = buf;
  out.payloadStart = pos;
  out.payloadEnd = end;
  return null;
}

/** A PUBLISH topic name: no wildcards (MQTT-3.3.2-2), well-formed UTF-8 without U+0000. */
function checkTopic(buf: Uint8Array, start: number, end: number): BlynkError | null {
  let special = false;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c <= 0x23 || c === 0x2b || c >= 0x80) {
      if (c === 0x2b || c === 0x23) return err(ErrorCode.BAD_TOPIC, 'PUBLISH topic contains a wildcard');
      if (c === 0 || c >= 0x80) special = true;
    }
  }
  if (special && !isWellFormedUtf8(buf, start, end)) return err(ErrorCode.BAD_UTF8, 'PUBLISH topic is not valid UTF-8');
  return null;
}

/** readVarint results that are not lengths. */
export const VARINT_NEED_MORE = -1;
export const VARINT_MALFORMED = -2;

/**
 * Read the remaining length starting at buf[pos], looking no further than `end`. Returns
 * `length * 8 + bytesUsed` (unpack with varintValue / varintLength), or VARINT_NEED_MORE, or
 * VARINT_MALFORMED for a 5th length byte (MQTT allows at most 4).
 */
export function readVarint(buf: Uint8Array, pos: number, end: number): number {
  let value = 0;
  let mult = 1;
  for (let i = 0; i < 4; i++) {
    if (pos + i >= end) return VARINT_NEED_MORE;
    const b = buf[pos + i]!;
    value += (b & 0x7f) * mult;
    if ((b & 0x80) === 0) return value * 8 + i + 1;
    mult *= 128;
  }
  return VARINT_MALFORMED;
}

export function varintValue(packed: number): number {
  return Math.floor(packed / 8);
}

export function varintLength(packed: number): number {
  return packed & 7;
}
