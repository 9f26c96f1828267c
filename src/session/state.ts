// The connection states and the only transitions allowed between them. The session changes
// state in exactly one place (MqttSession.to), which checks this table.

export const State = Object.freeze({
  /** Created, not started. */
  IDLE: 'idle',
  /** The network is down: no attempts until it is back (C-RECONNECT-2). */
  WAITING_NETWORK: 'waiting-network',
  /** Waiting out the backoff before the next attempt (C-RECONNECT-1). */
  BACKOFF: 'backoff',
  /** Opening the transport (TCP, TLS, WebSocket). */
  CONNECTING: 'connecting',
  /** CONNECT sent, waiting for CONNACK. */
  HANDSHAKE: 'handshake',
  /** CONNACK 0 received: the session is usable. */
  ONLINE: 'online',
  /** The transport was asked to close; nothing new opens until it has (C-CONN-5). */
  CLOSING: 'closing',
  /** CONNACK 4 or 5: the token is wrong; waiting the long retry interval (C-CONN-4). */
  AUTH_FAILED: 'auth-failed',
  /** Stopped by the application. */
  STOPPED: 'stopped',
} as const);

export type State = (typeof State)[keyof typeof State];

const WAITING: readonly State[] = Object.freeze([State.WAITING_NETWORK, State.BACKOFF, State.AUTH_FAILED]);

/** Allowed next states for each state. */
export const TRANSITIONS: Readonly<Record<State, readonly State[]>> = Object.freeze({
  [State.IDLE]: Object.freeze([State.CONNECTING, State.WAITING_NETWORK, State.STOPPED]),
  // Into AUTH_FAILED or BACKOFF from a wait or a pause: an attempt due while the auth wait, or a
  // wait the runtime paused in, runs waits for it.
  [State.WAITING_NETWORK]: Object.freeze([State.CONNECTING, State.AUTH_FAILED, State.BACKOFF, State.STOPPED]),
  [State.BACKOFF]: Object.freeze([State.CONNECTING, State.WAITING_NETWORK, State.AUTH_FAILED, State.STOPPED]),
  [State.AUTH_FAILED]: Object.freeze([State.CONNECTING, State.WAITING_NETWORK, State.BACKOFF, State.STOPPED]),
  // A transport that fails before it opened is already gone: straight on to waiting.
  [State.CONNECTING]: Object.freeze([State.HANDSHAKE, State.CLOSING, ...WAITING, State.STOPPED]),
  [State.HANDSHAKE]: Object.freeze([State.ONLINE, State.CLOSING, ...WAITING, State.STOPPED]),
  [State.ONLINE]: Object.freeze([State.CLOSING, ...WAITING, State.STOPPED]),
  // From CLOSING, CONNECTING is the clean reconnect after a redirect.
  [State.CLOSING]: Object.freeze([State.CONNECTING, ...WAITING, State.STOPPED]),
  [State.STOPPED]: Object.freeze([State.CONNECTING, State.WAITING_NETWORK, State.AUTH_FAILED, State.BACKOFF]),
});

export function canTransition(from: State, to: State): boolean {
  return TRANSITIONS[from].indexOf(to) >= 0;
}
