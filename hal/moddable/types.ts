// The shapes of the Moddable SDK modules the HAL uses, as structural types. Every HAL file gets
// the modules as a parameter (never imports them), so Node tests can pass fakes. modules.ts
// builds the real object from the bare specifiers; types/moddable/*.d.ts declare those.

/** Socket callback messages: 1 connected, 2 readable (count), 3 writable (free), -1 gone, -2 error. */
export type SocketMessage = 1 | 2 | 3 | -1 | -2;

/** What the HAL needs of a classic Socket or a SecureSocket. */
export interface SocketLike {
  callback: (message: SocketMessage, value?: number) => void;
  read(): number;
  read(type: typeof ArrayBuffer, count?: number): ArrayBuffer | undefined;
  write(): number;
  write(...data: (ArrayBuffer | ArrayBufferView | string | number)[]): void;
  close(): void;
}

export interface SocketConstructor {
  new (options: { host: string; port: number; noDelay?: boolean }): SocketLike;
}

/** A DER certificate: ArrayBuffer, view or Resource. Opaque to the HAL. */
export type DerBuffer = ArrayBuffer | ArrayBufferView | { readonly byteLength: number };

export interface SecureOptions {
  certificate?: DerBuffer;
  protocolVersion?: number;
  verify?: boolean;
}

export interface SecureSocketConstructor {
  new (options: { host: string; port?: number; sock?: SocketLike; secure?: SecureOptions }): SocketLike & { sock?: SocketLike };
}

export type TimerId = unknown;

export interface TimerModule {
  set(callback: () => void, interval?: number): TimerId;
  repeat(callback: () => void, interval: number): TimerId;
  clear(timer: TimerId | undefined): void;
}

export interface TimeModule {
  readonly ticks: number;
  delta(start: number, end?: number): number;
}

export interface PreferenceModule {
  set(domain: string, key: string, value: boolean | number | string | ArrayBuffer): void;
  get(domain: string, key: string): boolean | number | string | ArrayBuffer | undefined;
  delete(domain: string, key: string): void;
}

export interface NetModule {
  get(what: 'IP'): string | undefined;
}

export interface HttpRequestLike {
  callback: (message: number, value?: unknown, etc?: unknown) => unknown;
  socket?: { callback: (message: number, value?: number) => void };
  read(type: typeof ArrayBuffer, count?: number): ArrayBuffer | undefined;
  close(): void;
}

export interface HttpRequestConstructor {
  new (options: {
    host: string;
    port: number;
    path: string;
    method: string;
    headers?: string[];
    Socket?: SocketConstructor | SecureSocketConstructor;
    secure?: SecureOptions;
  }): HttpRequestLike;
}

export interface DigestLike {
  write(data: ArrayBufferView | ArrayBuffer | string): void;
  close(): ArrayBuffer;
}

export interface DigestConstructor {
  new (type: 'MD5' | 'SHA1' | 'SHA256'): DigestLike;
}

export interface ResourceConstructor {
  new (path: string): { readonly byteLength: number };
  exists(path: string): boolean;
}

/** The classic "wifi" module's class. */
export interface WiFiClassicConstructor {
  new (options: undefined, callback: (message: string, reason?: number) => void): { close(): void };
  connect(options?: { ssid: string; password?: string }): void;
}

/** An ECMA-419 "embedded:network/interface/wifi" instance. */
export interface WiFi419Like {
  readonly connection: number;
  connect(options: { SSID: string; password?: string }): void;
  close(): void;
}

export interface WiFi419Constructor {
  new (options: { onChanged?: (property: string) => void }): WiFi419Like;
}

/** The classic ESP32 "ota" module's class. */
export interface OtaLike {
  write(bytes: ArrayBufferView | ArrayBuffer): void;
  complete(): void;
  cancel(): void;
}

export interface OtaConstructor {
  new (options?: { byteLength?: number }): OtaLike;
}

export interface FlashConstructor {
  new (partition: string): { readonly byteLength: number };
}

/** The modules present on every Moddable target we support (ESP32 and the Linux simulator). */
export interface ModdableModules {
  readonly Socket: SocketConstructor;
  /** Absent when the app does not include the TLS manifest: mqtts/wss/https then fail. */
  readonly SecureSocket?: SecureSocketConstructor;
  readonly Timer: TimerModule;
  readonly Time: TimeModule;
  readonly Preference: PreferenceModule;
  readonly Net?: NetModule;
  /** The "http" module's Request: without it the HAL has no HTTP client (no Blynk.Air). */
  readonly Request?: HttpRequestConstructor;
  /** "crypt" Digest: native MD5/SHA-1/SHA-256. */
  readonly Digest?: DigestConstructor;
  /** "Resource": lets certificates be given by resource name. */
  readonly Resource?: ResourceConstructor;
  /** "ssl/cert" CertificateManager.register: trust a CA in every later TLS session. Without it,
   *  one CA is offered per connection (SecureSocket's `certificate`) and rotated on failure. */
  readonly registerCA?: (der: DerBuffer) => void;
  /** The XS global `trace`. */
  readonly trace: (text: string) => void;
}
