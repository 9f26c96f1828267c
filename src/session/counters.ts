// What the runtime counts, for the application and for diagnostics. Plain numbers, updated in
// place (no allocation on the message path).

export interface Counters {
  /** Connection attempts started (transport opens). */
  attempts: number;
  /** Sessions that reached CONNACK 0. */
  connects: number;
  /** Attempts that failed before CONNACK 0 (auth failures included). */
  failedAttempts: number;
  /** Ends of online sessions, by error code ('REDIRECT', 'STOPPED' for our own clean ones). */
  disconnects: Record<string, number>;
  /** CONNACK 4/5 answers. */
  authFailures: number;
  /** Incoming PUBLISH packets dropped because they were larger than the receive buffer. */
  overflowDrops: number;
  /** Redirects followed, and refused by validation or policy. */
  redirects: number;
  redirectsRejected: number;
  /** PINGREQ sent and PINGRESP received. */
  pingsSent: number;
  pingsAnswered: number;
  /** PUBACKs sent for incoming QoS 1 messages (downlink/ping among them). */
  pubacksSent: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Flash writes that failed. */
  storageFailures: number;
}

export function newCounters(): Counters {
  return {
    // The message path's counters first: XS finds a property by walking the object's list.
    messagesIn: 0,
    bytesIn: 0,
    messagesOut: 0,
    bytesOut: 0,
    attempts: 0,
    connects: 0,
    failedAttempts: 0,
    disconnects: {},
    authFailures: 0,
    overflowDrops: 0,
    redirects: 0,
    redirectsRejected: 0,
    pingsSent: 0,
    pingsAnswered: 0,
    pubacksSent: 0,
    storageFailures: 0,
  };
}

export function countDisconnect(c: Counters, reason: string): void {
  c.disconnects[reason] = (c.disconnects[reason] ?? 0) + 1;
}
