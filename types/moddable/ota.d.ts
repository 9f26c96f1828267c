// The SDK's classic ESP32 OTA module (build/devices/esp32/modules/ota; ESP32 only).
declare module 'ota' {
  export default class OTA {
    /** esp_ota_begin on the next update partition (sequential erase; the size is not checked
     *  here). Throws "no update parition" / "begin failed". */
    constructor(options?: { byteLength?: number });
    /** Throws "write failed" (e.g. past the end of the partition). */
    write(bytes: ArrayBuffer | ArrayBufferView): void;
    /** esp_ota_end (validates the image) and sets the boot partition. Throws on failure. */
    complete(): void;
    cancel(): void;
  }
}
