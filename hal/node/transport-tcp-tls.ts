// mqtt:// over node:net and mqtts:// over node:tls.
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { TransportEvents, TransportTarget } from '../interfaces';
import { NodeTransport, type TransportSettings } from './transport-base';
import { classifyError, errorDetail, type Phase } from './transport-errors';
import { tlsConnectOptions, type TlsSettings } from './tls-options';

/** Bytes read in a row before reading pauses for one turn of the event loop. */
const YIELD_BYTES = 64 * 1024;

export class StreamTransport extends NodeTransport {
  private socket: net.Socket | undefined;
  private phase: Phase = 'connecting';
  private unyielded = 0; // bytes read since reading last paused
  private yielding = false;

  constructor(
    target: TransportTarget,
    tlsSettings: TlsSettings | undefined,
    events: TransportEvents,
    settings: TransportSettings,
    onGone: (transport: NodeTransport) => void,
  ) {
    super(events, settings, onGone);
    let socket: net.Socket;
    // Checked here, not left to Node: net.connect() makes the socket and its TCP handle before
    // it throws on a bad port, and that handle would stay open for the life of the process.
    if (!Number.isInteger(target.port) || target.port < 0 || target.port > 65535) {
      this.goneLater('error', `bad port ${String(target.port)}`);
      return;
    }
    try {
      const where = { host: target.host, port: target.port, noDelay: true };
      socket = tlsSettings ? tls.connect({ ...where, ...tlsConnectOptions(tlsSettings, target.host) }) : net.connect(where);
    } catch (error) {
      // Bad port or host: Node throws synchronously; report it like any other failure.
      this.goneLater('error', errorDetail(error));
      return;
    }
    this.socket = socket;
    socket.setNoDelay(true);
    socket.once('connect', () => {
      if (tlsSettings) this.phase = 'tls-handshake';
      else this.ready();
    });
    if (tlsSettings) socket.once('secureConnect', () => this.ready());
    socket.on('data', (chunk: Buffer) => {
      this.data(chunk);
      this.yieldAfter(socket, chunk.length);
    });
    socket.on('drain', () => this.flushed());
    socket.on('error', (error) => this.fail(classifyError(error, this.phase), errorDetail(error)));
    socket.on('close', () => this.gone('closed', 'closed by the peer'));
  }

  /**
   * Under a flood, Node reads up to 32 chunks (2 MB) per turn of its loop before timers run: a
   * device flooded with downlinks would send its own timed writes tens of ms late. After
   * YIELD_BYTES in a row, reading pauses until the loop has gone round once.
   */
  private yieldAfter(socket: net.Socket, n: number): void {
    this.unyielded += n;
    if (this.unyielded < YIELD_BYTES || this.yielding) return;
    this.yielding = true;
    socket.pause();
    setImmediate(() => {
      this.yielding = false;
      this.unyielded = 0;
      if (!socket.destroyed) socket.resume();
    });
  }

  private ready(): void {
    this.phase = 'open';
    this.opened();
  }

  protected buffered(): number {
    return this.socket?.writableLength ?? 0;
  }

  protected writable(): boolean {
    return this.socket !== undefined && !this.socket.destroyed && !this.socket.writableEnded;
  }

  protected send(copy: Buffer): void {
    this.socket?.write(copy, () => this.flushed());
  }

  protected shutdown(): void {
    this.socket?.end();
  }

  protected destroy(): void {
    this.socket?.destroy();
  }
}
