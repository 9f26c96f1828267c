// The emulator's network side: one plain TCP server per (region, scheme), all on 127.0.0.1.
// TLS and WebSocket are layered by hand on the accepted socket, so every listener can be paused
// the same way (refuse / reset / blackhole) and every raw socket is ours to destroy on close().
import net from 'node:net';
import tls from 'node:tls';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { TestPki } from '../certs';
import { resetSocket } from '../net/reset';
import type { ListenerInfo, PauseMode, RegionSpec, Scheme } from './types';
import { SCHEMES } from './types';

const HOST = '127.0.0.1';
const WS_PATH = '/mqtt';

/** An MQTT byte stream ready for the broker, with where it came from. */
export type StreamHandler = (info: ListenerInfo, stream: Duplex, remotePort: number) => void;

interface Listener {
  info: ListenerInfo;
  server: net.Server;
  /** For ws/wss: parses the HTTP upgrade on our (possibly TLS) socket. */
  http?: http.Server;
}

function uriFor(scheme: Scheme, host: string, port: number): string {
  return `${scheme}://${host}:${port}${scheme === 'ws' || scheme === 'wss' ? WS_PATH : ''}`;
}

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

function reject400(socket: Duplex, why: string): void {
  socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(why)}\r\n\r\n${why}`);
}

export class Listeners {
  private readonly all: Listener[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly blackholed = new Map<Listener, Set<net.Socket>>();
  /** Remote port of the raw socket under a (possibly TLS) transport. */
  private readonly ports = new WeakMap<object, number>();
  private readonly secureContext: tls.SecureContext;
  private readonly wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    // Real brokers insist on the `mqtt` subprotocol; the upgrade handler already checked it.
    handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
  });

  constructor(pki: TestPki, private readonly onStream: StreamHandler, private readonly warn: (msg: string) => void) {
    this.secureContext = tls.createSecureContext({ cert: pki.certPem, key: pki.keyPem });
  }

  async start(regions: Record<string, RegionSpec>): Promise<void> {
    for (const [region, spec] of Object.entries(regions)) {
      const empty = Object.keys(spec).length === 0;
      for (const scheme of SCHEMES) {
        const want = empty ? 0 : spec[scheme];
        if (want === undefined || want === false) continue;
        const port = want === true ? 0 : want;
        await this.add(region, scheme, port);
      }
    }
  }

  private async add(region: string, scheme: Scheme, wantPort: number): Promise<void> {
    const info: ListenerInfo = { region, scheme, port: 0, uri: '', localhostUri: '', paused: false };
    const l: Listener = { info, server: net.createServer((s) => this.accept(l, s)) };
    if (scheme === 'ws' || scheme === 'wss') l.http = this.makeUpgrader(info);
    const port = await listen(l.server, wantPort);
    Object.assign(info, { port, uri: uriFor(scheme, HOST, port), localhostUri: uriFor(scheme, 'localhost', port) });
    this.all.push(l);
  }

  private makeUpgrader(info: ListenerInfo): http.Server {
    const server = http.createServer((_req, res) => {
      res.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close' }).end('MQTT over WebSocket only\n');
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      if (path !== WS_PATH) return reject400(socket, `unknown path ${path}; use ${WS_PATH}\n`);
      if (!protocols.includes('mqtt')) return reject400(socket, 'subprotocol mqtt required\n');
      const remotePort = this.ports.get(req.socket) ?? 0;
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const stream = createWebSocketStream(ws);
        // Errors surface through the gate; this only prevents an unhandled 'error'.
        stream.on('error', () => undefined);
        this.onStream(info, stream, remotePort);
      });
    });
    return server;
  }

  private accept(l: Listener, sock: net.Socket): void {
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => undefined); // reset by peer etc.: the 'close' that follows is what matters
    sock.setNoDelay(true);
    const paused = l.info.paused;
    if (paused === 'reset') {
      resetSocket(sock);
      return;
    }
    if (paused === 'blackhole') {
      // Read and drop, never answer; destroyed on resume or close.
      const held = this.blackholed.get(l) ?? new Set<net.Socket>();
      this.blackholed.set(l, held);
      held.add(sock);
      sock.on('close', () => held.delete(sock));
      sock.resume();
      return;
    }
    const remotePort = sock.remotePort ?? 0;
    const scheme = l.info.scheme;
    let transport: Duplex = sock;
    if (scheme === 'mqtts' || scheme === 'wss') {
      const t = new tls.TLSSocket(sock, { isServer: true, secureContext: this.secureContext });
      t.on('error', (e) => {
        this.warn(`TLS error on ${l.info.region} ${scheme} from port ${remotePort}: ${e.message}`);
        sock.destroy();
      });
      transport = t;
    }
    this.ports.set(transport, remotePort);
    if (l.http) l.http.emit('connection', transport);
    else this.onStream(l.info, transport, remotePort);
  }

  list(): ListenerInfo[] {
    return this.all.map((l) => ({ ...l.info }));
  }

  find(region: string, scheme: Scheme): ListenerInfo | undefined {
    const l = this.all.find((x) => x.info.region === region && x.info.scheme === scheme);
    return l ? { ...l.info } : undefined;
  }

  private select(region: string, scheme?: Scheme): Listener[] {
    const found = this.all.filter((l) => l.info.region === region && (!scheme || l.info.scheme === scheme));
    if (found.length === 0) throw new Error(`no listener for region "${region}"${scheme ? ` scheme ${scheme}` : ''}`);
    return found;
  }

  /** Simulate an outage of the selected listeners; returns what was paused. */
  async pause(region: string, scheme: Scheme | undefined, mode: PauseMode): Promise<ListenerInfo[]> {
    const ls = this.select(region, scheme);
    for (const l of ls) {
      if (l.info.paused === 'refuse' && mode !== 'refuse') await listen(l.server, l.info.port);
      l.info.paused = mode;
      // Stops accepting at once; the close callback would wait for open connections, so not awaited.
      if (mode === 'refuse' && l.server.listening) l.server.close();
    }
    return ls.map((l) => ({ ...l.info }));
  }

  async resume(region: string, scheme?: Scheme): Promise<ListenerInfo[]> {
    const ls = this.select(region, scheme);
    for (const l of ls) {
      const was = l.info.paused;
      l.info.paused = false;
      for (const s of this.blackholed.get(l) ?? []) s.destroy();
      this.blackholed.delete(l);
      // Same port again, so URIs handed out (and redirects) stay valid.
      if (was === 'refuse') await listen(l.server, l.info.port);
    }
    return ls.map((l) => ({ ...l.info }));
  }

  async close(): Promise<void> {
    const closing = this.all.map((l) => closeServer(l.server));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.wss.close();
    await Promise.all(closing);
  }
}
