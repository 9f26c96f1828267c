// A small TCP proxy on 127.0.0.1 for fault tests and the boot benchmark: it forwards to a
// target and can add a fixed delay per direction, cut a connection after a number of bytes
// (in the middle of a packet), stall (stop forwarding, sockets left open), or refuse.
import net from 'node:net';

export interface ProxyOptions {
  targetPort: number;
  targetHost?: string;
  /** Added to every chunk, each direction. */
  delayMs?: number;
}

export interface ProxyStats {
  connections: number;
  toServer: number;
  toClient: number;
}

interface Pair {
  client: net.Socket;
  server: net.Socket;
}

export class TcpProxy {
  readonly stats: ProxyStats = { connections: 0, toServer: 0, toClient: 0 };
  delayMs: number;
  /** Forward at most this many more bytes server→client, then cut both sides (null: no limit). */
  cutToClientAfter: number | null = null;
  /** Stop forwarding in both directions (the peer looks alive but says nothing). */
  stalled = false;
  /** Refuse new connections (close them at once). */
  refusing = false;
  private readonly server: net.Server;
  private readonly pairs = new Set<Pair>();
  private readonly target: { host: string; port: number };
  private portNumber = 0;

  private constructor(opts: ProxyOptions) {
    this.delayMs = opts.delayMs ?? 0;
    this.target = { host: opts.targetHost ?? '127.0.0.1', port: opts.targetPort };
    this.server = net.createServer((c) => this.accept(c));
  }

  static async start(opts: ProxyOptions): Promise<TcpProxy> {
    const p = new TcpProxy(opts);
    await new Promise<void>((resolve, reject) => {
      p.server.once('error', reject);
      p.server.listen(0, '127.0.0.1', () => resolve());
    });
    p.portNumber = (p.server.address() as net.AddressInfo).port;
    return p;
  }

  get port(): number {
    return this.portNumber;
  }

  /** Cut every open connection now (both sides see a reset). */
  cutAll(): void {
    for (const p of this.pairs) this.drop(p);
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    this.stats.connections++;
    client.setNoDelay(true);
    const server = net.connect(this.target.port, this.target.host);
    server.setNoDelay(true);
    const pair = { client, server };
    this.pairs.add(pair);
    const end = () => this.drop(pair);
    client.on('error', end).on('close', end);
    server.on('error', end).on('close', end);
    client.on('data', (b) => this.forward(pair, b, 'toServer'));
    server.on('data', (b) => this.forward(pair, b, 'toClient'));
  }

  private forward(pair: Pair, chunk: Buffer, dir: 'toServer' | 'toClient'): void {
    if (this.stalled) return;
    let data = chunk;
    let cutNow = false;
    if (dir === 'toClient' && this.cutToClientAfter !== null) {
      if (data.length >= this.cutToClientAfter) {
        data = data.subarray(0, this.cutToClientAfter);
        cutNow = true;
      }
      this.cutToClientAfter -= data.length;
    }
    this.stats[dir] += data.length;
    const to = dir === 'toServer' ? pair.server : pair.client;
    const send = () => {
      if (data.length > 0 && !to.destroyed) to.write(data);
      if (cutNow) {
        this.cutToClientAfter = null;
        // Let the partial packet reach the client before the cut.
        setImmediate(() => this.drop(pair));
      }
    };
    if (this.delayMs > 0) setTimeout(send, this.delayMs);
    else send();
  }

  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.destroy();
    pair.server.destroy();
  }
}
