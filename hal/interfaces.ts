// The hardware abstraction layer: everything the portable core (src/) needs from the world.
// Every implementation (moddable, node, mock, xs bridge) implements exactly these interfaces,
// and none of them imports the core. Keep it as small as the runtime needs.
//
// Rules every implementation follows:
// - Callbacks into the core are never made from inside a call the core made (no re-entrancy):
//   `open()` never calls `onOpen`/`onClose` before it returns, `close()` never calls `onClose`
//   before it returns, timers never fire inside `set()`.
// - HAL methods may throw only where documented; the core guards the ones that may.

/** Transport kinds, picked by the URI scheme: WebSocket is layered over TCP or TLS. */
export type Scheme = 'mqtt' | 'mqtts' | 'ws' | 'wss';

/** Where to open a byte stream: a parsed endpoint (the core's URI parser makes these). */
export interface TransportTarget {
  readonly scheme: Scheme;
  readonly host: string;
  readonly port: number;
  /** WebSocket path (ws/wss only), e.g. "/mqtt". */
  readonly path: string;
}

/** Why a transport ended. The core maps these onto its own error codes. */
export type TransportFailure =
  | 'closed' // the peer closed the stream in an orderly way
  | 'reset' // the stream broke (reset, broken pipe, Wi-Fi gone)
  | 'refused' // nothing listens there, or the host is unreachable
  | 'dns' // the host name did not resolve
  | 'tls' // TLS handshake or certificate verification failed
  | 'websocket' // the WebSocket upgrade was refused or a frame was invalid
  | 'error'; // anything else

/** Called as methods of this object (`events.onData(bytes)`): the core's implementation is a class instance. */
export interface TransportEvents {
  /** The stream is ready for MQTT bytes (after the TLS and WebSocket handshakes). */
  onOpen(): void;
  /**
   * Bytes arrived. The view is only valid during the call: the transport may reuse its memory
   * afterwards, so the core copies what it keeps.
   */
  onData(bytes: Uint8Array): void;
  /** Room again after `write` returned false. */
  onDrain(): void;
  /**
   * The stream is gone, for good: called exactly once per transport, also after `close()`
   * (then with failure 'closed'). No other callback follows it. `detail` is for logs only.
   */
  onClose(failure: TransportFailure, detail?: string): void;
}

export interface Transport {
  /**
   * Queue bytes for sending. The transport copies what it cannot send at once, so the caller
   * may reuse `bytes` when this returns. Returns false when it did NOT take them because its
   * send queue is full; `onDrain` follows when there is room. Never throws.
   */
  write(bytes: Uint8Array): boolean;
  /**
   * Close the stream: flush what was queued if that can be done promptly, then release it.
   * `onClose` follows (asynchronously) when the stream is really gone. Idempotent. Never throws.
   */
  close(): void;
}

export interface TransportConnector {
  /**
   * Start opening a stream. Failures (DNS, refused, TLS) are reported through `onClose`,
   * never thrown. The returned transport may be closed before `onOpen`.
   */
  open(target: TransportTarget, events: TransportEvents): Transport;
}

/** An opaque timer handle. */
export type TimerHandle = unknown;

export interface Timers {
  /** One-shot: `fn` runs once after `ms` milliseconds (0: as soon as possible, never inside this call). */
  set(fn: () => void, ms: number): TimerHandle;
  /** Repeating: `fn` runs every `ms` milliseconds until cleared. */
  repeat(fn: () => void, ms: number): TimerHandle;
  /** Cancel a timer; accepts undefined and handles of timers that already fired. */
  clear(handle: TimerHandle | undefined): void;
}

export interface Clock {
  /** Monotonic milliseconds: never goes back, never wraps, unrelated to wall-clock time. */
  now(): number;
}

/**
 * Small persistent records (flash). Keys are at most 15 ASCII characters and values at most
 * 4000 bytes (the ESP32 NVS limits). Each `set` replaces one whole record: a record is either
 * the old value or the new one, never a mix — but a power cut may lose the record being
 * written, which the core guards against with its own redundancy.
 */
export interface Storage {
  get(key: string): Uint8Array | undefined;
  /** Returns false if the write failed (flash full, worn, unavailable). Never throws. */
  set(key: string, value: Uint8Array): boolean;
  delete(key: string): void;
}

