// Wi-Fi: the SDK's classic "wifi" module (modules/network/wifi; the simulator's is simulated) and
// the ECMA-419 "embedded:network/interface/wifi" (modules/io/wifi; what manifest_net's
// setup/network uses on ESP32). Only the parts the HAL uses.
declare module 'wifi' {
  /** Messages to the callback: "connect" (associated, no IP yet), "gotIP", "lostIP",
   *  "disconnect" (ESP32 adds a reason number as second argument). */
  export type WiFiMessage = 'connect' | 'gotIP' | 'lostIP' | 'disconnect' | 'station_connect' | 'station_disconnect' | 'start';
  export interface WiFiConnectOptions {
    ssid: string;
    password?: string;
    bssid?: ArrayBuffer;
  }
  export default class WiFi {
    /** With options it also connects. The simulator allows one instance only (throws otherwise).
     *  ESP32: the callback only sees events once this module itself started Wi-Fi (connect/scan). */
    constructor(options?: WiFiConnectOptions, callback?: (message: WiFiMessage, reason?: number) => void);
    close(): void;
    /** Starts a connection (no argument: disconnects). */
    static connect(options?: WiFiConnectOptions): void;
    static disconnect(): void;
    static readonly gotIP: 'gotIP';
    static readonly lostIP: 'lostIP';
    static readonly connected: 'connect';
    static readonly disconnected: 'disconnect';
  }
}

declare module 'embedded:network/interface/wifi' {
  export interface WiFi419Options {
    /** Called with `this` = the instance: "connection" or "address". */
    onChanged?: (this: WiFi419, property: 'connection' | 'address') => void;
  }
  export default class WiFi419 {
    constructor(options: WiFi419Options);
    /** 500 connected with an IP address, 400 associated, 300 connecting, 200 disconnected. */
    readonly connection: number;
    readonly address: string | undefined;
    /** Throws "already connecting" while a connection attempt runs. */
    connect(options: { SSID: string; password?: string }): void;
    disconnect(): void;
    close(): void;
  }
}
