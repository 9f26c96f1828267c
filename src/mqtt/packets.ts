// MQTT 3.1.1 packet types and the shapes the codec reads and writes.

export const PacketType = Object.freeze({
  CONNECT: 1,
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  PUBREC: 5,
  PUBREL: 6,
  PUBCOMP: 7,
  SUBSCRIBE: 8,
  SUBACK: 9,
  UNSUBSCRIBE: 10,
  UNSUBACK: 11,
  PINGREQ: 12,
  PINGRESP: 13,
  DISCONNECT: 14,
} as const);
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

export type QoS = 0 | 1 | 2;

/** The largest remaining length a 4-byte varint can hold. */
export const MAX_REMAINING_LENGTH = 268_435_455;
/** A fixed header is at most 1 type byte + 4 length bytes. */
export const MAX_FIXED_HEADER = 5;

export interface Will {
  topic: string;
  payload: Uint8Array | string;
  qos?: QoS;
  retain?: boolean;
}

export interface ConnectFields {
  clientId: string;
  username?: string;
  password?: string | Uint8Array;
  /** Seconds, 0..65535 (0 turns keepalive off). */
  keepalive: number;
  cleanSession: boolean;
  will?: Will;
}

export interface PublishFields {
  topic: string;
  /** Strings are sent as UTF-8; NUL characters are allowed in payloads. */
  payload: Uint8Array | string;
  qos?: 0 | 1;
  retain?: boolean;
  dup?: boolean;
  /** Required (1..65535) for QoS 1. */
  id?: number;
}

export interface Subscription {
  topic: string;
  qos: QoS;
}

/**
 * A decoded incoming packet. The framer reuses one instance for every packet (no allocation
 * per message): read what you need before asking for the next packet. The payload is
 * `bytes[payloadStart, payloadEnd)`, in the receive buffer or the transport's chunk, valid only
 * until the framer is fed again; `payload` makes a view of it on demand (code on the message
 * path reads the range instead, which allocates nothing).
 */
export class IncomingPacket {
  // PUBLISH fields first: XS finds a property by walking the object's list.
  topic = '';
  bytes: Uint8Array = EMPTY;
  payloadStart = 0;
  payloadEnd = 0;
  type: number = 0;
  qos: QoS = 0;
  retain = false;
  dup = false;
  // CONNACK
  sessionPresent = false;
  returnCode = 0;
  // PUBACK, SUBACK, UNSUBACK, PUBLISH with QoS > 0
  id = 0;
  // SUBACK: granted QoS or 0x80 per requested filter (a new array per SUBACK)
  granted: number[] = NO_CODES;

  /** The payload as a view (a new view per call; copy it to keep it). */
  get payload(): Uint8Array {
    return this.bytes.subarray(this.payloadStart, this.payloadEnd);
  }
}

const EMPTY = new Uint8Array(0);
const NO_CODES: number[] = Object.freeze([]) as unknown as number[];
