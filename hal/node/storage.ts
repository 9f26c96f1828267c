// Persistent records: one file per key in a directory, replaced atomically (temp file, fsync,
// rename), with the ESP32 NVS limits. A memory variant with the same rules serves when no
// directory is configured.
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { Log, Storage } from '../interfaces';

export const MAX_KEY_LENGTH = 15;
export const MAX_VALUE_BYTES = 4000;
const KEY = /^[A-Za-z0-9_.-]{1,15}$/;

export function validKey(key: unknown): key is string {
  return typeof key === 'string' && KEY.test(key);
}

export function validValue(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.byteLength <= MAX_VALUE_BYTES;
}

/** A plain Uint8Array with its own ArrayBuffer: small reads come from Node's shared pool. */
function plain(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer);
}

function code(error: unknown): string | undefined {
  const c = (error as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

// File names are hex: keys like "." or "..", and keys differing only in case (NVS keys are
// case-sensitive, some file systems are not) stay distinct and harmless.
const RECORD = /^r-([0-9a-f]+)\.rec$/;
const TEMP = /^t-[0-9a-f]+\.tmp$/;

export class FileStorage implements Storage {
  constructor(
    readonly dir: string,
    protected readonly log: Log,
  ) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      // Temp files are what a crash between write and rename leaves behind: never valid data.
      for (const name of fs.readdirSync(dir)) if (TEMP.test(name)) fs.rmSync(join(dir, name), { force: true });
    } catch (error) {
      log.write('warn', `storage: cannot prepare ${dir}: ${String(error)}`);
    }
  }

  get(key: string): Uint8Array | undefined {
    if (!validKey(key)) return undefined;
    try {
      return plain(fs.readFileSync(this.recordPath(key)));
    } catch (error) {
      if (code(error) !== 'ENOENT') this.log.write('warn', `storage: cannot read ${key}: ${String(error)}`);
      return undefined;
    }
  }

  set(key: string, value: Uint8Array): boolean {
    if (!validKey(key) || !validValue(value)) return false;
    const temp = this.tempPath(key);
    try {
      const fd = fs.openSync(temp, 'w', 0o600);
      try {
        let done = 0;
        while (done < value.byteLength) done += fs.writeSync(fd, value, done, value.byteLength - done);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      this.replace(temp, this.recordPath(key));
    } catch (error) {
      this.log.write('warn', `storage: cannot write ${key}: ${String(error)}`);
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // Left behind; the next start removes it.
      }
      return false;
    }
    this.syncDir();
    return true;
  }

  delete(key: string): void {
    if (!validKey(key)) return;
    try {
      fs.rmSync(this.recordPath(key), { force: true });
      this.syncDir();
    } catch (error) {
      this.log.write('warn', `storage: cannot delete ${key}: ${String(error)}`);
    }
  }

  /** Keys present (for tests and tools). */
  keys(): string[] {
    try {
      return fs
        .readdirSync(this.dir)
        .map((name) => RECORD.exec(name)?.[1])
        .filter((hex): hex is string => hex !== undefined)
        .map((hex) => Buffer.from(hex, 'hex').toString('latin1'));
    } catch {
      return [];
    }
  }

  /** The atomic step: the new record replaces the old one whole. Tests override it to simulate a crash. */
  protected replace(temp: string, record: string): void {
    fs.renameSync(temp, record);
  }

  protected recordPath(key: string): string {
    return join(this.dir, `r-${Buffer.from(key, 'latin1').toString('hex')}.rec`);
  }

  protected tempPath(key: string): string {
    return join(this.dir, `t-${Buffer.from(key, 'latin1').toString('hex')}.tmp`);
  }

  /** Make the rename itself durable; best effort (not every platform can fsync a directory). */
  private syncDir(): void {
    try {
      const fd = fs.openSync(this.dir, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      // The data is written; only durability across a power cut is weaker here.
    }
  }
}

export class MemoryStorage implements Storage {
  private readonly records = new Map<string, Uint8Array>();

  get(key: string): Uint8Array | undefined {
    const value = validKey(key) ? this.records.get(key) : undefined;
    return value && value.slice();
  }

  set(key: string, value: Uint8Array): boolean {
    if (!validKey(key) || !validValue(value)) return false;
    this.records.set(key, value.slice());
    return true;
  }

  delete(key: string): void {
    this.records.delete(key);
  }
}
