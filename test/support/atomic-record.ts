// One AtomicRecord slot as it lies in flash (src/util/atomic-record.ts): magic (2 bytes) |
// version | seq u32 | body | crc32 u32 of all before. Written here from the format, not with
// the code under test, for the tests that hand-craft slots.
import { crc32 } from '../../src/util/crc32';

export function slotRecord(seq: number, body: readonly number[], magic: readonly number[], version: number): Uint8Array {
  const rec = new Uint8Array(7 + body.length + 4);
  rec[0] = magic[0]!;
  rec[1] = magic[1]!;
  rec[2] = version;
  const dv = new DataView(rec.buffer);
  dv.setUint32(3, seq >>> 0);
  rec.set(body, 7);
  dv.setUint32(7 + body.length, crc32(rec, 0, 7 + body.length));
  return rec;
}
