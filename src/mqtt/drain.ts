// Dropping an oversize PUBLISH as its bytes arrive, never buffering them (C-LIMITS-3, the
// framer's part). Only its first bytes are looked at: the topic length, then the packet id after
// the topic, so a QoS 1 message can still be acknowledged.

import type { QoS } from './packets';

export class Drain {
  /** Bytes of the body still to skip (0: no drain running). */
  left = 0;
  qos: QoS = 0;
  /** The packet id, once `idReady`. */
  id = 0;
  /** The id was just learnt (read it, then clear this). */
  idReady = false;
  private pos = 0;
  private topicLen = 0;

  begin(remaining: number, qos: QoS): void {
    this.left = remaining;
    this.qos = qos;
    this.pos = this.topicLen = this.id = 0;
    this.idReady = false;
  }

  stop(): void {
    this.left = 0;
    this.idReady = false;
  }

  /** Skip what of `src[from, to)` belongs to the dropped body; returns the bytes taken. */
  skip(src: Uint8Array, from: number, to: number): number {
    const n = Math.min(to - from, this.left);
    let i = 0;
    if (this.qos > 0) {
      while (i < n && (this.pos < 2 || this.pos < this.topicLen + 4)) this.see(src[from + i++]!);
    }
    this.pos += n - i;
    this.left -= n;
    return n;
  }

  // Bytes 0-1 are the topic length, and the two bytes after the topic are the packet id.
  private see(b: number): void {
    const p = this.pos++;
    if (p === 0) this.topicLen = b << 8;
    else if (p === 1) this.topicLen |= b;
    else if (p === this.topicLen + 2) this.id = b << 8;
    else if (p === this.topicLen + 3) {
      this.id |= b;
      this.idReady = this.id !== 0;
    }
  }
}
