// A small TCP proxy on 127.0.0.1 for fault tests and the boot benchmark: it forwards to a
// target and can add a fixed delay per direction, cut a connection after a number of bytes
// (in the middle of a packet), stall (stop forwarding, sockets left open), or refuse.
//
// With a delay D, the TCP handshake is delayed too: on a real link the client can send only
// after SYN and SYN-ACK (one round trip) and its first bytes reach the server one more D later,
// so nothing from the client reaches the server before 3 D after the connection was accepted.
// What that leaves out: the client's own connect event still comes at once (a client timing
// its connect, or a refused connect, sees no delay); the target accepts at once, 3 D early (MQTT
// and TLS servers say nothing before the client's first bytes, which are held); closing is not
// delayed (a close cuts both sides at once, dropping bytes still held).
import net from 'node:net';

export interface ProxyOptions {
  targetPort: number;
  targetHost?: string;
  /** Added to every chunk, each direction, and 2 of it to the handshake (see above). */
  delayMs?: number;
}

/** Bytes held for one direction of a connection, sent in order when due. */
interface Lane {
  queue: { due: number; data: Buffer; cutAfter: boolean }[];
  timer: NodeJS.Timeout | undefined;
}

export interface ProxyStats {
  connections: number;
  toServer: number;
  toClient: number;
}

interface Pair {
  client: net.Socket;
  server: net.Socket;
  /** When the connection was accepted (performance.now()). */
  acceptedAt: number;
  toServer: Lane;
  toClient: Lane;
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
    const lane = (): Lane => ({ queue: [], timer: undefined });
    const pair: Pair = { client, server, acceptedAt: performance.now(), toServer: lane(), toClient: lane() };
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
    const d = this.delayMs;
    const lane = pair[dir];
    if (d <= 0 && lane.queue.length === 0) {
      this.send(pair, dir, data, cutNow);
      return;
    }
    // Client bytes leave no earlier than when the SYN-ACK would have reached the client.
    const now = performance.now();
    const due = d <= 0 ? now : (dir === 'toServer' ? Math.max(now, pair.acceptedAt + 2 * d) : now) + d;
    lane.queue.push({ due, data, cutAfter: cutNow });
    this.schedule(pair, dir);
  }

  /** Send what is due on a lane, in order, and wait for the next. */
  private schedule(pair: Pair, dir: 'toServer' | 'toClient'): void {
    const lane = pair[dir];
    if (lane.timer !== undefined) return;
    const head = lane.queue[0];
    if (!head) return;
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      const now = performance.now();
      while (lane.queue.length > 0 && lane.queue[0]!.due <= now + 0.5) {
        const c = lane.queue.shift()!;
        this.send(pair, dir, c.data, c.cutAfter);
      }
      this.schedule(pair, dir);
    }, Math.max(0, head.due - performance.now()));
  }

  private send(pair: Pair, dir: 'toServer' | 'toClient', data: Buffer, cutNow: boolean): void {
    const to = dir === 'toServer' ? pair.server : pair.client;
    if (data.length > 0 && !to.destroyed) to.write(data);
    if (cutNow) {
      this.cutToClientAfter = null;
      // Let the partial packet reach the client before the cut.
      setImmediate(() => this.drop(pair));
    }
  }

  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    for (const lane of [pair.toServer, pair.toClient]) {
      if (lane.timer !== undefined) clearTimeout(lane.timer);
      lane.timer = undefined;
      lane.queue.length = 0;
    }
    pair.client.destroy();
    pair.server.destroy();
  }
}
