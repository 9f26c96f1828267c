// Bytes waiting for room in a Moddable socket. Socket.write is all-or-nothing and throws when the
// data does not fit the free send buffer, so the queue writes at most write() bytes at a time.

/** The socket: write() says how many bytes it takes now; write(bytes) writes bytes known to fit, and may throw (the socket broke). */
export interface Sink {
  write(): number;
  write(bytes: Uint8Array): void;
}

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
   * Sends as much as fits the socket now. Returns true when the queue is empty afterwards.
   * Exceptions from the socket propagate (the caller fails the stream).
   */
  flush(sink: Sink): boolean {
    while (this.chunks.length > 0) {
      const room = sink.write();
      if (!(room > 0)) return false;
      const head = this.chunks[0]!;
      const n = Math.min(room, head.byteLength - this.offset);
      sink.write(this.offset === 0 && n === head.byteLength ? head : head.subarray(this.offset, this.offset + n));
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
 * Only when the queue is empty: otherwise order requires queueing everything. The socket itself
 * is passed, not two closures over it: nothing allocated and two frames fewer per send.
 */
export function sendOrQueue(queue: SendQueue, bytes: Uint8Array, sink: Sink): void {
  if (queue.length > 0) {
    queue.push(bytes);
    queue.flush(sink);
    return;
  }
  let offset = 0;
  while (offset < bytes.byteLength) {
    const room = sink.write();
    if (!(room > 0)) break;
    const n = Math.min(room, bytes.byteLength - offset);
    sink.write(offset === 0 && n === bytes.byteLength ? bytes : bytes.subarray(offset, offset + n));
    offset += n;
  }
  if (offset < bytes.byteLength) queue.push(bytes.subarray(offset));
}
