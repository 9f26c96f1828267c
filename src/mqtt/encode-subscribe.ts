// The SUBSCRIBE encoder (split from encode.ts for size). The runtime never unsubscribes, so there is no UNSUBSCRIBE encoder.

import { BlynkError, ErrorCode, err } from '../errors';
import { alloc, bodyStart, isPacketId, isQoS, prepareString, preparedLength, writeField, writeU16, type Prepared } from './fields';
import { PacketType, type Subscription } from './packets';
import { DEFAULT_MAX_PACKET, checkSize, filtersRemainingLength } from './size';

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
