// The one closed list of error codes. Every failure the runtime reports carries one of these;
// nothing else is thrown at the application or out of a transport callback.

export const ErrorCode = Object.freeze({
  // Wire format (codec, framer, size checks)
  MALFORMED_LENGTH: 'MALFORMED_LENGTH', // remaining length longer than 4 bytes, or not what the packet type needs
  BAD_FLAGS: 'BAD_FLAGS', // reserved bits of the fixed header or CONNACK flags set
  BAD_TYPE: 'BAD_TYPE', // a packet type a client must not receive
  BAD_QOS: 'BAD_QOS', // QoS 3, or a QoS the client did not ask for
  BAD_PACKET_ID: 'BAD_PACKET_ID', // packet id 0 where one is required
  BAD_UTF8: 'BAD_UTF8', // a string that is not well-formed UTF-8, or contains U+0000
  BAD_TOPIC: 'BAD_TOPIC', // empty topic, or wildcards in a topic name
  TRUNCATED: 'TRUNCATED', // fields run past the end of the packet
  TOO_LARGE: 'TOO_LARGE', // a packet over the size limit (C-LIMITS)
  BAD_ARGUMENT: 'BAD_ARGUMENT', // an encoder was given values MQTT cannot carry

  // Connection
  CONFIG: 'CONFIG', // invalid configuration, found before any connection attempt
  CONNECT_FAILED: 'CONNECT_FAILED', // the transport could not be opened (refused, DNS, WebSocket)
  TLS_FAILED: 'TLS_FAILED', // TLS handshake or certificate verification failed
  CONNECTION_LOST: 'CONNECTION_LOST', // an open transport closed or broke
  CONNECT_TIMEOUT: 'CONNECT_TIMEOUT', // no CONNACK within the connect timeout
  CONNACK_REFUSED: 'CONNACK_REFUSED', // CONNACK return codes 1, 2, 3 (and unknown ones)
  AUTH_FAILED: 'AUTH_FAILED', // CONNACK 4 or 5: the auth token is wrong
  KEEPALIVE_TIMEOUT: 'KEEPALIVE_TIMEOUT', // nothing received for 1.5 x keepalive
  PROTOCOL: 'PROTOCOL', // a well-formed packet the session did not expect
  OVERFLOW: 'OVERFLOW', // an incoming PUBLISH larger than the receive buffer was dropped
  SUBSCRIBE_REFUSED: 'SUBSCRIBE_REFUSED', // SUBACK 0x80
  DUPLICATE_TOKEN: 'DUPLICATE_TOKEN', // closed by the cloud soon after connecting, again and again: another device uses the token (C-DUPLICATE)

  // Sending
  OFFLINE: 'OFFLINE', // not connected; nothing was sent
  BUSY: 'BUSY', // the transport's send queue is full; nothing was sent
  RATE_LIMITED: 'RATE_LIMITED', // over the configured message rate; nothing was sent

  // Redirect and persistence
  REDIRECT_INVALID: 'REDIRECT_INVALID', // not a URI the runtime can use
  REDIRECT_REJECTED: 'REDIRECT_REJECTED', // refused by the security policy (downgrade, foreign host)
  REDIRECT_LOOP: 'REDIRECT_LOOP', // too many redirects in a short time
  STORAGE_FAILED: 'STORAGE_FAILED', // a flash write failed

  // Device API
  BAD_NAME: 'BAD_NAME', // an empty name, or one with '/', '#', '+' or NUL
  BAD_VALUE: 'BAD_VALUE', // a value that cannot be sent
  TIMEOUT: 'TIMEOUT', // no reply in time
  HANDLER_FAILED: 'HANDLER_FAILED', // an application handler threw or its promise rejected (C-APP-1)
  BAD_PAYLOAD: 'BAD_PAYLOAD', // a downlink payload that could not be understood
  IN_USE: 'IN_USE', // a second runtime on the same HAL (C-APP-3): one BlynkDevice per HAL

  // Blynk.Air OTA
  OTA_UNSUPPORTED: 'OTA_UNSUPPORTED', // the HAL has no HTTP client or OTA writer
  OTA_BUSY: 'OTA_BUSY', // an update is already running
  OTA_REJECTED: 'OTA_REJECTED', // not for this device (firmware type) or does not fit
  OTA_HTTP: 'OTA_HTTP', // the server answered with an error status
  OTA_DOWNLOAD: 'OTA_DOWNLOAD', // the download broke or was cut short
  OTA_DIGEST: 'OTA_DIGEST', // the image does not match x-md5 / x-sha256
  OTA_WRITE: 'OTA_WRITE', // the OTA writer failed

  // Provisioning (Blynk.Inject config mode, C-PROVISION)
  PROVISION_UNSUPPORTED: 'PROVISION_UNSUPPORTED', // the HAL has no access point, HTTP server or Wi-Fi join
  PROVISION_REQUEST: 'PROVISION_REQUEST', // a config-mode HTTP request that cannot be understood (encoding, method, duplicates)
  PROVISION_INVALID: 'PROVISION_INVALID', // a configuration with a missing, oversize or malformed field; nothing was stored
  PROVISION_NETWORK: 'PROVISION_NETWORK', // the configured Wi-Fi network could not be joined (last_error 701)
  PROVISION_CLOUD: 'PROVISION_CLOUD', // a new configuration did not reach the cloud in time (last_error 702)

  INTERNAL: 'INTERNAL', // a bug: a state the runtime should never reach
} as const);

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * A typed error value. Returned (not thrown) by the codec and the device API; reported through
 * events by the session. `detail` carries machine-readable context (sizes, return codes).
 */
export class BlynkError extends Error {
  // Class fields use define semantics, which stays valid after XS freezes Error.prototype on preload.
  override name = 'BlynkError';
  readonly code: ErrorCode;
  readonly detail: Readonly<Record<string, string | number | boolean>> | undefined;

  constructor(code: ErrorCode, message: string, detail?: Record<string, string | number | boolean>) {
    super(message);
    this.code = code;
    this.detail = detail;
  }
}

export function isError(value: unknown): value is BlynkError {
  return value instanceof BlynkError;
}

export function err(code: ErrorCode, message: string, detail?: Record<string, string | number | boolean>): BlynkError {
  return new BlynkError(code, message, detail);
}
