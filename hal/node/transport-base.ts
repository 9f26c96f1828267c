// The life cycle every Node transport shares: callbacks guarded and never re-entrant, onClose
// exactly once, back-pressure with a high-water mark, and a close that cannot hang.
import type { Log, Transport, TransportEvents, TransportFailure } from '../interfaces';
import { guard } from './log';

export interface TransportSettings {
  /** Refuse writes while more than this many bytes wait to be sent. */
  readonly writeHighWater: number;
  /** After close(), destroy the stream if it has not finished closing by then. */
  readonly closeTimeoutMs: number;
  readonly log: Log;
}

type State = 'opening' | 'open' | 'closing' | 'closed';

export abstract class NodeTransport implements Transport {
  private state: State = 'opening';
  private owedDrain = false;
  private firstFailure: { failure: TransportFailure; detail: string } | undefined;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(
    protected readonly events: TransportEvents,
    protected readonly settings: TransportSettings,
    private readonly onGone: (transport: NodeTransport) => void,
  ) {}

  // ---- what a concrete transport provides ----

  /** Bytes taken but not yet handed to the kernel. */
  protected abstract buffered(): number;
  /** Take a private copy of bytes; call `flushed()` when they have been handed on. */
  protected abstract send(copy: Buffer): void;
  /** Can it still take bytes (not ended by either side)? */
  protected abstract writable(): boolean;
  /** Flush what is queued, then end the stream. */
  protected abstract shutdown(): void;
  /** Release the stream now; its close event follows. */
  protected abstract destroy(): void;

  // ---- the HAL contract ----

  write(bytes: Uint8Array): boolean {
    if (this.state === 'closing' || this.state === 'closed' || !this.writable()) return false;
    if (this.buffered() > this.settings.writeHighWater) {
      this.owedDrain = true;
      return false;
    }
    try {
      this.send(Buffer.from(bytes)); // a copy: the caller may reuse `bytes`
      return true;
    } catch (error) {
      this.fail('error', `write failed: ${String(error)}`);
      this.destroySafely();
      return false;
    }
  }

  close(): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closing';
    this.closeTimer = setTimeout(() => this.forceGone(), this.settings.closeTimeoutMs);
    this.closeTimer.unref();
    if (!wasOpen) {
      this.destroySafely(); // nothing worth flushing before the handshake is done
      return;
    }
    try {
      this.shutdown();
    } catch {
      this.destroySafely();
    }
  }

  /** Hard stop (HAL disposal): no flushing; onClose('closed') still follows. */
  dispose(): void {
    if (this.state === 'closed') return;
    this.state = 'closing';
    this.forceGone();
  }

  // ---- for the concrete transports' event handlers ----

  protected get isOpen(): boolean {
    return this.state === 'open';
  }

  protected opened(): void {
    if (this.state !== 'opening') return; // closed meanwhile: onClose('closed') is on its way
    this.state = 'open';
    guard(this.settings.log, 'transport onOpen', () => this.events.onOpen());
  }

  protected data(chunk: Buffer): void {
    // After close() the core has let go of this transport: late bytes are dropped.
    if (this.state !== 'open') return;
    const view = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    guard(this.settings.log, 'transport onData', () => this.events.onData(view));
  }

  protected flushed(): void {
    if (!this.owedDrain || this.state !== 'open' || this.buffered() > this.settings.writeHighWater) return;
    this.owedDrain = false;
    guard(this.settings.log, 'transport onDrain', () => this.events.onDrain());
  }

  /** Remember why the stream is failing; the first reason wins. */
  protected fail(failure: TransportFailure, detail: string): void {
    this.firstFailure ??= { failure, detail };
  }

  /** The stream is gone. `fallback` says how, when no error was seen. */
  protected gone(fallback: TransportFailure, fallbackDetail?: string): void {
    if (this.state === 'closed') return;
    const closedByUs = this.state === 'closing';
    this.state = 'closed';
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.onGone(this);
    let failure: TransportFailure = fallback;
    let detail = fallbackDetail;
    if (closedByUs) {
      failure = 'closed';
      detail = 'closed by the device';
    } else if (this.firstFailure) {
      ({ failure, detail } = this.firstFailure);
    }
    guard(this.settings.log, 'transport onClose', () => this.events.onClose(failure, detail));
  }

  /** For failures found before there is any stream: report on a later turn, never inside open(). */
  protected goneLater(failure: TransportFailure, detail: string): void {
    this.fail(failure, detail);
    setImmediate(() => this.gone('error'));
  }

  /** Destroy, and make sure onClose comes even if the stream never reports its end. */
  private forceGone(): void {
    this.destroySafely();
    setImmediate(() => this.gone('closed')); // after the close event Node queues (no-op then)
  }

  private destroySafely(): void {
    try {
      this.destroy();
    } catch {
      // destroy() of a Node stream does not throw; if it ever did, the close timer still ends it.
    }
  }
}
