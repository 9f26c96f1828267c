// Stand-in for Moddable's "socket" module (see wire.ts): no network, bytes come from the bench.
import { wire, type StandInSocket } from './wire';

export class Socket implements StandInSocket {
  callback: ((state: number, value?: number) => void) | undefined;
  pending: ArrayBuffer | undefined;
  written = 0;

  constructor(_options: unknown) {
    wire.sockets.push(this);
  }

  /** read(ArrayBuffer): what arrived. The bench hands over one prepared buffer per chunk, so the copy a device's socket makes here is left out (as it is for the runtime). */
  read(_type: unknown): ArrayBuffer | undefined {
    const b = this.pending;
    this.pending = undefined;
    return b;
  }

  write(data: ArrayBuffer): void {
    this.written += data.byteLength;
  }

  close(): void {
    this.callback = undefined;
  }
}
