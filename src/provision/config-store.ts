// The provisioned configuration in flash: one record, torn-write-safe the way the endpoint
// store is (two slots, A and B; a new record always goes to the slot NOT holding the current
// one, with a sequence number and a CRC, and loading picks the newest slot that checks out).
// The token lives only here (C-SECRETS).
//
// Record: 'B' 'C' | version 1 | seq u32 | flags u8 | last_error u16 | port u16 |
//         ssid, pass, token, host (each: length u8 + UTF-8) | crc32 u32 (of all before)

import type { Storage } from '../../hal/interfaces';
import { crc32 } from '../util/crc32';
import { isWellFormedUtf8, utf8Decode, utf8Encode } from '../util/utf8';
import { LIMITS, type ProvisionConfig } from './config';

const MAGIC0 = 0x42; // 'B'
const MAGIC1 = 0x43; // 'C'
const VERSION = 1;
const HEADER = 12;
export const FLAG_VALID = 0x01; // as Edgent's CONFIG_FLAG_VALID
/** The largest record: header, four length-prefixed fields at their limits, CRC. */
export const MAX_RECORD = HEADER + 4 + LIMITS.ssid + LIMITS.pass + 1 + LIMITS.token + LIMITS.host + 4;

export interface StoredConfig {
  /** Absent in a record that only carries last_error (after a reset or a failure). */
  readonly config: ProvisionConfig | undefined;
  /** Logged in to the cloud with it at least once (or stored with save=1). */
  readonly valid: boolean;
  readonly lastError: number;
  readonly seq: number;
}

const FIELDS = ['ssid', 'pass', 'token', 'host'] as const;

export class ConfigStore {
  private readonly storage: Storage;
  private readonly keys: readonly [string, string];
  private current: (StoredConfig & { slot: 0 | 1 }) | undefined;

  /** `prefix` + ".a" / ".b" must fit the 15-character key limit. */
  constructor(storage: Storage, prefix = 'blynk.cfg') {
    this.storage = storage;
    this.keys = [`${prefix}.a`, `${prefix}.b`];
    this.current = this.load();
  }

  /** The newest intact record, if any. */
  get(): StoredConfig | undefined {
    const c = this.current;
    return c ? { config: c.config, valid: c.valid, lastError: c.lastError, seq: c.seq } : undefined;
  }

  /** Write a whole new record to the other slot. False (the old record still current) if it failed. */
  save(config: ProvisionConfig | undefined, valid: boolean, lastError: number): boolean {
    const parts = FIELDS.map((f) => utf8Encode(config ? String(config[f]) : ''));
    // Limits hold by construction (acceptConfig); a record that would break them is refused, never cut.
    const limits = [LIMITS.ssid, 64, LIMITS.token, LIMITS.host];
    for (let i = 0; i < parts.length; i++) if (parts[i]!.length > limits[i]!) return false;
    let size = HEADER + 4;
    for (const p of parts) size += 1 + p.length;
    const rec = new Uint8Array(size);
    const dv = new DataView(rec.buffer);
    const seq = this.current ? (this.current.seq + 1) >>> 0 : 1;
    rec[0] = MAGIC0;
    rec[1] = MAGIC1;
    rec[2] = VERSION;
    dv.setUint32(3, seq);
    rec[7] = (config && valid ? FLAG_VALID : 0) | (config ? 0x80 : 0);
    dv.setUint16(8, lastError & 0xffff);
    dv.setUint16(10, config ? config.port : 0);
    let pos = HEADER;
    for (const p of parts) {
      rec[pos++] = p.length;
      rec.set(p, pos);
      pos += p.length;
    }
    dv.setUint32(pos, crc32(rec, 0, pos));
    const slot: 0 | 1 = this.current?.slot === 0 ? 1 : 0;
    let ok = false;
    try {
      ok = this.storage.set(this.keys[slot], rec);
    } catch {
      ok = false; // the HAL says set never throws; a broken one must not break config mode
    }
    if (!ok) return false;
    this.current = { config, valid: !!config && valid, lastError: lastError & 0xffff, seq, slot };
    return true;
  }

  private load(): (StoredConfig & { slot: 0 | 1 }) | undefined {
    let best: (StoredConfig & { slot: 0 | 1 }) | undefined;
    for (const slot of [0, 1] as const) {
      const r = this.read(slot);
      // Sequence numbers compared with wrap-around, as in the endpoint store.
      if (r && (!best || ((r.seq - best.seq) | 0) > 0)) best = { ...r, slot };
    }
    return best;
  }

  private read(slot: 0 | 1): StoredConfig | undefined {
    let rec: Uint8Array | undefined;
    try {
      rec = this.storage.get(this.keys[slot]);
    } catch {
      return undefined;
    }
    if (!rec || rec.length < HEADER + 4 + 4 || rec.length > MAX_RECORD) return undefined;
    if (rec[0] !== MAGIC0 || rec[1] !== MAGIC1 || rec[2] !== VERSION) return undefined;
    const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    const end = rec.length - 4;
    if (dv.getUint32(end) !== crc32(rec, 0, end)) return undefined;
    const text: string[] = [];
    let pos = HEADER;
    for (let i = 0; i < FIELDS.length; i++) {
      if (pos >= end) return undefined;
      const n = rec[pos++]!;
      if (pos + n > end || !isWellFormedUtf8(rec, pos, pos + n)) return undefined;
      text.push(utf8Decode(rec, pos, pos + n));
      pos += n;
    }
    if (pos !== end) return undefined;
    const flags = rec[7]!;
    const has = (flags & 0x80) !== 0;
    const config: ProvisionConfig | undefined = has
      ? Object.freeze({ ssid: text[0]!, pass: text[1]!, token: text[2]!, host: text[3]!, port: dv.getUint16(10) })
      : undefined;
    return { config, valid: has && (flags & FLAG_VALID) !== 0, lastError: dv.getUint16(8), seq: dv.getUint32(3) };
  }
}
