// Local servers for the transport tests: TCP, TLS, WebSocket (plain and TLS) on 127.0.0.1,
// ports picked by the OS. Each records its connections so a test can steer the peer side.
import { createNodeHal, type NodeHal, type NodeHalOptions } from '../../../hal/node';
import { makeTestPki, type TestPki } from '../../../tools/certs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';

export interface PeerServer<C> {
  port: number;
  connections: C[];
  /** Resolves with the next connection (or one already made and not yet taken). */
  nextConnection(): Promise<C>;
  close(): Promise<void>;
}

function tracker<C>() {
  const connections: C[] = [];
  const waiting: ((c: C) => void)[] = [];
  let taken = 0;
  return {
    connections,
    add(c: C) {
      connections.push(c);
      const w = waiting.shift();
      if (w) {
        taken++;
        w(c);
      }
    },
    next(): Promise<C> {
      if (taken < connections.length) return Promise.resolve(connections[taken++]!);
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function closeServer(server: net.Server, sockets: () => net.Socket[]): Promise<void> {
  for (const s of sockets()) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** TCP or TLS server; `echo` sends every byte back. */
export async function startStreamServer(
  opts: { tls?: tls.TlsOptions; echo?: boolean; allowHalfOpen?: boolean } = {},
): Promise<PeerServer<net.Socket>> {
  const t = tracker<net.Socket>();
  const all: net.Socket[] = [];
  const onSocket = (socket: net.Socket): void => {
    all.push(socket);
    socket.on('error', () => {});
    if (opts.echo) socket.on('data', (d) => socket.write(d));
    t.add(socket);
  };
  const allowHalfOpen = opts.allowHalfOpen ?? false;
  const server = opts.tls
    ? tls.createServer({ ...opts.tls, allowHalfOpen }, onSocket)
    : net.createServer({ allowHalfOpen }, onSocket);
  // TLS handshakes the client gives up on are expected in these tests.
  server.on('tlsClientError', () => {});
  const port = await listen(server);
  return { port, connections: t.connections, nextConnection: t.next, close: () => closeServer(server, () => all) };
}

export interface WsPeer {
  ws: WebSocket;
  req: http.IncomingMessage;
}

/** WebSocket server (TLS when `tls` is given) that accepts the `mqtt` subprotocol only. */
export async function startWsServer(
  opts: { tls?: tls.TlsOptions; echo?: boolean; path?: string; acceptProtocol?: boolean } = {},
): Promise<PeerServer<WsPeer>> {
  const t = tracker<WsPeer>();
  const all: net.Socket[] = [];
  const server = opts.tls ? https.createServer(opts.tls) : http.createServer();
  server.on('connection', (s: net.Socket) => all.push(s));
  server.on('tlsClientError', () => {});
  const wss = new WebSocketServer({
    server,
    path: opts.path,
    handleProtocols: (protocols) => (opts.acceptProtocol !== false && protocols.has('mqtt') ? 'mqtt' : false),
  });
  wss.on('connection', (ws, req) => {
    ws.on('error', () => {});
    if (opts.echo) ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
    t.add({ ws, req });
  });
  const port = await listen(server);
  return {
    port,
    connections: t.connections,
    nextConnection: t.next,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await closeServer(server, () => all);
    },
  };
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * What every transport test file needs: a test PKI and an unrelated one (made once), and HALs
 * and servers that are disposed of after each test. Call at the top level of a test file.
 */
export function transportFixtures(): {
  readonly pki: TestPki;
  readonly otherPki: TestPki;
  hal(options?: NodeHalOptions): NodeHal;
  track<S extends PeerServer<unknown>>(server: S): S;
} {
  let pki: TestPki | undefined;
  let otherPki: TestPki | undefined;
  const hals: NodeHal[] = [];
  const servers: PeerServer<unknown>[] = [];
  beforeAll(async () => {
    pki = await makeTestPki();
    otherPki = await makeTestPki(['localhost', '127.0.0.1'], 'some other CA');
  });
  afterEach(async () => {
    for (const h of hals.splice(0)) h.dispose();
    for (const s of servers.splice(0)) await s.close();
  });
  return {
    get pki() {
      return pki!;
    },
    get otherPki() {
      return otherPki!;
    },
    hal(options = {}) {
      const h = createNodeHal({ log: () => {}, ...options });
      hals.push(h);
      return h;
    },
    track(server) {
      servers.push(server);
      return server;
    },
  };
}
