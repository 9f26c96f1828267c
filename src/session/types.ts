// The session's configuration, what it asks of the layer above (hooks), and what it reports.

import type { BlynkError } from '../errors';
import type { ReconnectOptions } from './reconnect';
import type { Endpoint } from './endpoint';
import type { State } from './state';

/** Read, never copied: the Blynk layer passes its one resolved configuration (blynk/config.ts). */
export interface SessionConfig extends ReconnectOptions {
  clientId: string;
  username: string;
  password: string;
  /** Seconds (C-KEEPALIVE). */
  keepalive: number;
  /** Receive capacity: the largest incoming remaining length (C-LIMITS-3). */
  rxbuff: number;
  /** The largest PUBLISH drained rather than treated as a protocol error (C-KEEPALIVE-2). */
  drainLimit: number;
  /** The largest outgoing remaining length (C-LIMITS-2). */
  maxPacket: number;
  /** No CONNACK within this is a failure (C-CONN-4). */
  connectTimeoutMs: number;
  /** How long to wait for a transport to confirm it closed before giving up on it. */
  closeTimeoutMs: number;
}

export interface SessionHooks {
  /** The endpoint for the next attempt. */
  nextEndpoint(): Endpoint;
  /** CONNACK 0 arrived: send what every new session needs, now (pipelined, C-SESSION-3). */
  sessionOnline(): void;
  /**
   * An incoming PUBLISH (already acknowledged if QoS 1). Its payload is `bytes[start, end)`,
   * valid only during the call (a range rather than a view: nothing is allocated per message).
   */
  incoming(topic: string, bytes: Uint8Array, start: number, end: number): void;
  /** An attempt ended: ok at CONNACK 0, or failed before it (with why). */
  attemptEnded(endpoint: Endpoint, ok: boolean, error: BlynkError | undefined): void;
  /** What the session reports (state changes, errors, ...); one call, no listener lists kept at rest. */
  sessionEvent<K extends keyof SessionEvents>(event: K, value: SessionEvents[K]): void;
}

export interface StateChange {
  from: State;
  to: State;
  reason: string;
  error?: BlynkError;
}

export interface SessionEvents {
  state: StateChange;
  error: BlynkError;
  network: boolean;
  /** A SUBACK: the granted QoS (or 0x80) per filter. */
  subscribed: readonly number[];
  /** Another device seems to use the token (C-DUPLICATE): early closes in a row, and the wait. */
  duplicate: { closes: number; waitMs: number };
}

/** What the link tells the session. */
export interface LinkOwner {
  /** The transport is open (CONNECT not yet sent). */
  opened(): void;
  /** CONNACK 0 arrived and checks out. */
  accepted(): void;
  /** The connection (or attempt) failed; `peerClosed` when the peer closed it without an error. */
  failed(error: BlynkError, peerClosed: boolean): void;
  /** The transport is gone after we asked it to close. */
  closed(): void;
  /** An error that does not end the connection. */
  raise(error: BlynkError): void;
  subscribed(granted: readonly number[]): void;
}

/** Where incoming messages go: straight to the session's hooks, not through the session (a call fewer per message). */
export interface MessageSink {
  incoming(topic: string, bytes: Uint8Array, start: number, end: number): void;
}
