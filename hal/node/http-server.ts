// Config mode's HTTP server on a host: node:http on 127.0.0.1, one request per connection,
// with the limits the core asks for enforced here (size, a client that stalls, how many at
// once), so that the core only ever sees complete, bounded requests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { HttpServerFactory, HttpServerHandler, HttpServerInstance, HttpServerLimits, HttpServerResponse, Log } from '../interfaces';

const REASONS: Record<number, string> = { 408: 'Request Timeout', 413: 'Content Too Large', 503: 'Service Unavailable' };

/** A raw answer for a socket the HTTP parser is not done with (stalled, too many). */
function rawError(socket: Socket, status: number): void {
  if (socket.destroyed) return;
  const body = `{"status":"error","msg":"${REASONS[status]}"}`;
  socket.end(`HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
  setTimeout(() => socket.destroy(), 200).unref();
}

class NodeHttpServerInstance implements HttpServerInstance {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private closed = false;

  constructor(port: number, private readonly limits: HttpServerLimits, private readonly handler: HttpServerHandler, private readonly log: Log) {
    // maxHeaderSize bounds the request line and headers (Node answers 431 itself).
    this.server = createServer({ maxHeaderSize: limits.maxRequestBytes, requestTimeout: 0, headersTimeout: 0, keepAliveTimeout: 0 });
    this.server.on('connection', (socket) => this.connection(socket));
    this.server.on('request', (req, res) => this.request(req, res));
    this.server.on('clientError', (e: Error & { code?: string }, socket) => {
      if (socket.destroyed) return;
      const status = e.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    });
    this.server.on('error', (e) => this.log.write('error', `config-mode HTTP server: ${e.message}`));
    this.server.listen(port, '127.0.0.1');
  }

  get port(): number {
    const a = this.server.address();
    return a && typeof a === 'object' ? a.port : 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.server.close();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private connection(socket: Socket): void {
    if (this.closed) return void socket.destroy();
    if (this.sockets.size >= this.limits.maxConnections) return rawError(socket, 503);
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    // The whole request must arrive within requestTimeoutMs (headers and body): a stalled
    // client gets 408 and its connection is closed, so it cannot hold a slot forever.
    const timer = setTimeout(() => {
      this.sockets.delete(socket); // its slot is free from now on, not when the peer is done closing
      rawError(socket, 408);
    }, this.limits.requestTimeoutMs);
    timer.unref();
    (socket as Socket & { __stallTimer?: NodeJS.Timeout }).__stallTimer = timer;
    socket.on('close', () => clearTimeout(timer));
  }

  private request(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket as Socket & { __stallTimer?: NodeJS.Timeout };
    const target = req.url ?? '/';
    const limit = this.limits.maxRequestBytes;
    const chunks: Buffer[] = [];
    let size = Buffer.byteLength(target, 'latin1');
    let over = false;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) over = true;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) over = true;
      else chunks.push(c);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      clearTimeout(socket.__stallTimer);
      if (over) return this.send(res, { status: 413, contentType: 'application/json', body: Buffer.from('{"status":"error","msg":"Request too large"}') });
      const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      let done = false;
      try {
        this.handler(
          { method: String(req.method ?? 'GET').toUpperCase(), target, contentType: type === '' ? undefined : type, body: new Uint8Array(Buffer.concat(chunks)) },
          (r) => {
            if (done) return;
            done = true;
            this.send(res, r);
          },
        );
      } catch (e) {
        this.log.write('error', `config-mode handler threw: ${String(e)}`);
        if (!done) this.send(res, { status: 500, contentType: 'application/json', body: Buffer.from('{"status":"error","msg":"internal error"}') });
      }
    });
    if (over) req.resume();
  }

  private send(res: ServerResponse, r: HttpServerResponse): void {
    if (res.writableEnded || res.destroyed) return;
    const socket = res.socket;
    res.on('finish', () => {
      if (socket) this.sockets.delete(socket);
    });
    res.writeHead(r.status, { 'Content-Type': r.contentType, 'Content-Length': r.body.length, Connection: 'close', 'Cache-Control': 'no-store' });
    res.end(Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength));
  }
}

export class NodeHttpServerFactory implements HttpServerFactory {
  private readonly live = new Set<HttpServerInstance>();

  constructor(private readonly log: Log) {}

  listen(port: number, limits: HttpServerLimits, handler: HttpServerHandler): HttpServerInstance | undefined {
    try {
      const s = new NodeHttpServerInstance(port, limits, handler, this.log);
      this.live.add(s);
      return {
        get port() {
          return s.port;
        },
        close: () => {
          this.live.delete(s);
          s.close();
        },
      };
    } catch (e) {
      this.log.write('error', `config-mode HTTP server could not start: ${String(e)}`);
      return undefined;
    }
  }

  dispose(): void {
    for (const s of this.live) s.close();
    this.live.clear();
  }
}
