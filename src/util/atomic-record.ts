// One record in flash that a failed write, a torn write or a power cut cannot destroy: the
// torn-write-safe scheme every store uses (the redirected endpoint, the provisioned
// configuration). Two slots, A and B, each one whole record with a sequence number and a CRC; a
// new record always goes to the slot NOT holding the current one, so the previous record stays
// valid until the new one is complete, and loading picks the newest slot that checks out
// (sequence numbers compared with wrap-around, so a device that lived through 2^32 writes still
// works).
//
// Slot: magic (2 bytes) | version | seq u32 | body | crc32 u32 (of all before)

import type { Storage } from '../../hal/interfaces';
import { crc32 } from './crc32';

const HEADER = 7;

export class AtomicRecord {
  private readonly storage: Storage;
  // The caller's (frozen, in flash once preloaded) magic and the prefix, not copies: the two key
  // strings are made when the slots are read or written, which is rare.
  private readonly prefix: string;
  private readonly magic: readonly [number, number];
  private readonly version: number;
  private readonly maxBody: number;
  private current: { body: Uint8Array; seq: number; slot: 0 | 1 } | undefined;

  /** `prefix` + ".a" / ".b" must fit the 15-character key limit of Moddable's Preference. */
  constructor(storage: Storage, prefix: string, magic: readonly [number, number], version: number, maxBody: number) {
    this.storage = storage;
    this.prefix = prefix;
    this.magic = magic;
    this.version = version;
    this.maxBody = maxBody;
    this.current = this.load();
  }

  /** The newest intact body (a copy's view: valid until the next save), if any. */
  get body(): Uint8Array | undefined {
    return this.current?.body;
  }

  get seq(): number {
    return this.current?.seq ?? 0;
  }

  /** Write `body` as a new record to the other slot. False (and the old record still current) if it did not fit or the write failed. */
  save(body: Uint8Array): boolean {
    if (body.length > this.maxBody) return false;
    const seq = this.current ? (this.current.seq + 1) >>> 0 : 1;
    const slot: 0 | 1 = this.current?.slot === 0 ? 1 : 0;
    const end = HEADER + body.length;
    const rec = new Uint8Array(end + 4);
    rec[0] = this.magic[0];
    rec[1] = this.magic[1];
    rec[2] = this.version;
    const dv = new DataView(rec.buffer);
    dv.setUint32(3, seq);
    rec.set(body, HEADER);
    dv.setUint32(end, crc32(rec, 0, end));
    let ok = false;
    try {
      ok = this.storage.set(this.key(slot), rec);
    } catch {
      ok = false; // the HAL says set never throws; a broken one must not break the caller
    }
    if (!ok) return false;
    this.current = { body: rec.subarray(HEADER, end), seq, slot };
    return true;
  }

  /** Forget the record (both slots). */
  clear(): void {
    for (const slot of [0, 1] as const) {
      try {
        this.storage.delete(this.key(slot));
      } catch {
        // best effort
      }
    }
    this.current = undefined;
  }

  private key(slot: 0 | 1): string {
    return `${this.prefix}.${slot === 0 ? 'a' : 'b'}`;
  }

  // Both slots read by name, no loop: for-of's iterator and the array are stack and slots on XS,
  // and this runs under the device's constructor (issue 14).
  private load(): { body: Uint8Array; seq: number; slot: 0 | 1 } | undefined {
    const a = this.read(0);
    const b = this.read(1);
    if (b && (!a || ((b.seq - a.seq) | 0) > 0)) return { ...b, slot: 1 }; // B only if newer: a tie keeps A
    return a ? { ...a, slot: 0 } : undefined;
  }

  private read(slot: 0 | 1): { body: Uint8Array; seq: number } | undefined {
    let rec: Uint8Array | undefined;
    try {
      rec = this.storage.get(`${this.prefix}.${slot === 0 ? 'a' : 'b'}`); // key(), inline: a frame fewer
    } catch {
      return undefined;
    }
    if (!rec || rec.length < HEADER + 4 || rec.length > HEADER + this.maxBody + 4) return undefined;
    if (rec[0] !== this.magic[0] || rec[1] !== this.magic[1] || rec[2] !== this.version) return undefined;
    const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    const end = rec.length - 4;
    if (dv.getUint32(end) !== crc32(rec, 0, end)) return undefined;
    return { body: rec.subarray(HEADER, end), seq: dv.getUint32(3) };
  }
}
