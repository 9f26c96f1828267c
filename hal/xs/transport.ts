// Transports inside XS whose sockets live in the Node parent. XS names each one (ref); the
// parent opens the real TCP/TLS/WebSocket stream and sends its events back under that ref.
import type { Transport, TransportConnector, TransportEvents, TransportFailure, TransportTarget } from '../interfaces';
import { type Channel, json } from './channel';
import { Call, Event, Status } from './protocol';

type State = 'opening' | 'open' | 'closing' | 'closed';

class BridgeTransport implements Transport {
  state: State = 'opening';

  constructor(
    private readonly channel: Channel,
    readonly ref: number,
    readonly events: TransportEvents,
    private readonly gone: (t: BridgeTransport) => void,
  ) {}

  write(bytes: Uint8Array): boolean {
    if (this.state !== 'open') return false;
    return this.channel.call(Call.WRITE, this.ref, bytes).status === Status.OK;
  }

  close(): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.state = 'closing';
    this.channel.call(Call.CLOSE, this.ref); // the parent's transport reports onClose later
  }

  /** The parent says the stream is gone: exactly one onClose, then nothing more. */
  finish(failure: TransportFailure, detail: string | undefined): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.gone(this);
    this.events.onClose(failure, detail);
  }
}

const FAILURES: readonly TransportFailure[] = ['closed', 'reset', 'refused', 'dns', 'tls', 'websocket', 'error'];

export class BridgeTransportConnector implements TransportConnector {
  private readonly live = new Map<number, BridgeTransport>();
  private nextRef = 1;

  constructor(private readonly channel: Channel) {
    channel.on(Event.OPENED, (ref) => {
      const t = this.live.get(ref);
      if (!t || t.state !== 'opening') return;
      t.state = 'open';
      t.events.onOpen();
    });
    channel.on(Event.DATA, (ref, body) => {
      const t = this.live.get(ref);
      if (t && t.state === 'open') t.events.onData(body);
    });
    channel.on(Event.DRAIN, (ref) => {
      const t = this.live.get(ref);
      if (t && t.state === 'open') t.events.onDrain();
    });
    channel.on(Event.CLOSED, (ref, body) => {
      const t = this.live.get(ref);
      if (!t) return;
      const info = json(body) as { failure?: string; detail?: string };
      const failure = FAILURES.indexOf(info.failure as TransportFailure) >= 0 ? (info.failure as TransportFailure) : 'error';
      t.finish(failure, info.detail);
    });
  }

  open(target: TransportTarget, events: TransportEvents): Transport {
    const ref = this.nextRef++;
    const t = new BridgeTransport(this.channel, ref, events, (x) => this.live.delete(x.ref));
    this.live.set(ref, t);
    // Whatever happens to the request, the parent reports it as events (a failure is a CLOSED).
    this.channel.callJson(Call.OPEN, ref, { scheme: target.scheme, host: target.host, port: target.port, path: target.path });
    return t;
  }

  /** Transports not yet closed. */
  get openCount(): number {
    return this.live.size;
  }
}
