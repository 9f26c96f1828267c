// Turns transport bytes into packets, with a fixed receive buffer (C-LIMITS-3).
//
// Bytes are decoded straight from the transport's chunk when a whole packet is in it; only a
// packet cut across chunks is copied into the ring, and only the bytes that packet needs: the
// ring never holds more than the start of one packet. While the fixed header is incomplete it
// takes one byte at a time, so the remaining length is checked against the receive capacity
// as soon as its varint is complete, before any of the body is buffered: an oversize PUBLISH
// is drained (skipped as its bytes arrive) and reported, any other oversize packet is fatal.
//
// A drain is bounded (C-KEEPALIVE-2): a PUBLISH declaring more than `drainLimit` bytes is a
// protocol error, not a drain, so no declared length can make the framer swallow what follows
// it (PINGRESPs included) for hours. `completed` counts whole packets and finished drains: only
// those prove the link alive, never the bytes of a packet still incomplete.
//
// Usage: feed(chunk), then call next() until it returns FRAME_NEED_MORE; only then feed the
// next chunk. The packet (framer.packet, reused) and its payload range stay valid until the
// next call to next() or feed().

import { BlynkError, ErrorCode, err } from '../errors';
import { checkHeader, decodeBody, decodePublish, readVarint, VARINT_MALFORMED, VARINT_NEED_MORE, varintLength, varintValue } from './decode';
import { IncomingPacket, MAX_FIXED_HEADER, PacketType, type QoS } from './packets';
import { Drain } from './drain';
import { Ring } from './ring';
import { TopicCache } from './topics';

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
  // Hot fields first: XS finds a property by walking the object's list, and next() reads these
  // for every packet.
  private src: Uint8Array = EMPTY;
  private pos = 0;
  private end = 0;
  // Nothing in the ring, no drain, not failed: a packet may be decoded on the fast path.
  private quiet = true;
  // A view of the chunk's buffer (one per chunk, not per packet; let go of once the chunk is
  // used up) and the chunk's offset in it: the fast path reads its header as one 32-bit word,
  // and the topic cache compares 8 bytes per read with it.
  private view: DataView | undefined;
  private viewBase = 0;
  // `packet` holds a QoS 0 PUBLISH without DUP or RETAIN from the fast path: only its topic and
  // payload need writing for the next one.
  private plain = false;
  readonly packet = new IncomingPacket();
  private readonly topics = new TopicCache();
  /** Whole packets and finished drains so far (what proves the link alive, C-KEEPALIVE-2). */
  completed = 0;
  /** Largest remaining length accepted: the `rxbuff` advertised to the server. */
  readonly maxRemaining: number;
  readonly ring: Ring;
  error: BlynkError | null = null;
  /** Remaining length of the PUBLISH being dropped. */
  oversizeLength = 0;
  /** Largest remaining length of a PUBLISH that is drained; anything larger is fatal. */
  readonly drainLimit: number;

  private failed = false;
  // The packet being collected in the ring: its header length and total size, 0 while its
  // fixed header is still incomplete.
  private partHeader = 0;
  private partTotal = 0;
  private readonly drain = new Drain();

  constructor(maxRemaining: number, drainLimit = Math.max(16_384, maxRemaining)) {
    this.maxRemaining = maxRemaining;
    this.drainLimit = Math.max(maxRemaining, drainLimit);
    this.ring = new Ring(maxRemaining + MAX_FIXED_HEADER);
  }

  /** Forget everything (a new connection). Keeps the ring's memory. */
  reset(): void {
    this.ring.clear();
    this.forget();
    this.failed = false;
    this.error = null;
    this.partHeader = this.partTotal = 0;
    this.drain.stop();
    this.quiet = true;
  }

  /** Hand over the next chunk. Call only after next() returned FRAME_NEED_MORE. */
  feed(chunk: Uint8Array): void {
    this.src = chunk;
    this.pos = 0;
    this.end = chunk.length;
    this.view = new DataView(chunk.buffer);
    this.viewBase = chunk.byteOffset;
  }

  next(): number {
    if (this.quiet) {
      // The fast path, most of the traffic: a whole QoS 0 PUBLISH (no DUP, no RETAIN) with a
      // one-byte length and a topic the cache has (so already validated), straight from the
      // chunk. Everything else, and any doubt, takes the general path below.
      const src = this.src;
      const pos = this.pos;
      const end = this.end;
      if (pos + 4 <= end) {
        const w = this.view!.getUint32(this.viewBase + pos); // header, length, topic length
        const remaining = (w >>> 16) & 0xff;
        const stop = pos + 2 + remaining;
        const topicEnd = pos + 4 + (w & 0xffff);
        if (w >>> 24 === 0x30 && remaining < 0x80 && stop <= end && remaining <= this.maxRemaining && topicEnd > pos + 4 && topicEnd <= stop) {
          const topic = this.topics.findIn(src, pos + 4, topicEnd, this.view!, this.viewBase);
          if (topic === null) {
            // A topic the cache does not have yet: checked, decoded and cached once, here.
            const e = decodePublish(0x30, src, pos + 2, remaining, this.packet, this.topics, true);
            if (e) return this.fail(e);
            this.plain = true; // header 0x30: decodePublish wrote a plain QoS 0 shape
            this.pos = stop;
            this.completed++;
            return FRAME_PACKET;
          }
          const p = this.packet;
          p.topic = topic;
          p.bytes = src;
          p.payloadStart = topicEnd;
          p.payloadEnd = stop;
          if (!this.plain) {
            p.type = PacketType.PUBLISH;
            p.qos = 0;
            p.id = 0;
            p.dup = p.retain = false;
            this.plain = true;
          }
          this.pos = stop;
          this.completed++;
          return FRAME_PACKET;
        }
      }
    }
    this.plain = false; // the general path may fill `packet` with anything
    const r = this.general();
    this.quiet = !this.failed && this.drain.left === 0 && this.ring.length === 0;
    return r;
  }

  private general(): number {
    if (this.failed) return FRAME_ERROR;
    for (;;) {
      if (this.drain.left > 0) {
        const r = this.dropping();
        if (r !== FRAME_NEED_MORE) return r;
        if (this.drain.left > 0) return this.usedUp();
        this.completed++; // a finished drain is a whole packet too
        continue;
      }
      if (this.pos >= this.end) return this.usedUp();
      const r = this.ring.length === 0 ? this.fromChunk() : this.fromRing();
      if (r !== -1) return r;
    }
  }

  private usedUp(): number {
    this.forget();
    return FRAME_NEED_MORE;
  }

  // Let go of the chunk and every view of it: on a device each read is a fresh buffer, and one
  // kept after it is used up would be RAM held for as long as the link is quiet. The ring's own
  // view stays (the ring is allocated once).
  private forget(): void {
    this.src = EMPTY;
    this.pos = this.end = 0;
    this.view = undefined;
    this.packet.bytes = EMPTY; // the payload range is over
    this.topics.release(this.ring.buf);
  }

  // Decode straight from the chunk (at least one byte left). Returns a status, or -1 to go
  // round again.
  private fromChunk(): number {
    const src = this.src;
    const start = this.pos;
    const end = this.end;
    const header = src[start]!;
    // A PUBLISH at QoS 0 or 1 (most of the traffic) needs no further header check.
    const publish = (header & 0xf4) === 0x30 && (header & 0x0e) !== 0x08;
    if (!publish) {
      const bad = checkHeader(header);
      if (bad) return this.fail(bad);
    }
    // Lengths under 128 (most Blynk packets) take one byte: read it inline.
    let remaining: number;
    let bodyStart: number;
    const b1 = start + 1 < end ? src[start + 1]! : 0x80;
    if (b1 < 0x80) {
      remaining = b1;
      bodyStart = start + 2;
    } else {
      const packed = readVarint(src, start + 1, end);
      if (packed === VARINT_MALFORMED) return this.fail(malformedLength());
      if (packed === VARINT_NEED_MORE) {
        this.ring.write(src, start, end); // under 5 bytes: always fits
        return this.usedUp();
      }
      remaining = varintValue(packed);
      bodyStart = start + 1 + varintLength(packed);
    }
    if (remaining > this.maxRemaining) {
      this.pos = bodyStart;
      return this.oversize(header, remaining);
    }
    if (end - bodyStart < remaining) {
      // Part of a packet: header + body <= capacity, so it fits.
      this.ring.write(src, start, end);
      this.partHeader = bodyStart - start;
      this.partTotal = this.partHeader + remaining;
      return this.usedUp();
    }
    this.pos = bodyStart + remaining;
    const e = publish
      ? decodePublish(header, src, bodyStart, remaining, this.packet, this.topics)
      : decodeBody(header, src, bodyStart, remaining, this.packet, this.topics);
    if (e) return this.fail(e);
    this.completed++;
    return FRAME_PACKET;
  }

  // Add to the packet started in the ring (at least one chunk byte left). Returns a status,
  // or -1 to go round again.
  private fromRing(): number {
    const ring = this.ring;
    const src = this.src;
    let total = this.partTotal;
    if (total === 0) {
      // Complete the fixed header one byte at a time: nothing past it is taken before the
      // length has been checked.
      ring.write(src, this.pos, this.pos + 1);
      this.pos++;
      const have = ring.length;
      let remaining = 0;
      let mult = 1;
      let headerLen = 0;
      for (let i = 1; i < have; i++) {
        const b = ring.at(i);
        remaining += (b & 0x7f) * mult;
        mult *= 128;
        if ((b & 0x80) === 0) {
          headerLen = i + 1;
          break;
        }
      }
      if (headerLen === 0) return have >= MAX_FIXED_HEADER ? this.fail(malformedLength()) : -1;
      if (remaining > this.maxRemaining) {
        const header = ring.at(0);
        ring.clear();
        return this.oversize(header, remaining);
      }
      total = headerLen + remaining;
      this.partHeader = headerLen;
      this.partTotal = total;
    }
    const want = total - ring.length;
    if (want > 0) {
      const n = Math.min(want, this.end - this.pos);
      ring.write(src, this.pos, this.pos + n);
      this.pos += n;
      if (n < want) return -1; // chunk used up
    }
    const at = ring.contiguous(total);
    const header = ring.buf[at]!;
    ring.skip(total); // the bytes stay in place until the ring is written again
    const headerLen = this.partHeader;
    this.partHeader = this.partTotal = 0;
    const e = decodeBody(header, ring.buf, at + headerLen, total - headerLen, this.packet, this.topics);
    if (e) return this.fail(e);
    this.completed++;
    return FRAME_PACKET;
  }

  private oversize(header: number, remaining: number): number {
    if (header >>> 4 !== PacketType.PUBLISH || remaining > this.drainLimit) {
      return this.fail(
        err(ErrorCode.TOO_LARGE, `packet type ${header >>> 4} of ${remaining} bytes is over the ${this.maxRemaining}-byte receive buffer${remaining > this.drainLimit ? ` and the ${this.drainLimit}-byte drain limit` : ''}`, {
          size: remaining,
          limit: this.maxRemaining,
        }),
      );
    }
    this.oversizeLength = remaining;
    this.drain.begin(remaining, ((header >>> 1) & 3) as QoS);
    return FRAME_OVERSIZE;
  }

  // Skip bytes of the PUBLISH being dropped; report its packet id once known.
  private dropping(): number {
    const d = this.drain;
    if (this.pos < this.end) this.pos += d.skip(this.src, this.pos, this.end);
    if (d.idReady) {
      d.idReady = false;
      this.packet.type = PacketType.PUBLISH;
      this.packet.qos = d.qos;
      this.packet.id = d.id;
      return FRAME_OVERSIZE_ID;
    }
    return FRAME_NEED_MORE;
  }

  private fail(e: BlynkError): number {
    this.failed = true;
    this.quiet = this.plain = false;
    this.error = e;
    this.forget();
    return FRAME_ERROR;
  }
}

function malformedLength(): BlynkError {
  return err(ErrorCode.MALFORMED_LENGTH, 'remaining length longer than 4 bytes');
}
