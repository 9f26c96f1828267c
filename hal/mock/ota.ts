// Blynk.Air on the mock HAL: an HTTP client the test scripts per URL (status, headers, body,
// cut short, broken, stalled), delivered in chunks on the virtual clock; and an OTA writer that
// keeps the image in memory and can fail at begin, at a given byte, or at complete.
import type { HttpClient, HttpRequest, HttpRequestEvents, OtaWriter, Timers } from '../interfaces';

export interface MockHttpResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Content-Length to announce (default: body length; null: none). */
  length?: number | null;
  chunkSize?: number;
  /** Virtual ms between chunks (default 1): a slow or trickling server. */
  intervalMs?: number;
  /** Deliver only this many body bytes, then end (as if the server closed early). */
  cutAt?: number;
  /** Fail with onError after this many body bytes. */
  errorAt?: number;
  /** Never answer (or stop sending after `cutAt` bytes when both are set). */
  stall?: boolean;
  /** No answer at all: onError at once (DNS, refused). */
  fail?: string;
}

export class MockHttpClient implements HttpClient {
  readonly routes = new Map<string, MockHttpResponse>();
  readonly requests: string[] = [];
  aborted = 0;
  private readonly timers: Timers;

  constructor(timers: Timers) {
    this.timers = timers;
  }

  serve(url: string, r: MockHttpResponse): void {
    this.routes.set(url, r);
  }

  get(url: string, events: HttpRequestEvents): HttpRequest {
    this.requests.push(url);
    const r = this.routes.get(url) ?? { status: 404, body: new Uint8Array(0) };
    let live = true;
    const later = (fn: () => void, ms = 1) => this.timers.set(() => live && fn(), ms);
    if (r.fail !== undefined) {
      later(() => {
        live = false;
        events.onError(r.fail!);
      });
    } else if (!(r.stall && r.cutAt === undefined)) {
      const body = r.body ?? new Uint8Array(0);
      const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      const length = r.length === null ? undefined : (r.length ?? body.length);
      later(() => {
        events.onResponse({ status: r.status ?? 200, length, header: (name) => headers[name.toLowerCase()] });
        const limit = Math.min(body.length, r.cutAt ?? Infinity, r.errorAt ?? Infinity);
        const step = Math.max(1, r.chunkSize ?? 256);
        let pos = 0;
        const pump = () => {
          if (pos < limit) {
            const n = Math.min(step, limit - pos);
            events.onData(body.slice(pos, pos + n));
            pos += n;
            later(pump, r.intervalMs ?? 1);
            return;
          }
          if (r.stall) return;
          live = false;
          if (r.errorAt !== undefined) events.onError('connection reset');
          else events.onDone();
        };
        later(pump);
      });
    }
    return {
      abort: () => {
        if (live) this.aborted++;
        live = false;
      },
    };
  }
}

export type OtaWriterState = 'idle' | 'writing' | 'complete' | 'aborted';

export class MockOtaWriter implements OtaWriter {
  state: OtaWriterState = 'idle';
  size = 0;
  written = 0;
  image = new Uint8Array(0);
  capacityBytes: number;
  failBegin = false;
  /** Throw on the write that would pass this many bytes (a flash error, or power dropping). */
  failWriteAt = -1;
  failComplete = false;
  begins = 0;
  aborts = 0;

  constructor(capacity = 1 << 20) {
    this.capacityBytes = capacity;
  }

  capacity(): number {
    return this.capacityBytes;
  }

  begin(size: number): void {
    this.begins++;
    if (this.failBegin) throw new Error('esp_ota_begin failed');
    if (size > this.capacityBytes) throw new Error('image too large');
    this.state = 'writing';
    this.size = size;
    this.written = 0;
    this.image = new Uint8Array(size);
  }

  write(chunk: Uint8Array): void {
    if (this.state !== 'writing') throw new Error('not writing');
    if (this.failWriteAt >= 0 && this.written + chunk.length > this.failWriteAt) throw new Error('flash write failed');
    if (this.written + chunk.length > this.size) throw new Error('image longer than announced');
    this.image.set(chunk, this.written);
    this.written += chunk.length;
  }

  complete(): void {
    if (this.state !== 'writing') throw new Error('not writing');
    if (this.failComplete) throw new Error('image validation failed');
    if (this.written !== this.size) throw new Error('image incomplete');
    this.state = 'complete';
  }

  abort(): void {
    this.aborts++;
    if (this.state === 'writing') this.state = 'aborted';
  }
}
