// Turns transport bytes into packets, with a fixed receive buffer (C-LIMITS-3).
//
// Bytes are decoded straight from the transport's chunk when a whole packet is in it; only a
// packet cut across chunks is copied into the ring. The remaining length is checked against
// the receive capacity as soon as its varint is complete, before anything of the body is
// buffered: an oversize PUBLISH is drained (skipped as its bytes arrive) and reported, any
// other oversize packet is a fatal error.
//
// Usage: feed(chunk), then call next() until it returns FRAME_NEED_MORE; only then feed the
// next chunk. The packet (framer.packet, reused) and its payload view stay valid until the
// next call to next() or feed().

import { BlynkError, ErrorCode, err } from '../errors';
import { checkHeader, decodeBody, readVarint, VARINT_MALFORMED, VARINT_NEED_MORE, varintLength, varintValue } from './decode';
import { IncomingPacket, MAX_FIXED_HEADER, PacketType, type QoS } from './packets';
import { Ring } from './ring';

/** next(): the chunk is used up; feed more. */
export const FRAME_NEED_MORE = 0;
/** next(): a packet is in `framer.packet`. */
export const FRAME_PACKET = 1;
/** next(): an oversize PUBLISH is being dropped; its size is in `oversizeLength`. */
export const FRAME_OVERSIZE = 2;
/** next(): the dropped PUBLISH had QoS > 0 and its packet id (in `packet.id`, `packet.qos`) is now known, so it can be acknowledged. */
export const FRAME_OVERSIZE_ID = 3;
/** next(): fatal; the error is in `framer.error`. The framer stays failed until reset(). */
export const FRAME_ERROR = 4;

const EMPTY = new Uint8Array(0);

export class Framer {
  /** Largest remaining length accepted: the `rxbuff` advertised to the server. */
  readonly maxRemaining: number;
  readonly ring: Ring;
  readonly packet = new IncomingPacket();
  error: BlynkError | null = null;
  /** Remaining length of the PUBLISH being dropped. */
  oversizeLength = 0;

  private src: Uint8Array = EMPTY;
  private pos = 0;
  private end = 0;
  private failed = false;
  // Draining an oversize PUBLISH: bytes of its body still to skip, how many were skipped, and
  // what was learnt on the way (topic length, packet id) so a QoS 1 message can still be acked.
  private drainLeft = 0;
  private drainPos = 0;
  private drainQos: QoS = 0;
  private drainTopicLen = 0;
  private drainId = 0;
  private drainIdReady = false;

  constructor(maxRemaining: number) {
    this.maxRemaining = maxRemaining;
    this.ring = new Ring(maxRemaining + MAX_FIXED_HEADER);
  }

  /** Forget everything (a new connection). Keeps the ring's memory. */
  reset(): void {
    this.ring.clear();
    this.src = EMPTY;
    this.pos = this.end = 0;
    this.failed = false;
    this.error = null;
    this.drainLeft = 0;
  }

  /** Hand over the next chunk. Call only after next() returned FRAME_NEED_MORE. */
  feed(chunk: Uint8Array): void {
    this.src = chunk;
    this.pos = 0;
    this.end = chunk.length;
  }

  /** True while bytes of the fed chunk are still to be processed. */
  get pending(): boolean {
    return this.pos < this.end;
  }

  next(): number {
    if (this.failed) return FRAME_ERROR;
    for (;;) {
      if (this.drainLeft > 0) {
        const r = this.drain();
        if (r !== FRAME_NEED_MORE) return r;
        if (this.drainLeft > 0) return FRAME_NEED_MORE;
        continue;
      }
      if (this.ring.length === 0) {
        if (this.pos >= this.end) {
          this.src = EMPTY; // do not keep the transport's memory alive
          return FRAME_NEED_MORE;
        }
        const r = this.fromChunk();
        if (r !== -1) return r;
      } else {
        if (this.pos < this.end) this.pos += this.ring.write(this.src, this.pos, this.end);
        const r = this.fromRing();
        if (r !== -1) return r;
      }
    }
  }

  // Decode straight from the chunk. Returns a status, or -1 to go round again.
  private fromChunk(): number {
    const src = this.src;
    const start = this.pos;
    const header = src[start]!;
    const bad = checkHeader(header);
    if (bad) return this.fail(bad);
    const packed = readVarint(src, start + 1, this.end);
    if (packed === VARINT_MALFORMED) return this.fail(malformedLength());
    if (packed === VARINT_NEED_MORE) {
      this.pos += this.ring.write(src, start, this.end); // under 5 bytes: always fits
      return FRAME_NEED_MORE;
    }
    const remaining = varintValue(packed);
    const bodyStart = start + 1 + varintLength(packed);
    if (remaining > this.maxRemaining) {
      this.pos = bodyStart;
      return this.oversize(header, remaining);
    }
    if (this.end - bodyStart < remaining) {
      this.pos += this.ring.write(src, start, this.end); // header + body <= capacity: fits
      return FRAME_NEED_MORE;
    }
    this.pos = bodyStart + remaining;
    const e = decodeBody(header, src, bodyStart, remaining, this.packet);
    return e ? this.fail(e) : FRAME_PACKET;
  }

