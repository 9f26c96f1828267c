// HttpClient on the SDK's classic "http" Request (for Blynk.Air downloads). The Request reports
// the status (1), each header with a lower-case name (2), the end of the headers (3), body
// fragments (4: read them inside the call), completion (5) and errors (-2). It handles
// Content-Length, chunked and read-until-close bodies and sends "Connection: close".
import type { HttpClient, HttpRequest, HttpRequestEvents, HttpResponseHead, Log } from '../interfaces';
import type { CaChooser } from './connector';
import type { HttpRequestConstructor, HttpRequestLike, ModdableModules } from './types';

export interface ParsedUrl {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  /** Path and query, at least "/". */
  readonly path: string;
}

export function parseHttpUrl(url: string): ParsedUrl | undefined {
  const m = /^(https?):\/\/(\[[^\]]+\]|[^/:?#]+)(?::(\d{1,5}))?([^#]*)/i.exec(url);
  if (!m) return undefined;
  const secure = m[1]!.toLowerCase() === 'https';
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  const port = m[3] ? Number(m[3]) : secure ? 443 : 80;
  if (!(port >= 1 && port <= 65535)) return undefined;
  let path = m[4] || '/';
  if (path.startsWith('?')) path = '/' + path;
  return { secure, host, port, path };
}

class Head implements HttpResponseHead {
  readonly length: number | undefined;
  constructor(
    readonly status: number,
    private readonly headers: Map<string, string>,
  ) {
    const cl = headers.get('content-length');
    const n = cl === undefined ? NaN : Number(cl);
    this.length = Number.isInteger(n) && n >= 0 ? n : undefined;
  }
  header(name: string): string | undefined {
    return this.headers.get(name.toLowerCase());
  }
}

class ModdableHttpRequest implements HttpRequest {
  private request: HttpRequestLike | undefined;
  private finished = false;
  private status = 0;
  private readonly headers = new Map<string, string>();

  constructor(
    private readonly m: Pick<ModdableModules, 'Timer' | 'Socket' | 'SecureSocket'>,
    Request: HttpRequestConstructor,
    url: string,
    private readonly events: HttpRequestEvents,
    private readonly log: Log,
    cas: CaChooser,
  ) {
    const parsed = parseHttpUrl(url);
    if (!parsed) {
      this.failLater(`not an http(s) URL: ${url.slice(0, 60)}`);
      return;
    }
    if (parsed.secure && !m.SecureSocket) {
      this.failLater('https needs TLS in the build: include $(MODDABLE)/modules/crypt/tls.json');
      return;
    }
    try {
      const request = new Request({
        host: parsed.host,
        port: parsed.port,
        path: parsed.path,
        method: 'GET',
        ...(parsed.secure ? { Socket: m.SecureSocket!, secure: cas.secure() } : {}),
      });
      this.request = request;
      request.callback = (message: number, value?: unknown, etc?: unknown) => this.onMessage(message, value, etc);
      // The Request's own socket callback can throw (e.g. "unexpected status format"): catch it.
      const socket = request.socket;
      const inner = socket?.callback;
      if (socket && typeof inner === 'function') {
        socket.callback = (message: number, v?: number) => {
          try {
            inner.call(socket, message, v);
          } catch (e) {
            this.fail(`http: ${String(e)}`);
          }
        };
      }
    } catch (e) {
      this.failLater(`http: cannot start the request: ${String(e)}`);
    }
  }

  abort(): void {
    if (this.finished) return;
    this.finished = true;
    this.release();
  }

  private onMessage(message: number, value: unknown, etc: unknown): void {
    if (this.finished) return;
    try {
      if (message === 1) this.status = Number(value);
      else if (message === 2) this.headers.set(String(value).toLowerCase(), String(etc));
      else if (message === 3) this.events.onResponse(new Head(this.status, this.headers));
      else if (message === 4) {
        const buffer = this.request?.read(ArrayBuffer, Number(value));
        if (buffer && buffer.byteLength > 0 && !this.finished) this.events.onData(new Uint8Array(buffer));
      } else if (message === 5) {
        this.finished = true;
        this.release();
        this.events.onDone();
      } else if (message < 0) this.fail(`http: connection failed or ended early (${this.status || 'no response'})`);
    } catch (e) {
      // A handler threw: stop the download and report it once.
      this.fail(`http: handler threw: ${String(e)}`);
    }
  }

  private fail(detail: string): void {
    if (this.finished) return;
    this.finished = true;
    this.release();
    try {
      this.events.onError(detail);
    } catch (e) {
      this.log.write('error', `http onError threw: ${String(e)}`);
    }
  }

  private failLater(detail: string): void {
    this.m.Timer.set(() => this.fail(detail), 0);
  }

  private release(): void {
    const request = this.request;
    this.request = undefined;
    try {
      request?.close();
    } catch {
      // already closed
    }
  }
}

export class ModdableHttpClient implements HttpClient {
  constructor(
    private readonly m: ModdableModules & { Request: HttpRequestConstructor },
    private readonly cas: CaChooser,
    private readonly log: Log,
  ) {}

  get(url: string, events: HttpRequestEvents): HttpRequest {
    return new ModdableHttpRequest(this.m, this.m.Request, url, events, this.log, this.cas);
  }
}
