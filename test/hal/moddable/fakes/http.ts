// The classic "http" Request: the test plays the server side through the callback messages.
import type { HttpRequestLike } from '../../../../hal/moddable/types';

export class FakeRequest implements HttpRequestLike {
  static instances: FakeRequest[] = [];
  static throwOnCreate: string | undefined;
  callback: (message: number, value?: unknown, etc?: unknown) => unknown = () => {};
  socket: { callback: (message: number, value?: number) => void };
  closed = 0;
  /** Makes the socket callback throw, as http.js does on a garbled status line. */
  garbled = false;
  private available = new Uint8Array(0);

  constructor(readonly options: { host: string; port: number; path: string; method: string; Socket?: unknown; secure?: unknown }) {
    if (FakeRequest.throwOnCreate) throw new Error(FakeRequest.throwOnCreate);
    FakeRequest.instances.push(this);
    this.socket = {
      callback: () => {
        if (this.garbled) throw new Error('unexpected status format');
      },
    };
  }

  static last(): FakeRequest {
    return FakeRequest.instances[FakeRequest.instances.length - 1]!;
  }

  read(_type: typeof ArrayBuffer, count?: number): ArrayBuffer | undefined {
    if (this.available.length === 0) return undefined;
    const n = Math.min(count ?? this.available.length, this.available.length);
    const out = this.available.slice(0, n).buffer;
    this.available = this.available.subarray(n);
    return out;
  }

  close(): void {
    this.closed++;
  }

  // ---- server side ----
  status(code: number): void {
    this.callback(1, code);
  }
  header(name: string, value: string): void {
    this.callback(2, name.toLowerCase(), value);
  }
  headersDone(): void {
    this.callback(3);
  }
  fragment(bytes: number[] | Uint8Array): void {
    this.available = Uint8Array.from(bytes);
    this.callback(4, this.available.length);
  }
  complete(): void {
    this.callback(5);
  }
  error(): void {
    this.callback(-2);
  }

  static reset(): void {
    FakeRequest.instances = [];
    FakeRequest.throwOnCreate = undefined;
  }
}
