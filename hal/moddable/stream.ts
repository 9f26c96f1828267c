// A byte stream over the SDK's classic Socket or SecureSocket: connect, read, queued writes,
// close, and one deferred end report. The transport (and the WebSocket layer) sit on top.
import type { TransportFailure } from '../interfaces';
import { SendQueue, sendOrQueue } from './send-queue';
import type { SecureOptions, SecureSocketConstructor, SocketConstructor, SocketLike, SocketMessage, TimerModule } from './types';

export interface StreamEvents {
  /** TCP connected, or (TLS) the handshake is done. */
  connected(): void;
  /** Bytes arrived: a fresh ArrayBuffer per read, owned by the receiver. */
  bytes(view: Uint8Array): void;
  /** The send queue emptied after the socket reported room. */
  writable(): void;
  /** Exactly once, always on a later turn (never inside a call into the stream). */
  ended(failure: TransportFailure, detail: string): void;
}

export interface StreamTarget {
  readonly host: string;
  readonly port: number;
  /** Present: TLS with SecureSocket. */
  readonly secure?: SecureOptions;
}

export interface StreamModules {
  readonly Socket: SocketConstructor;
  readonly SecureSocket?: SecureSocketConstructor;
  readonly Timer: TimerModule;
}

type Phase = 'connecting' | 'handshake' | 'open' | 'ended';

const CONNECT_FAILED = 'connection failed (refused, unreachable, or the name did not resolve)';
const TLS_FAILED = 'TLS handshake failed (server certificate not trusted by the given CA, clock not set, or no common cipher)';

export class SocketStream {
  private socket: SocketLike | undefined;
  private phase: Phase = 'connecting';
  private readonly queue = new SendQueue();
  private closing = false;
  private lingerTimer: unknown;
  private readonly secure: boolean;
  /** TLS: whether the TCP connect underneath can be seen (to tell 'refused' from 'tls'). */
  private tcpObserved = false;

  constructor(
    private readonly m: StreamModules,
    target: StreamTarget,
    private readonly events: StreamEvents,
  ) {
    this.secure = target.secure !== undefined;
    try {
      this.socket = this.secure ? this.openSecure(target) : new m.Socket({ host: target.host, port: target.port });
      if (this.socket) this.socket.callback = (message, value) => this.onSocket(message, value);
    } catch (e) {
      // The Socket constructor threw (SecureSocket's own failures are handled in openSecure).
      this.end('refused', `cannot open a socket to ${target.host}:${target.port}: ${String(e)}`);
    }
  }

  /** Bytes accepted but not yet handed to the socket. */
  get queued(): number {
    return this.queue.length;
  }

  /** Queue bytes (a copy is kept of what cannot be sent now). Before the stream is open they wait. */
  send(bytes: Uint8Array): void {
    if (this.phase === 'ended' || this.closing) return;
    if (this.phase !== 'open') {
      this.queue.push(bytes);
      return;
    }
    const socket = this.socket!;
    try {
      sendOrQueue(this.queue, bytes, socket);
    } catch (e) {
      this.end('reset', `write failed: ${String(e)}`);
    }
  }

  /** Flush what can be flushed within `lingerMs`, then release the socket; `ended` follows. */
  close(lingerMs: number): void {
    if (this.phase === 'ended' || this.closing) return;
    this.closing = true;
    if (this.phase !== 'open' || this.flushQueue() || lingerMs <= 0) {
      this.end('closed', 'closed by the device');
      return;
    }
    this.lingerTimer = this.m.Timer.set(() => {
      this.lingerTimer = undefined;
      this.end('closed', `closed by the device (${this.queue.length} unsent bytes dropped)`);
    }, lingerMs);
  }

