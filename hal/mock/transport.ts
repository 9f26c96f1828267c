// A scripted in-memory transport. The test (or a fake broker) plays the other end: it accepts
// or refuses the connection, delivers bytes in any fragmentation, stalls, cuts the stream
// mid-packet, and sees every byte the core wrote. Everything the core triggers (close) is
// delivered later on the virtual clock, never inside the core's call, as the HAL rules require.
import type { Timers, Transport, TransportConnector, TransportEvents, TransportFailure, TransportTarget } from '../interfaces';

export type MockConnectionState = 'opening' | 'open' | 'closing' | 'closed';

export class MockConnection implements Transport {
  readonly id: number;
  readonly target: TransportTarget;
  state: MockConnectionState = 'opening';
  /** Copies of every chunk the core wrote, in order. */
  readonly written: Uint8Array[] = [];
  /** When false, write() refuses (a full send queue) until drain(). */
  writable = true;
  /** Why it closed, once closed. */
  closedWith: TransportFailure | undefined;
  /** Called with each chunk the core writes (a fake broker parses these). Must not call back into the core synchronously. */
  onWrite: ((bytes: Uint8Array) => void) | undefined;
  /** Called when the core asks to close. */
  onCloseRequest: (() => void) | undefined;
  /** Hold the core's close() so onClose is only delivered by finishClose() (a slow close). */
  holdClose = false;

  private readonly events: TransportEvents;
  private readonly timers: Timers;
  private readonly owner: MockTransportConnector;

  constructor(owner: MockTransportConnector, id: number, target: TransportTarget, events: TransportEvents, timers: Timers) {
    this.owner = owner;
    this.id = id;
    this.target = target;
    this.events = events;
    this.timers = timers;
  }

  // ---- the core's side ----

  write(bytes: Uint8Array): boolean {
    if (this.state !== 'open') return false;
    if (!this.writable) return false;
    const copy = bytes.slice();
    this.written.push(copy);
    this.owner.bytesWritten += copy.length;
    this.onWrite?.(copy);
    return true;
  }

  close(): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.state = 'closing';
    this.onCloseRequest?.();
    if (!this.holdClose) this.timers.set(() => this.finish('closed'), 0);
  }

  // ---- the peer's side (called by tests, never from inside a core call) ----

  accept(): void {
    if (this.state !== 'opening') return;
    this.state = 'open';
    this.events.onOpen();
  }

  refuse(failure: TransportFailure = 'refused', detail?: string): void {
    if (this.state === 'closed') return;
    this.finish(failure, detail);
  }

  /** Deliver bytes in one chunk. */
  deliver(bytes: Uint8Array): void {
    if (this.state !== 'open') return;
    this.owner.bytesDelivered += bytes.length;
    this.events.onData(bytes);
  }

  /** Deliver bytes cut into pieces of the given sizes (the rest in one last piece). */
  deliverInPieces(bytes: Uint8Array, sizes: readonly number[]): void {
    let pos = 0;
    for (const n of sizes) {
      if (pos >= bytes.length) return;
      this.deliver(bytes.subarray(pos, Math.min(bytes.length, pos + Math.max(1, n))));
      pos += Math.max(1, n);
    }
    if (pos < bytes.length) this.deliver(bytes.subarray(pos));
  }

  /** The stream breaks (or the peer closes it, with 'closed'). */
  cut(failure: TransportFailure = 'reset', detail?: string): void {
    if (this.state === 'closed') return;
    this.finish(failure, detail);
  }

  /** Room again after the core's write() was refused. */
  drain(): void {
    this.writable = true;
    if (this.state === 'open') this.events.onDrain();
  }

  /** Complete a held close. */
  finishClose(): void {
    if (this.state === 'closing') this.finish('closed');
  }

  /** Everything the core wrote, concatenated. */
  allWritten(): Uint8Array {
    let n = 0;
    for (const c of this.written) n += c.length;
    const out = new Uint8Array(n);
    let p = 0;
    for (const c of this.written) {
      out.set(c, p);
      p += c.length;
    }
    return out;
  }

  private finish(failure: TransportFailure, detail?: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closedWith = failure;
    this.owner.noteClosed(this);
    this.events.onClose(failure, detail);
  }
}

export class MockTransportConnector implements TransportConnector {
  readonly connections: MockConnection[] = [];
  /** Called for every open(); may schedule accept()/refuse() on the timers (not call them directly). */
  onOpen: ((conn: MockConnection) => void) | undefined;
  /** Called for every open() before onOpen, for ordering checks against other HAL calls. */
  onRecord: ((conn: MockConnection) => void) | undefined;
  /** Largest number of transports that were open (or opening, or closing) at the same time. */
  maxConcurrent = 0;
  bytesWritten = 0;
  bytesDelivered = 0;
  private live = 0;
  private readonly timers: Timers;

  constructor(timers: Timers) {
    this.timers = timers;
  }

  open(target: TransportTarget, events: TransportEvents): Transport {
    const conn = new MockConnection(this, this.connections.length + 1, target, events, this.timers);
    this.connections.push(conn);
    this.live++;
    if (this.live > this.maxConcurrent) this.maxConcurrent = this.live;
    this.onRecord?.(conn);
    this.onOpen?.(conn);
    return conn;
  }

  /** Transports not yet closed (opening, open or closing). */
  get openCount(): number {
    return this.live;
  }

  /** The newest connection. */
  get last(): MockConnection | undefined {
    return this.connections[this.connections.length - 1];
  }

  /** @internal */
  noteClosed(_conn: MockConnection): void {
    this.live--;
  }
}
