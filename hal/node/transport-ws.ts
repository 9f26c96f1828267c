// ws:// and wss://: MQTT over WebSocket (subprotocol "mqtt", binary frames) with the ws package.
import * as net from 'node:net';
import * as tls from 'node:tls';
import WebSocket from 'ws';
import type { TransportEvents, TransportTarget } from '../interfaces';
import { NodeTransport, type TransportSettings } from './transport-base';
import { classifyError, errorDetail, type Phase, wsCloseFailure } from './transport-errors';
import { tlsConnectOptions, type TlsSettings } from './tls-options';

function wsUrl(target: TransportTarget): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  const path = target.path === '' ? '/' : target.path.startsWith('/') ? target.path : `/${target.path}`;
  return `${target.scheme}://${host}:${target.port}${path}`;
}

export class WsTransport extends NodeTransport {
  private ws: WebSocket | undefined;
  private phase: Phase = 'connecting';
  /** Bytes written before the upgrade finished: ws cannot send before 'open'. */
  private early: Buffer[] = [];
  private earlyBytes = 0;

  constructor(
    target: TransportTarget,
    tlsSettings: TlsSettings | undefined,
    events: TransportEvents,
    settings: TransportSettings,
    onGone: (transport: NodeTransport) => void,
  ) {
    super(events, settings, onGone);
    const secure = target.scheme === 'wss';
    const tlsOptions = secure && tlsSettings ? tlsConnectOptions(tlsSettings, target.host) : {};
    // Our own connect function shows when TCP (and TLS) are up, to tell handshake errors apart.
    const connect = (options: net.NetConnectOpts & tls.ConnectionOptions): net.Socket => {
      const socket = secure ? tls.connect(options) : net.connect(options);
      socket.setNoDelay(true);
      socket.once('connect', () => (this.phase = secure ? 'tls-handshake' : 'ws-handshake'));
      if (secure) socket.once('secureConnect', () => (this.phase = 'ws-handshake'));
      // Once open, ws swallows socket errors (a reset looks like a plain close): see them here.
      socket.on('error', (error) => this.fail(classifyError(error, this.phase), errorDetail(error)));
      return socket;
    };
    let ws: WebSocket;
    try {
      // closeTimeout (ws >= 8.18) is missing from @types/ws.
      const options: WebSocket.ClientOptions & { closeTimeout: number } = {
        ...tlsOptions,
        perMessageDeflate: false,
        followRedirects: false,
        closeTimeout: settings.closeTimeoutMs,
        createConnection: connect as unknown as typeof net.createConnection,
      };
      ws = new WebSocket(wsUrl(target), 'mqtt', options);
    } catch (error) {
      this.goneLater('error', errorDetail(error));
      return;
    }
    this.ws = ws;
    ws.binaryType = 'nodebuffer';
    ws.on('open', () => {
      this.phase = 'open';
      const early = this.early;
      this.early = [];
      this.earlyBytes = 0;
      for (const chunk of early) ws.send(chunk, { binary: true }, () => this.flushed());
      this.opened();
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) {
        // MQTT over WebSocket is binary only; a text frame is a broken peer.
        this.fail('websocket', 'text frame received');
        ws.close(1003, 'binary frames only');
        return;
      }
      this.data(data);
    });
    ws.on('error', (error) => this.fail(classifyError(error, this.phase), errorDetail(error)));
    ws.on('close', (code: number, reason: Buffer) => {
      const why = reason.length > 0 ? `: ${reason.toString('utf8')}` : code === 1006 ? ': no close frame' : '';
      this.gone(wsCloseFailure(code), `WebSocket closed (${code}${why})`);
    });
  }

  protected buffered(): number {
    return this.earlyBytes + (this.ws?.bufferedAmount ?? 0);
  }

  protected writable(): boolean {
    const state = this.ws?.readyState;
    return state === WebSocket.CONNECTING || state === WebSocket.OPEN;
  }

  protected send(copy: Buffer): void {
    const ws = this.ws;
    if (!ws) return;
    if (ws.readyState === WebSocket.CONNECTING) {
      this.early.push(copy);
      this.earlyBytes += copy.length;
      return;
    }
    ws.send(copy, { binary: true }, () => this.flushed());
  }

  protected shutdown(): void {
    this.ws?.close(1000);
  }

  protected destroy(): void {
    this.ws?.terminate();
  }
}
