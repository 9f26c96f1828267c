// The outgoing size check (C-LIMITS-1/2). The limit counts the remaining length (variable
// header + payload), not the fixed header, and is checked before anything is encoded or
// allocated: an oversize message is refused locally and nothing is sent.

import { BlynkError, ErrorCode, err } from '../errors';
import { utf8Length } from '../util/utf8';
import type { PublishFields, QoS } from './packets';

/** Blynk.Cloud's packet limit (White Label / Enterprise servers may allow more). */
export const DEFAULT_MAX_PACKET = 1024;

/** Remaining length (variable header + payload) of a PUBLISH: what C-LIMITS counts. */
export function publishRemainingLength(topicBytes: number, payloadBytes: number, qos: QoS): number {
  return 2 + topicBytes + (qos > 0 ? 2 : 0) + payloadBytes;
}

/** Remaining length of a CONNECT; -1 for fields that are absent. */
export function connectRemainingLength(
  clientIdBytes: number,
  willTopicBytes: number,
  willPayloadBytes: number,
  usernameBytes: number,
  passwordBytes: number,
): number {
  let n = 10 + 2 + clientIdBytes; // protocol name, level, flags, keepalive; client id
  if (willTopicBytes >= 0) n += 4 + willTopicBytes + willPayloadBytes;
  if (usernameBytes >= 0) n += 2 + usernameBytes;
  if (passwordBytes >= 0) n += 2 + passwordBytes;
  return n;
}

/** Remaining length of a SUBSCRIBE (with QoS bytes) or an UNSUBSCRIBE, from the filters' byte lengths. */
export function filtersRemainingLength(filterBytes: readonly number[], withQos: boolean): number {
  let n = 2;
  for (const b of filterBytes) n += 2 + b + (withQos ? 1 : 0);
  return n;
}

/**
 * The TOO_LARGE error for `size` bytes over `limit`, or null if it fits. The message and the
 * detail name both numbers (C-LIMITS-2).
 */
export function checkSize(size: number, limit: number = DEFAULT_MAX_PACKET, what = 'packet'): BlynkError | null {
  if (size <= limit) return null;
  return err(ErrorCode.TOO_LARGE, `${what} of ${size} bytes is over the ${limit}-byte limit`, { size, limit });
}

/**
 * The remaining length a PUBLISH of these fields would have, counted without encoding
 * (strings are measured as UTF-8). For callers that want to check before building anything.
 */
export function publishSize(f: PublishFields): number {
  const topic = utf8Length(f.topic);
  const payload = typeof f.payload === 'string' ? utf8Length(f.payload) : f.payload.length;
  return publishRemainingLength(topic, payload, f.qos ?? 0);
}

/** TOO_LARGE if a PUBLISH of these fields would be over `limit`, else null (C-LIMITS-2). */
export function checkPublishSize(f: PublishFields, limit: number = DEFAULT_MAX_PACKET): BlynkError | null {
  return checkSize(publishSize(f), limit, 'message');
}
