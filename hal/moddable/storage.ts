// Storage on the SDK's `preference` module: one domain, one preference per key.
//
// ESP32 (NVS): domain and key names at most 15 characters, values at most 4000 bytes, every set
// commits. Note that the SDK's set erases the old key before writing the new blob, so a failed
// or interrupted set may lose the old record too (the interface allows losing the record being
// written; the core keeps its own redundancy). Simulator: a JSON file (/tmp/modpreferences.json)
// whose save errors are swallowed, so set never fails there.
import type { Log, Storage } from '../interfaces';
import type { PreferenceModule } from './types';

export const MAX_KEY_LENGTH = 15;
export const MAX_VALUE_BYTES = 4000;

// Printable ASCII: NVS names are C strings, and on XS a code-point length equals the byte length
// only for ASCII.
function validName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_KEY_LENGTH) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

export class ModdableStorage implements Storage {
  constructor(
    private readonly preference: PreferenceModule,
    private readonly domain: string,
    private readonly log: Log,
  ) {
    if (!validName(domain)) throw new Error(`storage domain "${domain}" must be 1..${MAX_KEY_LENGTH} printable ASCII characters`);
  }

  get(key: string): Uint8Array | undefined {
    if (!validName(key)) return undefined;
    let value: unknown;
    try {
      value = this.preference.get(this.domain, key);
    } catch (e) {
      this.log.write('warn', `storage: reading "${key}" failed: ${String(e)}`);
      return undefined;
    }
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    // Empty values are stored as "" (the simulator's JSON store turns an empty ArrayBuffer
    // into one zero byte).
    if (value === '') return new Uint8Array(0);
    return undefined; // absent, or a record some other code wrote with another type
  }

  set(key: string, value: Uint8Array): boolean {
    if (!validName(key)) {
      this.log.write('error', `storage: key "${key}" is not 1..${MAX_KEY_LENGTH} printable ASCII characters`);
      return false;
    }
    if (value.byteLength > MAX_VALUE_BYTES) {
      this.log.write('error', `storage: value for "${key}" is ${value.byteLength} bytes (max ${MAX_VALUE_BYTES})`);
      return false;
    }
    try {
      // Preference takes an ArrayBuffer (not a view): slice() copies exactly the view's bytes.
      this.preference.set(this.domain, key, value.byteLength === 0 ? '' : value.slice().buffer);
      return true;
    } catch (e) {
      this.log.write('error', `storage: writing "${key}" failed: ${String(e)}`);
      return false;
    }
  }

  delete(key: string): void {
    if (!validName(key)) return;
    try {
      this.preference.delete(this.domain, key);
    } catch (e) {
      this.log.write('warn', `storage: deleting "${key}" failed: ${String(e)}`);
    }
  }
}
