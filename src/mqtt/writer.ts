// Memory the runtime owns for the packets it sends. The transport contract (hal/interfaces.ts,
// Transport.write) says the transport copies what it cannot send at once, so the caller may
// reuse the bytes as soon as write() returns: one buffer can carry every packet in turn, and a
// publish allocates no packet-sized array. Each packet is handed out as an exact view (byteOffset
// 0, byteLength the packet's size): the buffer behind it also holds stale bytes of earlier,
// longer packets, so a transport must write the view, never its `.buffer` (every HAL does).

import { varintSize } from './fields';
import { MAX_FIXED_HEADER } from './packets';
import { DEFAULT_MAX_PACKET } from './size';

export class PacketWriter {
  /** Largest whole packet (fixed header included) this writer holds; larger ones get their own array. */
  readonly capacity: number;
  private buf: Uint8Array;
  // The view handed out last: the next packet of the same size reuses it (same memory, same range).
  private last: Uint8Array | undefined;
  // The topic whose bytes are in the buffer at `topicAt` (from the last packet written), so the
  // next packet to the same topic need not write them again: a device mostly writes the same
  // few datastreams. Costs one string reference.
  private topic: string | undefined;
  private topicAt = 0;
  private topicLen = 0;

  /**
   * `capacity` bounds the memory kept at rest: the buffer starts at `initial` bytes and grows
   * (doubling) to the largest packet written so far, never past `capacity`.
   */
  constructor(capacity: number = DEFAULT_MAX_PACKET + MAX_FIXED_HEADER, initial = 64) {
    this.capacity = capacity;
    this.buf = new Uint8Array(Math.min(initial, capacity));
  }

  /** Bytes held now (grows, never shrinks). */
  get size(): number {
    return this.buf.length;
  }

  /**
   * Room for a packet of `header` and `remaining` bytes, with its fixed header written, or null
   * when the whole packet is over `capacity` (the caller allocates it).
   */
  start(header: number, remaining: number): Uint8Array | null {
    const total = 1 + varintSize(remaining) + remaining;
    if (total > this.capacity) return null;
    let b = this.buf;
    if (total > b.length) {
      b = this.buf = new Uint8Array(Math.min(this.capacity, Math.max(total, 2 * b.length)));
      this.last = undefined;
      this.topic = undefined;
    }
    b[0] = header;
    let n = remaining;
    let i = 1;
    do {
      let x = n & 0x7f;
      n >>>= 7;
      if (n > 0) x |= 0x80;
      b[i++] = x;
    } while (n > 0);
    return b;
  }

  /** The byte length of `topic` if its bytes are in the buffer from the last packet, else -1. */
  topicLength(topic: string): number {
    return topic === this.topic ? this.topicLen : -1;
  }

  /** True if the bytes of `topic` are in the buffer at `at` (the caller need not write them). */
  hasTopicAt(topic: string, at: number): boolean {
    return topic === this.topic && at === this.topicAt;
  }

  /** The topic's bytes are about to be overwritten (forget), or were just written at `at` (note). */
  noteTopic(topic: string | undefined, at: number, length: number): void {
    this.topic = topic;
    this.topicAt = at;
    this.topicLen = length;
  }

  /** The packet just written by `start()`'s caller: the first `total` bytes, as an exact view. */
  finish(total: number): Uint8Array {
    if (this.last === undefined || this.last.length !== total) this.last = this.buf.subarray(0, total);
    return this.last;
  }
}