export interface Network {
  /** Is the network (Wi-Fi) up now? */
  isUp(): boolean;
  /** Register the one listener for up/down changes. */
  onChange(listener: (up: boolean) => void): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Log {
  /** Never throws. The core masks secrets before it calls this. */
  write(level: LogLevel, message: string): void;
}

export interface Random {
  /** A number in [0, 1). Used for backoff jitter. */
  next(): number;
}

export interface DeviceControl {
  /** Restart the device. May not return. */
  reboot(): void;
}

// ---- Blynk.Air (OTA) ----

export interface HttpResponseHead {
  readonly status: number;
  /** Content-Length, when the server sent one. */
  readonly length?: number;
  /** A response header, by lower-case name. */
  header(name: string): string | undefined;
}

export interface HttpRequestEvents {
  onResponse(head: HttpResponseHead): void;
  /** A piece of the body; valid only during the call. */
  onData(chunk: Uint8Array): void;
  onDone(): void;
  /** The request failed (network, TLS, protocol). No other callback follows it. */
  onError(detail: string): void;
}

export interface HttpRequest {
  /** Stop the download; no callback follows. Idempotent. */
  abort(): void;
}

export interface HttpClient {
  /** GET `url` (http or https), following no redirects. Failures come through `onError`. */
  get(url: string, events: HttpRequestEvents): HttpRequest;
}

/** Writes a firmware image into the inactive OTA partition. Methods may throw (flash errors). */
export interface OtaWriter {
  /** Bytes the update partition can hold. */
  capacity(): number;
  begin(size: number): void;
  write(chunk: Uint8Array): void;
  /** Verify and mark the new image bootable. */
  complete(): void;
  /** Discard a partial image. Never throws. */
  abort(): void;
}

/** A running digest; the HAL may offer native ones (the core has portable fallbacks). */
export interface Digest {
  update(bytes: Uint8Array): void;
  finish(): Uint8Array;
}

export interface Hal {
  readonly transport: TransportConnector;
  readonly timers: Timers;
  readonly clock: Clock;
  readonly storage: Storage;
  readonly network: Network;
  readonly log: Log;
  readonly random: Random;
  readonly device: DeviceControl;
  /** Present where the device can update itself. */
  readonly http?: HttpClient;
  readonly ota?: OtaWriter;
  readonly digest?: (algorithm: 'md5' | 'sha256') => Digest | undefined;
  /** Present where the device can be set up over its own access point (Blynk.Inject). */
  readonly provisioning?: ProvisioningHal;
}

// ---- Provisioning (Blynk.Inject, C-PROVISION): optional, see docs/provisioning.md ----
//
// Config mode needs an access point, a small HTTP server on it, a Wi-Fi scan and a way to join
// a network with credentials given at run time; a DNS server answers the setup host name.
// Callbacks follow the rules at the top of this file: never from inside the call that asked.

export type WifiSecurity = 'OPEN' | 'WEP' | 'WPA' | 'WPA2' | 'WPA+WPA2' | 'WPA2-EAP' | 'WPA3' | 'WPA2+WPA3' | 'WAPI' | 'unknown';

export interface WifiNetworkInfo {
  readonly ssid: string;
  /** "aa:bb:cc:dd:ee:ff" */
  readonly bssid: string;
  /** dBm */
  readonly rssi: number;
  readonly security: WifiSecurity;
  readonly channel: number;
}

/** Why a join failed. */
export type WifiJoinFailure = 'not-found' | 'auth' | 'timeout' | 'error';

export interface WifiJoin {
  /** Give up; `done` is not called after this. Idempotent. */
  cancel(): void;
}

export interface WifiControl {
  /** Station MAC, "aa:bb:cc:dd:ee:ff". */
  readonly mac: string;
  /** The access point's MAC (its BSSID). */
  readonly apMac: string;
  /** Open an access point (station mode off). False if it could not. Never throws. */
  startAccessPoint(ssid: string, password?: string): boolean;
  /** Close the access point. Idempotent. Never throws. */
  stopAccessPoint(): void;
  /**
   * Join `ssid` as a station. `done` runs once: null when joined (the HAL's Network reports up
   * from then on), or why not, at the latest after `timeoutMs`. Never throws.
   */
  join(ssid: string, password: string, timeoutMs: number, done: (failure: WifiJoinFailure | null) => void): WifiJoin;
  /** Leave the network joined (the Network reports down). Idempotent. */
  leave(): void;
  /** Scan for networks; `done` runs once, with [] when the scan failed. Never throws. */
  scan(done: (networks: readonly WifiNetworkInfo[]) => void): void;
}

export interface HttpServerRequest {
  /** Upper case: "GET", "POST", ... */
  readonly method: string;
  /** The request target as sent, percent-encoding intact: "/config?ssid=Home%20Net". */
  readonly target: string;
  /** Content-Type, lower case, without parameters; undefined when absent. */
  readonly contentType: string | undefined;
  /** The whole body (the server read it to the end, within `maxRequestBytes`). */
  readonly body: Uint8Array;
}

export interface HttpServerResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Uint8Array;
}

export interface HttpServerLimits {
  /** Request line + headers + body. Larger: the server answers 413 (431 for headers) itself. */
  readonly maxRequestBytes: number;
  /** A request not complete by then (a stalled client): the server answers 408 and closes. */
  readonly requestTimeoutMs: number;
  /** More connections at once: the server answers 503 and closes the newcomer. */
  readonly maxConnections: number;
}

/**
 * Called once per complete request. `respond` must be called once (later calls are ignored);
 * when the client is gone it does nothing. The server closes the connection after answering.
 */
export type HttpServerHandler = (request: HttpServerRequest, respond: (response: HttpServerResponse) => void) => void;

export interface HttpServerInstance {
  /** The port it listens on (useful when 0 was asked for). */
  readonly port: number;
  /** Stop listening and drop open connections. Idempotent. */
  close(): void;
}

export interface HttpServerFactory {
  /** Listen on `port` (0: pick one). Undefined if it could not. Never throws. */
  listen(port: number, limits: HttpServerLimits, handler: HttpServerHandler): HttpServerInstance | undefined;
}

export interface DnsServerInstance {
  close(): void;
}

export interface DnsServerFactory {
  /** Answer `name` ("*": every name) with the access point's own address. Undefined if it could not. */
  start(name: string): DnsServerInstance | undefined;
}

export interface ProvisioningHal {
  readonly wifi: WifiControl;
  readonly httpServer: HttpServerFactory;
  /** Where there is one: the setup host name (blynk.setup) resolves to the device. */
  readonly dns?: DnsServerFactory;
}
