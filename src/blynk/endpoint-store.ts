// The redirected endpoint, kept in flash so the next boot connects straight to it
// (C-REDIRECT-3/4), as one atomic record (util/atomic-record.ts: two slots, sequence numbers,
// CRC), so a failed write, a torn write or a power cut leaves the previous record valid.
//
// Body (version 2): length u16 | URI | length u16 | server URI. The server is the configured one
// the redirect was learned under: the policy uses a record only under that same server
// (C-REDIRECT-7). Version 1 records (no server) are ignored: nothing says which configuration
// they belong to.

import type { Storage } from '../../hal/interfaces';
import { AtomicRecord } from '../util/atomic-record';
import { utf8Decode, utf8Encode } from '../util/utf8';

const MAGIC: readonly [number, number] = Object.freeze([0x42, 0x45] as const); // 'B' 'E'
const VERSION = 2;
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
  private readonly record: AtomicRecord;
  private current: StoredEndpoint | undefined;

  /** `prefix` + ".a" / ".b" must fit the 15-character key limit. */
  constructor(storage: Storage, prefix = 'blynk.ep') {
    this.record = new AtomicRecord(storage, prefix, MAGIC, VERSION, 2 + MAX_URI + 2 + MAX_URI);
    this.current = this.parse();
  }

  /** The stored record, if a valid one exists. */
  get(): StoredEndpoint | undefined {
    return this.current ? { ...this.current } : undefined;
  }

  /** Write a new record. False (and the old record still current) if the write failed. */
  save(rec: EndpointRecord): boolean {
    const u = utf8Encode(rec.uri);
    const s = utf8Encode(rec.server);
    if (u.length > MAX_URI || s.length > MAX_URI) return false;
    const body = new Uint8Array(2 + u.length + 2 + s.length);
    const dv = new DataView(body.buffer);
    dv.setUint16(0, u.length);
    body.set(u, 2);
    dv.setUint16(2 + u.length, s.length);
    body.set(s, 4 + u.length);
    if (!this.record.save(body)) return false;
    this.current = { uri: rec.uri, server: rec.server, seq: this.record.seq };
    return true;
  }

  /** Forget the stored endpoint (both slots). */
  clear(): void {
    this.record.clear();
    this.current = undefined;
  }

  private parse(): StoredEndpoint | undefined {
    const b = this.record.body;
    if (!b || b.length < 4) return undefined;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const ulen = dv.getUint16(0);
    if (b.length < 2 + ulen + 2) return undefined;
    const slen = dv.getUint16(2 + ulen);
    if (b.length !== 4 + ulen + slen) return undefined;
    return { uri: utf8Decode(b, 2, 2 + ulen), server: utf8Decode(b, 4 + ulen, 4 + ulen + slen), seq: this.record.seq };
  }
}
