// Public types of the local Blynk.Cloud emulator: options, records and events.
import type { TestPki } from '../certs';

export type Scheme = 'mqtt' | 'mqtts' | 'ws' | 'wss';
export const SCHEMES: readonly Scheme[] = ['mqtt', 'mqtts', 'ws', 'wss'];

/** Ports per scheme for one region: a number (0 = OS-picked), `true` (= 0) or `false` (no listener). */
export type RegionSpec = Partial<Record<Scheme, number | boolean>>;

/** A value the cloud keeps for a datastream: text; arrays are NUL-joined on the wire. */
export type DsValue = string | number | boolean | ReadonlyArray<string | number>;

export interface DeviceSeed {
  /** Server-side datastream values (what `get/ds` answers before the device writes any). */
  datastreams?: Record<string, DsValue>;
  /** Metadata values answered by `get/meta`. */
  meta?: Record<string, string>;
}

export interface TimezoneSpec {
  name: string; // IANA, e.g. Europe/Berlin
  rule: string; // POSIX TZ, e.g. CET-1CEST,M3.5.0,M10.5.0/3
  offset: number; // minutes east of UTC, without DST
  dstOffset: number; // minutes of DST currently in effect
}

export interface RedirectRule {
  /** Region whose listeners redirect right after CONNACK. */
  from: string;
  /** Region whose listener of the same scheme is sent in `downlink/redirect`. */
  to: string;
  /** Close the connection once the redirect is written (the real broker may do so; uncertain). */
  disconnect?: boolean;
  /** Host in the URI sent; default 127.0.0.1 (the certificate also covers localhost). */
  host?: '127.0.0.1' | 'localhost';
}

export interface EmulatorOptions {
  /** Tokens accepted with username `device`. */
  tokens?: readonly string[];
  /** Tokens with seeded state (also accepted). */
  devices?: Record<string, DeviceSeed>;
  /** Listener groups; default `{ global: {} }` = all four schemes on OS-picked ports. An empty spec means all four. */
  regions?: Record<string, RegionSpec>;
  /** Largest variable header + payload of a device PUBLISH; default 1024 (C-LIMITS-1). */
  maxPacketSize?: number;
  redirect?: RedirectRule | readonly RedirectRule[];
  /** Drop non-exempt downlinks to a device that has no matching subscription (real broker behaviour); default true. */
  requireSubscription?: boolean;
  /** Clock for `get/utc/all/json` (ms since epoch); default Date.now. */
  clock?: () => number;
  timezone?: Partial<TimezoneSpec>;
  location?: { lat: number; lon: number };
  /** Reuse TLS material (saves ~150 ms per emulator); made with makeTestPki() otherwise. */
  pki?: TestPki;
  /** Default timeout of waitFor/waitUntil/ping, ms; default 10000. */
  defaultTimeoutMs?: number;
  /** aedes: ms to wait for CONNECT after the socket opens; default 30000. */
  connectTimeoutMs?: number;
  /** Longest accepted ClientID; default 64 (the contract's limit). */
  maxClientIdLength?: number;
}

export type CloseReason =
  | 'client-disconnect' // device sent DISCONNECT
  | 'client-closed' // device closed the socket without DISCONNECT
  | 'replaced' // a newer connection with the same token arrived
  | 'oversize' // device PUBLISH above maxPacketSize
  | 'kicked' // forced by a test / CLI
  | 'redirect' // closed after a redirect (rule.disconnect)
  | 'keepalive-timeout'
  | 'auth-failed'
  | 'protocol-error'
  | 'listener-outage' // pauseListener({ existing: 'close' })
  | 'emulator-closed'
  | 'server-closed'; // anything else initiated by the broker

export interface ConnectionRecord {
  id: number;
  region: string;
  scheme: Scheme;
  remotePort: number;
  /** Socket accepted (ms since epoch, Date.now). */
  acceptedAt: number;
  /** CONNECT received (the connection counts for its token from here). */
  connectAt?: number;
  token?: string;
  username?: string;
  clientId?: string;
  keepalive?: number;
  clean?: boolean;
  protocolVersion?: number;
  /** CONNACK return code sent (0 accepted, 4 bad credentials...). */
  returnCode?: number;
  /** The device's side ended (FIN/close), or the socket closed: the connection no longer counts. */
  endedAt?: number;
  closedAt?: number;
  reason?: CloseReason;
  detail?: string;
  subscriptions: Array<{ filter: string; qos: number; granted: boolean }>;
  /** Set while the connection is stalled by stall(). */
  stalled: boolean;
}

