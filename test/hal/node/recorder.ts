// Records what a transport tells the core, checks the HAL's callback rules as it goes, and
// lets a test wait for a condition (re-checked after every callback) instead of sleeping.
import type { Transport, TransportConnector, TransportEvents, TransportFailure, TransportTarget } from '../../../hal/interfaces';

export class TransportRecorder implements TransportEvents {
  readonly calls: string[] = [];
  readonly violations: string[] = [];
  opened = false;
  drains = 0;
  closes: { failure: TransportFailure; detail?: string }[] = [];
  received = Buffer.alloc(0);
  transport: Transport | undefined;
  private inCall = '';
  private waiters: { check: () => boolean; resolve: () => void }[] = [];

  get closed(): { failure: TransportFailure; detail?: string } | undefined {
    return this.closes[0];
  }

  open(connector: TransportConnector, target: TransportTarget): Transport {
    this.transport = this.during('open()', () => connector.open(target, this));
    return this.transport;
  }

  write(bytes: Uint8Array): boolean {
    return this.during('write()', () => this.transport!.write(bytes));
  }

  close(): void {
    this.during('close()', () => this.transport!.close());
  }

  onOpen(): void {
    this.note('onOpen');
    this.opened = true;
    this.settle();
  }

  onData(bytes: Uint8Array): void {
    this.note('onData');
    this.received = Buffer.concat([this.received, bytes]);
    this.settle();
  }

  onDrain(): void {
    this.note('onDrain');
    this.drains++;
    this.settle();
  }

  onClose(failure: TransportFailure, detail?: string): void {
    this.note(`onClose(${failure})`);
    this.closes.push({ failure, detail });
    this.settle();
  }

  /** Resolves once `check()` holds; rejects if the transport closed and it still does not. */
  until(check: () => boolean, what = 'condition'): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({
        check,
        resolve: () => (check() ? resolve() : reject(new Error(`transport closed before ${what}: ${JSON.stringify(this.closes)}`))),
      });
    });
  }

  untilOpen(): Promise<void> {
    return this.until(() => this.opened, 'onOpen');
  }

  untilClosed(): Promise<void> {
    return this.until(() => this.closes.length > 0, 'onClose');
  }

  untilReceived(bytes: number): Promise<void> {
    return this.until(() => this.received.length >= bytes, `${bytes} bytes`);
  }

  private during<T>(name: string, fn: () => T): T {
    this.inCall = name;
    try {
      return fn();
    } finally {
      this.inCall = '';
    }
  }

  private note(name: string): void {
    this.calls.push(name);
    if (this.inCall) this.violations.push(`${name} called inside ${this.inCall}`);
    if (this.closes.length > 0) this.violations.push(`${name} called after onClose`);
  }

  private settle(): void {
    const closed = this.closes.length > 0;
    this.waiters = this.waiters.filter((w) => {
      if (w.check() || closed) {
        w.resolve();
        return false;
      }
      return true;
    });
  }
}

/** A few turns of the event loop: lets late (wrong) callbacks show up before a test ends. */
export async function settleTurns(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
