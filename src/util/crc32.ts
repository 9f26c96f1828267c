// CRC-32 (IEEE 802.3, as zlib), bit by bit: the records it guards are a few dozen bytes, so a
// 1 KiB lookup table would cost more RAM than it saves time.

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) {
    c ^= bytes[i]!;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
