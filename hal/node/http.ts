// HTTP(S) GET for Blynk.Air downloads: no redirects followed, exactly one of onDone/onError,
// nothing after abort(), and a body cut short of its Content-Length is an error.
import * as http from 'node:http';
import * as https from 'node:https';
import type { HttpClient, HttpRequest, HttpRequestEvents, HttpResponseHead, Log } from '../interfaces';
import { guard } from './log';
import { errorDetail } from './transport-errors';
import { tlsConnectOptions, type TlsSettings } from './tls-options';

export interface HttpSettings {
  readonly tls: TlsSettings;
  /** Give up when the server sends nothing for this long. */
  readonly idleTimeoutMs: number;
  readonly log: Log;
}

function head(res: http.IncomingMessage, length: number | undefined): HttpResponseHead {
  return {
    status: res.statusCode ?? 0,
    length,
    header(name) {
      const value = res.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

function contentLength(res: http.IncomingMessage): number | undefined {
  const text = res.headers['content-length'];
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

class NodeHttpRequest implements HttpRequest {
  private finished = false;
  private req: http.ClientRequest | undefined;

  constructor(
    url: string,
    private readonly events: HttpRequestEvents,
    private readonly settings: HttpSettings,
    private readonly onGone: (r: NodeHttpRequest) => void,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`unsupported scheme ${parsed.protocol}`);
    } catch (error) {
      setImmediate(() => this.error(`bad URL: ${errorDetail(error)}`)); // never inside get()
      return;
    }
    const secure = parsed.protocol === 'https:';
    const onResponse = (res: http.IncomingMessage): void => this.response(res);
    const host = parsed.hostname.replace(/^\[|\]$/g, ''); // IPv6 literals come bracketed
    const where = {
      host,
      port: parsed.port === '' ? undefined : Number(parsed.port),
      path: `${parsed.pathname}${parsed.search}`,
      agent: false, // no pooled socket outlives the download
    };
    try {
      this.req = secure
        ? https.get({ ...where, ...tlsConnectOptions(settings.tls, host) }, onResponse)
        : http.get(where, onResponse);
    } catch (error) {
      setImmediate(() => this.error(errorDetail(error)));
      return;
    }
    this.req.on('error', (error) => this.error(errorDetail(error)));
    this.req.setTimeout(settings.idleTimeoutMs, () => {
      this.error(`no data for ${settings.idleTimeoutMs} ms`);
      this.req?.destroy();
    });
  }

  abort(): void {
    if (this.finished) return;
    this.finish();
    this.req?.destroy();
  }

  dispose(): void {
    this.abort();
  }

  private response(res: http.IncomingMessage): void {
    const length = contentLength(res);
    let received = 0;
    res.on('data', (chunk: Buffer) => {
      received += chunk.byteLength;
      if (this.finished) return;
      const view = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      guard(this.settings.log, 'http onData', () => this.events.onData(view));
    });
    res.on('end', () => {
      if (length !== undefined && received !== length) this.error(`body is ${received} bytes, Content-Length says ${length}`);
      else this.done();
    });
    // Node reports a connection that dropped mid-body as an 'aborted' error and a close without 'end'.
    const cut = (): string => `connection closed after ${received}${length === undefined ? '' : ` of ${length}`} body bytes`;
    res.on('error', (error) => this.error(res.complete ? `body: ${errorDetail(error)}` : cut()));
    res.on('close', () => {
      if (!res.complete) this.error(cut());
    });
    if (this.finished) return;
    guard(this.settings.log, 'http onResponse', () => this.events.onResponse(head(res, length)));
  }

  private done(): void {
    if (this.finished) return;
    this.finish();
    guard(this.settings.log, 'http onDone', () => this.events.onDone());
  }

  private error(detail: string): void {
    if (this.finished) return;
    this.finish();
    this.req?.destroy();
    guard(this.settings.log, 'http onError', () => this.events.onError(detail));
  }

  private finish(): void {
    this.finished = true;
    this.onGone(this);
  }
}

export class NodeHttpClient implements HttpClient {
  private readonly live = new Set<NodeHttpRequest>();

  constructor(private readonly settings: HttpSettings) {}

  get(url: string, events: HttpRequestEvents): HttpRequest {
    const request = new NodeHttpRequest(url, events, this.settings, (r) => this.live.delete(r));
    this.live.add(request);
    return request;
  }

  /** Abort every request in flight (no callbacks follow). */
  dispose(): void {
    for (const request of [...this.live]) request.dispose();
  }
}