  // Decode from the ring. Returns a status, or -1 to go round again.
  private fromRing(): number {
    const ring = this.ring;
    const have = ring.length;
    const header = ring.at(0);
    const bad = checkHeader(header);
    if (bad) return this.fail(bad);
    let remaining = 0;
    let mult = 1;
    let headerLen = 0;
    for (let i = 1; i <= 4; i++) {
      if (i >= have) return this.needMore();
      const b = ring.at(i);
      remaining += (b & 0x7f) * mult;
      mult *= 128;
      if ((b & 0x80) === 0) {
        headerLen = i + 1;
        break;
      }
    }
    if (headerLen === 0) return this.fail(malformedLength());
    if (remaining > this.maxRemaining) {
      ring.skip(headerLen);
      return this.oversize(header, remaining);
    }
    const total = headerLen + remaining;
    if (have < total) return this.needMore();
    const at = ring.contiguous(total);
    ring.skip(total); // the bytes stay in place until the ring is written again
    const e = decodeBody(header, ring.buf, at + headerLen, remaining, this.packet);
    return e ? this.fail(e) : FRAME_PACKET;
  }

  private needMore(): number {
    // The ring holds part of one packet; it was topped up with all that fits, so if the chunk
    // still has bytes the packet would have been complete. Go round only if it has none.
    return this.pos < this.end ? -1 : FRAME_NEED_MORE;
  }

  private oversize(header: number, remaining: number): number {
    if (header >>> 4 !== PacketType.PUBLISH) {
      return this.fail(
        err(ErrorCode.TOO_LARGE, `packet type ${header >>> 4} of ${remaining} bytes is over the ${this.maxRemaining}-byte receive buffer`, {
          size: remaining,
          limit: this.maxRemaining,
        }),
      );
    }
    this.oversizeLength = remaining;
    this.drainLeft = remaining;
    this.drainPos = 0;
    this.drainQos = ((header >>> 1) & 3) as QoS;
    this.drainTopicLen = 0;
    this.drainId = 0;
    this.drainIdReady = false;
    return FRAME_OVERSIZE;
  }

  // Skip bytes of the PUBLISH being dropped, first from the ring, then from the chunk.
  private drain(): number {
    const ring = this.ring;
    if (ring.length > 0) {
      const n = Math.min(ring.length, this.drainLeft);
      if (this.drainQos > 0) for (let i = 0; i < n; i++) this.drainSee(ring.at(i));
      else this.drainPos += n;
      ring.skip(n);
      this.drainLeft -= n;
    }
    if (this.drainLeft > 0 && this.pos < this.end) {
      const n = Math.min(this.end - this.pos, this.drainLeft);
      if (this.drainQos > 0) for (let i = 0; i < n; i++) this.drainSee(this.src[this.pos + i]!);
      else this.drainPos += n;
      this.pos += n;
      this.drainLeft -= n;
    }
    if (this.drainIdReady) {
      this.drainIdReady = false;
      this.packet.type = PacketType.PUBLISH;
      this.packet.qos = this.drainQos;
      this.packet.id = this.drainId;
      return FRAME_OVERSIZE_ID;
    }
    return FRAME_NEED_MORE;
  }

  // Look at one byte of the dropped body: bytes 0-1 are the topic length, and the two bytes
  // after the topic are the packet id.
  private drainSee(b: number): void {
    const p = this.drainPos++;
    if (p === 0) this.drainTopicLen = b << 8;
    else if (p === 1) this.drainTopicLen |= b;
    else if (p === this.drainTopicLen + 2) this.drainId = b << 8;
    else if (p === this.drainTopicLen + 3) {
      this.drainId |= b;
      this.drainIdReady = this.drainId !== 0;
    }
  }

  private fail(e: BlynkError): number {
    this.failed = true;
    this.error = e;
    this.src = EMPTY;
    this.pos = this.end = 0;
    return FRAME_ERROR;
  }
}

function malformedLength(): BlynkError {
  return err(ErrorCode.MALFORMED_LENGTH, 'remaining length longer than 4 bytes');
}