export type UplinkKind =
  | 'info-mcu' | 'ds' | 'ds-erase' | 'prop' | 'prop-erase' | 'timestamped-batch' | 'batch-ds'
  | 'event' | 'meta' | 'get-ds' | 'get-ds-all' | 'get-meta' | 'get-utc' | 'get-loc' | 'unknown';

export interface UplinkRecord {
  seq: number;
  at: number;
  connId: number;
  topic: string;
  /** Exact payload bytes as received. */
  payload: Buffer;
  qos: number;
  retain: boolean;
  kind: UplinkKind;
  /** Published by the broker as the device's Last Will. */
  will: boolean;
}

export interface DownlinkRecord {
  seq: number;
  at: number;
  connId: number;
  topic: string;
  payload: Buffer;
  qos: number;
  messageId?: number;
}

export interface EventRecord {
  at: number;
  code: string;
  description: string;
}

export interface OtaDownloadRecord {
  imageId: number;
  at: number;
  method: string;
  https: boolean;
  status: number;
  bytesSent: number;
  /** complete; truncated (closed early on purpose); status (HTTP error sent); stalled; aborted (client left first). */
  outcome: 'pending' | 'complete' | 'truncated' | 'status' | 'stalled' | 'aborted';
}

interface Base {
  seq: number;
  at: number;
}

export type EmulatorEvent =
  | (Base & { type: 'accept'; connId: number; region: string; scheme: Scheme; remotePort: number })
  | (Base & { type: 'connect'; token: string; connId: number; region: string; scheme: Scheme; clientId: string; keepalive: number; clean: boolean })
  | (Base & { type: 'authFailed'; token: string; username: string; connId: number; region: string; scheme: Scheme; count: number })
  | (Base & { type: 'disconnect'; token?: string; connId: number; reason: CloseReason; detail?: string })
  | (Base & { type: 'subscribe'; token: string; connId: number; filter: string; qos: number; granted: boolean })
  | (Base & { type: 'uplink'; token: string; connId: number; record: UplinkRecord })
  | (Base & { type: 'downlink'; token: string; connId: number; record: DownlinkRecord })
  | (Base & { type: 'downlinkDropped'; token: string; connId: number; topic: string; reason: 'not-subscribed' })
  | (Base & { type: 'pingAck'; token: string; connId: number; messageId: number; rttMs: number })
  | (Base & { type: 'oversize'; token: string; connId: number; topic: string; size: number; limit: number })
  | (Base & { type: 'redirect'; token: string; connId: number; uri: string })
  | (Base & { type: 'stall'; token?: string; connId: number; stalled: boolean })
  | (Base & { type: 'listener'; region: string; scheme: Scheme; state: 'paused' | 'resumed'; mode?: PauseMode })
  | (Base & { type: 'otaRequest'; imageId: number; url: string; record: OtaDownloadRecord })
  | (Base & { type: 'otaResult'; imageId: number; record: OtaDownloadRecord })
  | (Base & { type: 'warning'; message: string });

export type EventType = EmulatorEvent['type'];
export type EventOf<K extends EventType> = Extract<EmulatorEvent, { type: K }>;
/** An event before the hub stamps it. */
export type NewEvent = EmulatorEvent extends infer E ? (E extends Base ? Omit<E, 'seq' | 'at'> : never) : never;

/** refuse: stop listening (ECONNREFUSED); reset: accept then reset; blackhole: accept, never answer. */
export type PauseMode = 'refuse' | 'reset' | 'blackhole';

export interface ListenerInfo {
  region: string;
  scheme: Scheme;
  port: number;
  /** `mqtt://127.0.0.1:PORT`, `wss://127.0.0.1:PORT/mqtt`... */
  uri: string;
  /** Same with host `localhost` (matches the certificate's DNS name). */
  localhostUri: string;
  paused: PauseMode | false;
}
