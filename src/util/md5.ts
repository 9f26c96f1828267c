// MD5 (RFC 1321), streaming, for checking Blynk.Air images against `x-md5` when the HAL has no
// native digest. MD5 is no protection against an attacker (TLS is); here it catches corruption.

import { BlockHash } from './block-hash';

const S = Uint8Array.of(7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21);
// Pure arithmetic at load: safe in a preloaded module, whose top-level objects end up read-only.
const T = (() => {
  const t = new Uint32Array(64);
  for (let i = 0; i < 64; i++) t[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 4294967296) >>> 0;
  return t;
})();

export class Md5 extends BlockHash {
  private readonly h = Uint32Array.of(0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476);
  private readonly x = new Uint32Array(16);

  constructor() {
    super(false);
  }

  protected digest(): Uint8Array {
    const out = new Uint8Array(16);
    for (let k = 0; k < 4; k++) {
      const v = this.h[k]!;
      out[4 * k] = v & 255;
      out[4 * k + 1] = (v >>> 8) & 255;
      out[4 * k + 2] = (v >>> 16) & 255;
      out[4 * k + 3] = v >>> 24;
    }
    return out;
  }

  protected compress(): void {
    const t = T;
    const x = this.x;
    const b = this.block;
    for (let i = 0; i < 16; i++) x[i] = b[4 * i]! | (b[4 * i + 1]! << 8) | (b[4 * i + 2]! << 16) | (b[4 * i + 3]! << 24);
    let a = this.h[0]!, bb = this.h[1]!, c = this.h[2]!, d = this.h[3]!;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) (f = (bb & c) | (~bb & d)), (g = i);
      else if (i < 32) (f = (d & bb) | (~d & c)), (g = (5 * i + 1) & 15);
      else if (i < 48) (f = bb ^ c ^ d), (g = (3 * i + 5) & 15);
      else (f = c ^ (bb | ~d)), (g = (7 * i) & 15);
      const s = S[(i >> 4) * 4 + (i & 3)]!;
      const sum = (a + f + t[i]! + x[g]!) | 0;
      const tmp = d;
      d = c;
      c = bb;
      bb = (bb + ((sum << s) | (sum >>> (32 - s)))) | 0;
      a = tmp;
    }
    this.h[0] = this.h[0]! + a;
    this.h[1] = this.h[1]! + bb;
    this.h[2] = this.h[2]! + c;
    this.h[3] = this.h[3]! + d;
  }
}
