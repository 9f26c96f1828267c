// The SDK's flash module (modules/files/flash; ESP32, ESP8266, nRF52). Used only for the size of
// the next OTA partition.
declare module 'flash' {
  export default class Flash {
    /** ESP32 names: "xs", "running", "nextota" or a partition label. */
    constructor(partition: string);
    readonly byteLength: number;
    readonly blockSize: number;
  }
}
