// Netstrings (`<decimal length>:<bytes>,`), the framing xsnap-worker speaks on fd 3 and fd 4.

/** One netstring holding the concatenation of `parts`. */
export function encodeNetstring(...parts: Uint8Array[]): Buffer {
  let n = 0;
  for (const p of parts) n += p.byteLength;
  const head = Buffer.from(`${n}:`, 'latin1');
  const out = Buffer.allocUnsafe(head.length + n + 1);
  head.copy(out, 0);
  let pos = head.length;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.byteLength;
  }
  out[pos] = 0x2c; // ','
  return out;
}

/** Cuts a byte stream into netstring payloads, however the stream is chunked. */
export class NetstringReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly onMessage: (payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const colon = this.buf.indexOf(0x3a);
      if (colon < 0) {
        if (this.buf.length > 20) throw new Error('netstring: no length prefix');
        return;
      }
      const text = this.buf.toString('latin1', 0, colon);
      if (!/^\d+$/.test(text)) throw new Error(`netstring: bad length ${JSON.stringify(text.slice(0, 20))}`);
      const n = Number(text);
      const end = colon + 1 + n;
      if (this.buf.length < end + 1) return;
      if (this.buf[end] !== 0x2c) throw new Error('netstring: missing trailing comma');
      const payload = this.buf.subarray(colon + 1, end);
      this.buf = this.buf.subarray(end + 1);
      this.onMessage(payload);
    }
  }
}
