// The HAL Transport on a SocketStream: plain or TLS, optionally with WebSocket framing. Owns the
// contract: a bounded send queue (write returns false when full, onDrain when it empties),
// guarded callbacks, no re-entrancy, and onClose exactly once.
import type { Log, Transport, TransportEvents, TransportFailure } from '../interfaces';
import { SocketStream, type StreamEvents, type StreamModules, type StreamTarget } from './stream';
import { WsCodec, type WsDeps, type WsSink } from './websocket';

export interface TransportSettings {
  /** write() refuses new bytes while this many are waiting (a single write is always taken
   *  when nothing waits, whatever its size). */
  readonly maxQueuedBytes: number;
  /** close() waits at most this long for queued bytes to go out. */
  readonly lingerMs: number;
  readonly log: Log;
}

export interface WsTarget {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly deps: WsDeps;
}

type State = 'opening' | 'open' | 'closing' | 'closed';

function call(log: Log, what: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    try {
      log.write('error', `${what} threw: ${String(e)}`);
    } catch {
      // nothing left to report to
    }
  }
}

/** The transport is its stream's StreamEvents (methods, not four closures per connection). */
export class ModdableTransport implements Transport, StreamEvents {
  private state: State = 'opening';
  private owedDrain = false;
  private closeRequested = false;
  private streamConnected = false;
  private everOpened = false;
  private firstFailure: { failure: TransportFailure; detail: string } | undefined;
  private pending: Uint8Array[] = []; // writes before onOpen (kept until the stream is ready)
  private pendingBytes = 0;
  private readonly ws: WsCodec | undefined;
  private readonly stream: SocketStream;

  constructor(
    m: StreamModules,
    target: StreamTarget,
    ws: WsTarget | undefined,
    private readonly events: TransportEvents,
    private readonly settings: TransportSettings,
    /** Told how the transport ended (the connector's CA rotation listens). */
    private readonly onEnd?: (failure: TransportFailure, opened: boolean) => void,
  ) {
    if (ws) {
      this.ws = new WsCodec(ws.host, ws.port, ws.path, target.secure !== undefined, ws.deps);
      this.sink = this.wsSink();
    }
    this.stream = new SocketStream(m, target, this);
  }

  write(bytes: Uint8Array): boolean {
    if (this.state === 'closing' || this.state === 'closed') return false;
    const waiting = this.stream.queued + this.pendingBytes;
    if (waiting > 0 && waiting + bytes.byteLength > this.settings.maxQueuedBytes) {
      this.owedDrain = true;
      return false;
    }
    if (this.state === 'opening') {
      this.pending.push(bytes.slice());
      this.pendingBytes += bytes.byteLength;
    } else this.send(bytes);
    return true;
  }

  close(): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closing';
    this.closeRequested = true;
    this.pending = [];
    this.pendingBytes = 0;
    if (wasOpen && this.ws) this.stream.send(this.ws.closeFrame());
    this.stream.close(wasOpen ? this.settings.lingerMs : 0);
  }

  /** Made only for WebSocket framing. */
  private readonly sink: WsSink | undefined;

  private wsSink(): WsSink {
    return {
      open: () => this.opened(),
      data: (view) => this.bytes(view, true),
      send: (bytes) => this.stream.send(bytes),
      closed: (code) => {
        this.firstFailure ??= { failure: 'closed', detail: `the server closed the WebSocket${code === undefined ? '' : ` (${code})`}` };
        if (this.state !== 'closing') this.stream.send(this.ws!.closeFrame());
        this.stream.close(this.settings.lingerMs);
      },
      fail: (detail) => {
        this.firstFailure ??= { failure: 'websocket', detail };
        this.stream.close(0);
      },
    };
  }

  // ---- StreamEvents ----

  connected(): void {
    this.streamConnected = true;
    if (this.ws) this.stream.send(this.ws.request());
    else this.opened();
  }

  private opened(): void {
    if (this.state !== 'opening') return;
    this.state = 'open';
    this.everOpened = true;
    const pending = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const bytes of pending) this.send(bytes);
    call(this.settings.log, 'transport onOpen', () => this.events.onOpen());
  }

  private send(bytes: Uint8Array): void {
    this.stream.send(this.ws ? this.ws.frame(bytes) : bytes);
  }

  /**
   * The one place onData is called: the socket's bytes, or (`unframed`) what the WebSocket codec
   * took out of them. Plain MQTT goes straight through, and the guard is inline, not through
   * call(): no closure and no extra frames under each chunk (XS stack, issue 14).
   */
  bytes(view: Uint8Array, unframed = false): void {
    if (this.ws && !unframed) {
      this.ws.receive(view, this.sink!);
      return;
    }
    if (this.state !== 'open') return; // after close() the core has let go
    try {
      this.events.onData(view);
    } catch (e) {
      try {
        this.settings.log.write('error', `transport onData threw: ${String(e)}`);
      } catch {
        // nothing left to report to
      }
    }
  }

  writable(): void {
    if (!this.owedDrain || this.state !== 'open') return;
    this.owedDrain = false;
    call(this.settings.log, 'transport onDrain', () => this.events.onDrain());
  }

  ended(failure: TransportFailure, detail: string): void {
    if (this.state === 'closed') return;
    const opened = this.everOpened;
    this.state = 'closed';
    let result = this.firstFailure ?? { failure, detail };
    // The connection dropped between the TCP/TLS connect and the 101: the upgrade failed.
    if (!this.firstFailure && this.ws && this.streamConnected && !opened && (failure === 'closed' || failure === 'reset')) {
      result = { failure: 'websocket', detail: `connection ended during the WebSocket upgrade (${detail})` };
    }
    const cause = result.failure;
    if (this.closeRequested) result = { failure: 'closed', detail: 'closed by the device' };
    call(this.settings.log, 'transport end hook', () => this.onEnd?.(cause, opened));
    call(this.settings.log, 'transport onClose', () => this.events.onClose(result.failure, result.detail));
  }
}
