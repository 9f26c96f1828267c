// What MD5 and SHA-256 share: 64-byte blocks filled from a stream, and the final padding
// (0x80, zeros, the bit length in the last 8 bytes). Subclasses compress a block and say in
// which byte order the length goes.

export abstract class BlockHash {
  protected readonly block = new Uint8Array(64);
  private used = 0;
  private total = 0;

  constructor(private readonly bigEndianLength: boolean) {}

  update(data: Uint8Array): void {
    let i = 0;
    this.total += data.length;
    while (i < data.length) {
      const n = Math.min(64 - this.used, data.length - i);
      this.block.set(data.subarray(i, i + n), this.used);
      this.used += n;
      i += n;
      if (this.used === 64) {
        this.compress();
        this.used = 0;
      }
    }
  }

  finish(): Uint8Array {
    const bits = this.total * 8;
    this.block[this.used++] = 0x80;
    if (this.used > 56) {
      this.block.fill(0, this.used);
      this.compress();
      this.used = 0;
    }
    this.block.fill(0, this.used, 56);
    const hi = Math.floor(bits / 4294967296);
    const lo = bits >>> 0;
    for (let k = 0; k < 4; k++) {
      if (this.bigEndianLength) {
        this.block[56 + k] = (hi >>> (24 - 8 * k)) & 255;
        this.block[60 + k] = (lo >>> (24 - 8 * k)) & 255;
      } else {
        this.block[56 + k] = (lo >>> (8 * k)) & 255;
        this.block[60 + k] = (hi >>> (8 * k)) & 255;
      }
    }
    this.compress();
    return this.digest();
  }

  /** Mix `this.block` into the state. */
  protected abstract compress(): void;
  /** The state as the digest bytes. */
  protected abstract digest(): Uint8Array;
}
