// The provisioned configuration in flash: one atomic record (util/atomic-record.ts, the same
// torn-write-safe scheme as the endpoint store). The token lives only here (C-SECRETS).
//
// Body (version 1): flags u8 | last_error u16 | port u16 | ssid, pass, token, host (each:
// length u8 + UTF-8)

import type { Storage } from '../../hal/interfaces';
import { AtomicRecord } from '../util/atomic-record';
import { isWellFormedUtf8, utf8Decode, utf8Encode } from '../util/utf8';
import { LIMITS, type ProvisionConfig } from './config';

const MAGIC: readonly [number, number] = Object.freeze([0x42, 0x43] as const); // 'B' 'C'
const VERSION = 1;
const HEADER = 12; // the atomic record's 7 bytes, then flags, last_error and port
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
  private readonly record: AtomicRecord;
  private current: StoredConfig | undefined;

  /** `prefix` + ".a" / ".b" must fit the 15-character key limit. */
  constructor(storage: Storage, prefix = 'blynk.cfg') {
    this.record = new AtomicRecord(storage, prefix, MAGIC, VERSION, MAX_RECORD - 7 - 4);
    this.current = this.parse();
  }

  /** The newest intact record, if any. */
  get(): StoredConfig | undefined {
    const c = this.current;
    return c ? { config: c.config, valid: c.valid, lastError: c.lastError, seq: c.seq } : undefined;
  }

  /** Write a whole new record. False (the old record still current) if it failed. */
  save(config: ProvisionConfig | undefined, valid: boolean, lastError: number): boolean {
    const parts = FIELDS.map((f) => utf8Encode(config ? String(config[f]) : ''));
    // Limits hold by construction (acceptConfig); a record that would break them is refused, never cut.
    const limits = [LIMITS.ssid, 64, LIMITS.token, LIMITS.host];
    for (let i = 0; i < parts.length; i++) if (parts[i]!.length > limits[i]!) return false;
    let size = 5;
    for (const p of parts) size += 1 + p.length;
    const b = new Uint8Array(size);
    const dv = new DataView(b.buffer);
    b[0] = (config && valid ? FLAG_VALID : 0) | (config ? 0x80 : 0);
    dv.setUint16(1, lastError & 0xffff);
    dv.setUint16(3, config ? config.port : 0);
    let pos = 5;
    for (const p of parts) {
      b[pos++] = p.length;
      b.set(p, pos);
      pos += p.length;
    }
    if (!this.record.save(b)) return false;
    this.current = { config, valid: !!config && valid, lastError: lastError & 0xffff, seq: this.record.seq };
    return true;
  }

  private parse(): StoredConfig | undefined {
    const b = this.record.body;
    if (!b || b.length < 5 + 4) return undefined;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const text: string[] = [];
    let pos = 5;
    for (let i = 0; i < FIELDS.length; i++) {
      if (pos >= b.length) return undefined;
      const n = b[pos++]!;
      if (pos + n > b.length || !isWellFormedUtf8(b, pos, pos + n)) return undefined;
      text.push(utf8Decode(b, pos, pos + n));
      pos += n;
    }
    if (pos !== b.length) return undefined;
    const flags = b[0]!;
    const has = (flags & 0x80) !== 0;
    const config: ProvisionConfig | undefined = has
      ? Object.freeze({ ssid: text[0]!, pass: text[1]!, token: text[2]!, host: text[3]!, port: dv.getUint16(3) })
      : undefined;
    return { config, valid: has && (flags & FLAG_VALID) !== 0, lastError: dv.getUint16(1), seq: this.record.seq };
  }
}
