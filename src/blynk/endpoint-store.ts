// The redirected endpoint, kept in flash so the next boot connects straight to it
// (C-REDIRECT-3/4). Two slots, A and B, each one whole record with a sequence number and a
// CRC: a new record always goes to the slot NOT holding the current one, so a failed write, a
// torn write or a power cut leaves the previous record valid, and loading picks the newest
// slot that checks out.
//
// Record: 'B' 'E' | version 2 | seq u32 | length u16 | URI | length u16 | server URI | crc32 u32
// (of all before). The server is the configured one the redirect was learned under: the policy
// uses a record only under that same server (C-REDIRECT-7). Version 1 records (no server) are
// ignored: nothing says which configuration they belong to.

import type { Storage } from '../../hal/interfaces';
import { crc32 } from '../util/crc32';
import { utf8Decode, utf8Encode } from '../util/utf8';

const MAGIC0 = 0x42; // 'B'
const MAGIC1 = 0x45; // 'E'
const VERSION = 2;
const HEADER = 9;
const MAX_URI = 512;

export interface EndpointRecord {
  /** The endpoint followed. */
  uri: string;
  /** The configured server it was learned under. */
  server: string;
}

export interface StoredEndpoint extends EndpointRecord {
  seq: number;
}

export class EndpointStore {
  private readonly storage: Storage;
  private readonly keys: readonly [string, string];
  private current: (StoredEndpoint & { slot: 0 | 1 }) | undefined;

  /** `prefix` + ".a" / ".b" must fit the 15-character key limit. */
  constructor(storage: Storage, prefix = 'blynk.ep') {
    this.storage = storage;
    this.keys = [`${prefix}.a`, `${prefix}.b`];
    this.current = this.load();
  }

  /** The stored endpoint URI, if a valid record exists. */
  get(): StoredEndpoint | undefined {
    const c = this.current;
    return c ? { uri: c.uri, server: c.server, seq: c.seq } : undefined;
  }

  /** Write a new record to the other slot. False (and the old record still current) if the write failed. */
  save(record: EndpointRecord): boolean {
    const { uri, server } = record;
    const bytes = utf8Encode(uri);
    const sbytes = utf8Encode(server);
    if (bytes.length > MAX_URI || sbytes.length > MAX_URI) return false;
    const seq = this.current ? (this.current.seq + 1) >>> 0 : 1;
    const slot: 0 | 1 = this.current?.slot === 0 ? 1 : 0;
    const body = HEADER + bytes.length + 2 + sbytes.length;
    const rec = new Uint8Array(body + 4);
    rec[0] = MAGIC0;
    rec[1] = MAGIC1;
    rec[2] = VERSION;
    const dv = new DataView(rec.buffer);
    dv.setUint32(3, seq);
    dv.setUint16(7, bytes.length);
    rec.set(bytes, HEADER);
    dv.setUint16(HEADER + bytes.length, sbytes.length);
    rec.set(sbytes, HEADER + bytes.length + 2);
    dv.setUint32(body, crc32(rec, 0, body));
    let ok = false;
    try {
      ok = this.storage.set(this.keys[slot], rec);
    } catch {
      ok = false; // the HAL says set never throws; a broken one must not break a redirect
    }
    if (!ok) return false;
    this.current = { uri, server, seq, slot };
    return true;
  }

  /** Forget the stored endpoint (both slots). */
  clear(): void {
    for (const k of this.keys) {
      try {
        this.storage.delete(k);
      } catch {
        // best effort
      }
    }
    this.current = undefined;
  }

  private load(): (StoredEndpoint & { slot: 0 | 1 }) | undefined {
    let best: (StoredEndpoint & { slot: 0 | 1 }) | undefined;
    for (const slot of [0, 1] as const) {
      const r = this.read(slot);
      // Sequence numbers compared with wrap-around, so a device that lived through 2^32 redirects still works.
      if (r && (!best || ((r.seq - best.seq) | 0) > 0)) best = { ...r, slot };
    }
    return best;
  }

  private read(slot: 0 | 1): StoredEndpoint | undefined {
    let rec: Uint8Array | undefined;
    try {
      rec = this.storage.get(this.keys[slot]);
    } catch {
      return undefined;
    }
    if (!rec || rec.length < HEADER + 4) return undefined;
    if (rec[0] !== MAGIC0 || rec[1] !== MAGIC1 || rec[2] !== VERSION) return undefined;
    const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    const len = dv.getUint16(7);
    if (rec.length < HEADER + len + 2 + 4) return undefined;
    const slen = dv.getUint16(HEADER + len);
    const body = HEADER + len + 2 + slen;
    if (rec.length !== body + 4) return undefined;
    if (dv.getUint32(body) !== crc32(rec, 0, body)) return undefined;
    return { uri: utf8Decode(rec, HEADER, HEADER + len), server: utf8Decode(rec, HEADER + len + 2, body), seq: dv.getUint32(3) };
  }
}
