// Bytes waiting for room in a Moddable socket. Socket.write is all-or-nothing and throws when the
// data does not fit the free send buffer, so the queue writes at most write() bytes at a time.

/** Writes bytes that are known to fit; may throw (the socket broke). */
export type SinkWrite = (bytes: Uint8Array) => void;

export class SendQueue {
  private readonly chunks: Uint8Array[] = [];
  private offset = 0; // into chunks[0]
  private size = 0;

  get length(): number {
    return this.size;
  }

  /** Keeps a private copy of `bytes` (the caller may reuse them). */
  push(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    this.chunks.push(bytes.slice());
    this.size += bytes.byteLength;
  }

  /**
   * Sends as much as fits: `free()` says how much the socket takes now. Returns true when the
   * queue is empty afterwards. Exceptions from the socket propagate (the caller fails the stream).
   */
  flush(free: () => number, write: SinkWrite): boolean {
    while (this.chunks.length > 0) {
      const room = free();
      if (!(room > 0)) return false;
      const head = this.chunks[0]!;
      const n = Math.min(room, head.byteLength - this.offset);
      write(this.offset === 0 && n === head.byteLength ? head : head.subarray(this.offset, this.offset + n));
      this.offset += n;
      this.size -= n;
      if (this.offset === head.byteLength) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    return true;
  }

  clear(): void {
    this.chunks.length = 0;
    this.offset = 0;
    this.size = 0;
  }
}

/**
 * Writes `bytes` straight to the socket as far as they fit (no copy), and queues the rest.
 * Only when the queue is empty: otherwise order requires queueing everything.
 */
export function sendOrQueue(queue: SendQueue, bytes: Uint8Array, free: () => number, write: SinkWrite): void {
  if (queue.length > 0) {
    queue.push(bytes);
    queue.flush(free, write);
    return;
  }
  let offset = 0;
  while (offset < bytes.byteLength) {
    const room = free();
    if (!(room > 0)) break;
    const n = Math.min(room, bytes.byteLength - offset);
    write(offset === 0 && n === bytes.byteLength ? bytes : bytes.subarray(offset, offset + n));
    offset += n;
  }
  if (offset < bytes.byteLength) queue.push(bytes.subarray(offset));
}