  private openSecure(target: StreamTarget): SocketLike | undefined {
    const SecureSocket = this.m.SecureSocket;
    if (!SecureSocket) {
      this.end('tls', 'TLS is not in this build: include $(MODDABLE)/modules/crypt/tls.json');
      return undefined;
    }
    // Our own TCP socket underneath (SecureSocket takes `sock`), so a failure before the TCP
    // connect ('refused') can be told apart from a failed handshake ('tls').
    const sock = new this.m.Socket({ host: target.host, port: target.port });
    let secure: SocketLike & { sock?: SocketLike };
    try {
      secure = new SecureSocket({ host: target.host, port: target.port, sock, secure: target.secure });
    } catch (e) {
      // It closed `sock` itself. "date validation failed": a CA outside its validity dates, or
      // the clock is not set (SNTP).
      this.end('tls', `TLS setup failed: ${String(e)}`);
      return undefined;
    }
    const inner = sock.callback;
    if (typeof inner === 'function') {
      this.tcpObserved = true;
      sock.callback = (message: SocketMessage, value?: number) => {
        if (message === 1 && this.phase === 'connecting') this.phase = 'handshake';
        try {
          inner.call(sock, message, value);
        } catch (e) {
          this.end('tls', `TLS error: ${String(e)}`);
        }
      };
    }
    return secure;
  }

  private onSocket(message: SocketMessage, value: number | undefined): void {
    try {
      if (this.phase === 'ended') return;
      if (message === 1) {
        this.phase = 'open';
        this.events.connected();
        if (this.phase === 'open') this.onWritable();
      } else if (message === 2) {
        // Read here, not in a method of its own: one frame fewer under every chunk's path (XS
        // stack, issue 14). The bytes are only readable inside this callback: take all of them
        // now, one ArrayBuffer per read (the classic Socket cannot read into a caller's buffer).
        const socket = this.socket!;
        while (this.phase === 'open' && !this.closing) {
          const buffer = socket.read(ArrayBuffer);
          if (!buffer || buffer.byteLength === 0) break;
          this.events.bytes(new Uint8Array(buffer));
        }
      } else if (message === 3) {
        this.onWritable();
      } else if (message < 0) {
        this.end(...this.classify(message, value));
      }
    } catch (e) {
      this.end('error', `socket callback failed: ${String(e)}`);
    }
  }

  private classify(message: SocketMessage, value: number | undefined): [TransportFailure, string] {
    const code = value === undefined ? '' : ` (${value})`;
    if (this.phase === 'open') return message === -1 ? ['closed', 'closed by the peer'] : ['reset', `connection broke${code}`];
    if (this.phase === 'handshake') return ['tls', TLS_FAILED];
    // A SecureSocket whose TCP connect could not be observed: cannot tell which.
    if (this.secure && !this.tcpObserved) return ['error', `${CONNECT_FAILED}, or ${TLS_FAILED}`];
    return ['refused', CONNECT_FAILED];
  }

  private onWritable(): void {
    if (this.phase !== 'open') return;
    const empty = this.flushQueue();
    if ((this.phase as Phase) === 'ended') return; // the flush failed
    if (this.closing) {
      if (empty) this.end('closed', 'closed by the device');
      return;
    }
    if (empty) this.events.writable();
  }

  /** True when nothing is left queued. */
  private flushQueue(): boolean {
    const socket = this.socket!;
    try {
      return this.queue.flush(socket);
    } catch (e) {
      this.end('reset', `write failed: ${String(e)}`);
      return false;
    }
  }

  private end(failure: TransportFailure, detail: string): void {
    if (this.phase === 'ended') return;
    this.phase = 'ended';
    this.queue.clear();
    if (this.lingerTimer !== undefined) this.m.Timer.clear(this.lingerTimer);
    const socket = this.socket;
    this.socket = undefined;
    try {
      socket?.close(); // throws when the SDK already released it (after -1 on the simulator)
    } catch {
      // already closed
    }
    // Deferred: end() can run inside send()/close() called by the core.
    this.m.Timer.set(() => {
      try {
        this.events.ended(failure, detail);
      } catch {
        // the owner guards its own callbacks
      }
    }, 0);
  }
}
