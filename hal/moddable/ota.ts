// OtaWriter on the SDK's classic ESP32 "ota" module (esp_ota_begin / write / end + set boot
// partition). The module does not say how big the update partition is: the capacity comes from
// the "flash" module's "nextota" partition when the app passes Flash, else from options.
import type { Log, OtaWriter } from '../interfaces';
import type { FlashConstructor, OtaConstructor, OtaLike } from './types';

export interface OtaOptions {
  /** import OTA from "ota" (manifest $(MODDABLE)/build/devices/esp32/modules/ota/manifest.json). */
  readonly OTA: OtaConstructor;
  /** import Flash from "flash": capacity = new Flash("nextota").byteLength. */
  readonly Flash?: FlashConstructor;
  /** Bytes the update partition holds, when Flash is not given (or to override it). */
  readonly capacity?: number;
}

export class ModdableOtaWriter implements OtaWriter {
  private ota: OtaLike | undefined;
  private expected = 0;
  private written = 0;
  private knownCapacity: number | undefined;

  constructor(
    private readonly options: OtaOptions,
    private readonly log: Log,
  ) {}

  capacity(): number {
    if (this.options.capacity !== undefined) return this.options.capacity;
    if (this.knownCapacity !== undefined) return this.knownCapacity;
    try {
      if (this.options.Flash) this.knownCapacity = new this.options.Flash('nextota').byteLength;
    } catch (e) {
      this.log.write('warn', `ota: cannot read the update partition size: ${String(e)}`);
    }
    if (this.knownCapacity === undefined) {
      this.log.write('warn', 'ota: update partition size unknown (pass Flash or capacity)');
      return 0;
    }
    return this.knownCapacity;
  }

  begin(size: number): void {
    this.abort();
    const capacity = this.capacity();
    if (size > capacity) throw new Error(`ota: image of ${size} bytes does not fit the ${capacity}-byte partition`);
    this.ota = new this.options.OTA({ byteLength: size }); // throws: no update partition / begin failed
    this.expected = size;
    this.written = 0;
  }

  write(chunk: Uint8Array): void {
    const ota = this.ota;
    if (!ota) throw new Error('ota: write without begin');
    if (this.written + chunk.byteLength > this.expected) throw new Error('ota: more bytes than announced');
    ota.write(chunk); // a Uint8Array view is fine for the SDK (xsmcGetBufferReadable)
    this.written += chunk.byteLength;
  }

  complete(): void {
    const ota = this.ota;
    if (!ota) throw new Error('ota: complete without begin');
    if (this.written !== this.expected) {
      this.abort();
      throw new Error(`ota: got ${this.written} of ${this.expected} bytes`);
    }
    this.ota = undefined;
    try {
      ota.complete(); // validates the image and switches the boot partition
    } catch (e) {
      try {
        ota.cancel();
      } catch {
        // already ended
      }
      throw e;
    }
  }

  abort(): void {
    const ota = this.ota;
    this.ota = undefined;
    try {
      ota?.cancel();
    } catch {
      // nothing more to undo
    }
  }
}
