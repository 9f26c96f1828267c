// The `preference` module with the ESP32 NVS limits: names up to 15 characters, values up to
// 4000 bytes, ArrayBuffer (not views), and an injectable flash failure.
import type { PreferenceModule } from '../../../../hal/moddable/types';

type Value = boolean | number | string | ArrayBuffer;

export class FakePreference implements PreferenceModule {
  readonly store = new Map<string, Value>();
  failSet: string | undefined;
  failGet: string | undefined;
  failDelete: string | undefined;
  sets = 0;

  set(domain: string, key: string, value: Value): void {
    this.sets++;
    if (domain.length > 15 || key.length > 15) throw new Error('nvs set fail');
    if (typeof value === 'object' && !(value instanceof ArrayBuffer)) throw new Error('unsupported type');
    if (value instanceof ArrayBuffer && value.byteLength > 4000) throw new Error('nvs set fail');
    if (this.failSet) throw new Error(this.failSet);
    this.store.set(`${domain}/${key}`, value instanceof ArrayBuffer ? value.slice(0) : value);
  }

  get(domain: string, key: string): Value | undefined {
    if (this.failGet) throw new Error(this.failGet);
    const v = this.store.get(`${domain}/${key}`);
    return v instanceof ArrayBuffer ? v.slice(0) : v;
  }

  delete(domain: string, key: string): void {
    if (this.failDelete) throw new Error(this.failDelete);
    this.store.delete(`${domain}/${key}`);
  }
}
