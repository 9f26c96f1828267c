// CRC-32 (IEEE 802.3, as zlib), bit by bit: the records it guards are a few dozen bytes, so a
// 1 KiB lookup table would cost more RAM than it saves time.

/** `prev` continues an earlier CRC (zlib's crc32(prev, ...)); 0 starts a new one. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, prev = 0): number {
  let c = (prev ^ 0xffffffff) >>> 0;
  for (let i = start; i < end; i++) {
    c ^= bytes[i]!;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
