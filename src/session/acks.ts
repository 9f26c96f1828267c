// What a broker's acknowledgements must look like (MQTT 3.1.1), checked before the session
// believes them:
// - CONNACK: Session Present is 0 on a clean session [MQTT-3.2.2-1] and with any refusal
//   [MQTT-3.2.2-4]; a code other than 0 is a refusal (failures.ts says which);
// - SUBACK: answers a SUBSCRIBE we sent (its packet id), one code per filter, none above the
//   QoS asked (0x80 is a refusal of that filter).

import { BlynkError, ErrorCode, err } from '../errors';
import type { IncomingPacket } from '../mqtt/packets';
import { connackError } from './failures';

/** Null for an acceptable CONNACK 0, else the error that ends the attempt. */
export function checkConnack(p: IncomingPacket): BlynkError | null {
  if (p.sessionPresent) return err(ErrorCode.PROTOCOL, `CONNACK ${p.returnCode} with Session Present set on a clean session`, { returnCode: p.returnCode });
  return p.returnCode === 0 ? null : connackError(p.returnCode);
}

export interface PendingSubscribe {
  id: number;
  /** The QoS asked, per filter. */
  qos: number[];
}

/** Match a SUBACK to the SUBSCRIBE it answers (removed from `pending`); a PROTOCOL error if it answers none or does not fit. */
export function checkSuback(p: IncomingPacket, pending: PendingSubscribe[]): BlynkError | null {
  const i = pending.findIndex((s) => s.id === p.id);
  if (i < 0) return err(ErrorCode.PROTOCOL, `SUBACK for packet id ${p.id}, which no SUBSCRIBE used`);
  const asked = pending.splice(i, 1)[0]!;
  if (p.granted.length !== asked.qos.length) return err(ErrorCode.PROTOCOL, `SUBACK with ${p.granted.length} codes for ${asked.qos.length} filters`);
  for (let k = 0; k < p.granted.length; k++) {
    const code = p.granted[k]!;
    if (code !== 0x80 && code > asked.qos[k]!) return err(ErrorCode.PROTOCOL, `SUBACK granted QoS ${code} above the ${asked.qos[k]} asked`);
  }
  return null;
}
