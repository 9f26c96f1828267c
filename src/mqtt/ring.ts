// A fixed-capacity byte ring buffer, allocated once. It never grows: a write that does not fit
// takes what fits and says how much.

export class Ring {
  readonly capacity: number;
  /** The storage itself; contiguous() tells where a run of bytes starts in it. */
  readonly buf: Uint8Array;
  private head = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('ring capacity must be a positive integer');
    this.capacity = capacity;
    this.buf = new Uint8Array(capacity);
  }

  /** Bytes held. */
  get length(): number {
    return this.count;
  }

  /** Room left. */
  get free(): number {
    return this.capacity - this.count;
  }

  /** Copy `src[start, end)` in, as much as fits. Returns the number of bytes taken. */
  write(src: Uint8Array, start: number, end: number): number {
    const n = Math.min(end - start, this.capacity - this.count);
    if (n <= 0) return 0;
    let tail = this.head + this.count;
    if (tail >= this.capacity) tail -= this.capacity;
    const first = Math.min(n, this.capacity - tail);
    copy(this.buf, tail, src, start, first);
    if (first < n) copy(this.buf, 0, src, start + first, n - first);
    this.count += n;
    return n;
  }

  /** The byte `offset` bytes after the oldest one (offset < length). */
  at(offset: number): number {
    let i = this.head + offset;
    if (i >= this.capacity) i -= this.capacity;
    return this.buf[i]!;
  }

  /** Drop the oldest `n` bytes (n <= length). */
  skip(n: number): void {
    if (n >= this.count) {
      this.head = 0; // empty: restart at 0 so the next packet is contiguous
      this.count = 0;
      return;
    }
    this.head += n;
    if (this.head >= this.capacity) this.head -= this.capacity;
    this.count -= n;
  }

  /**
   * Make the oldest `n` bytes contiguous in `buf` and return where they start. A run that
   * straddles the end is fixed by rotating the storage in place (three reversals): no
   * allocation, and only when a packet really wraps.
   */
  contiguous(n: number): number {
    if (this.head + n <= this.capacity) return this.head;
    const b = this.buf;
    reverse(b, 0, this.head);
    reverse(b, this.head, this.capacity);
    reverse(b, 0, this.capacity);
    this.head = 0;
    return 0;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }
}

function reverse(b: Uint8Array, from: number, to: number): void {
  for (let i = from, j = to - 1; i < j; i++, j--) {
    const t = b[i]!;
    b[i] = b[j]!;
    b[j] = t;
  }
}

// Short runs (a packet's first bytes) are copied byte by byte: set(subarray()) makes a view
// object per call, an allocation per split packet on XS. Long runs are worth the view.
function copy(dst: Uint8Array, at: number, src: Uint8Array, from: number, n: number): void {
  if (n > 64) {
    dst.set(src.subarray(from, from + n), at);
    return;
  }
  for (let i = 0; i < n; i++) dst[at + i] = src[from + i]!;
}
