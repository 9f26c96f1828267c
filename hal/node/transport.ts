// Opens transports by scheme and keeps track of the live ones so the HAL can dispose of them.
import type { Transport, TransportConnector, TransportEvents, TransportTarget } from '../interfaces';
import { NodeTransport, type TransportSettings } from './transport-base';
import { StreamTransport } from './transport-tcp-tls';
import { WsTransport } from './transport-ws';
import type { TlsSettings } from './tls-options';

/** A transport that could not even start (unknown scheme, HAL disposed). */
class FailedTransport extends NodeTransport {
  constructor(detail: string, events: TransportEvents, settings: TransportSettings, onGone: (t: NodeTransport) => void) {
    super(events, settings, onGone);
    this.goneLater('error', detail);
  }
  protected buffered(): number {
    return 0;
  }
  protected writable(): boolean {
    return false;
  }
  protected send(): void {}
  protected shutdown(): void {}
  protected destroy(): void {}
}

export class NodeTransportConnector implements TransportConnector {
  private readonly live = new Set<NodeTransport>();
  private disposed = false;

  constructor(
    private readonly settings: TransportSettings,
    private readonly tls: TlsSettings,
  ) {
    if (tls.insecure) settings.log.write('warn', 'TLS certificate verification is OFF (insecure option): local debugging only');
  }

  open(target: TransportTarget, events: TransportEvents): Transport {
    const onGone = (t: NodeTransport): void => {
      this.live.delete(t);
    };
    let transport: NodeTransport;
    if (this.disposed) {
      transport = new FailedTransport('the HAL was disposed', events, this.settings, onGone);
    } else if (target.scheme === 'mqtt' || target.scheme === 'mqtts') {
      const tls = target.scheme === 'mqtts' ? this.tls : undefined;
      transport = new StreamTransport(target, tls, events, this.settings, onGone);
    } else if (target.scheme === 'ws' || target.scheme === 'wss') {
      transport = new WsTransport(target, this.tls, events, this.settings, onGone);
    } else {
      transport = new FailedTransport(`unknown scheme ${String(target.scheme)}`, events, this.settings, onGone);
    }
    this.live.add(transport);
    return transport;
  }

  /** Transports not yet closed (for tests). */
  get openCount(): number {
    return this.live.size;
  }

  /** Hard-close every live transport (each still gets its onClose) and refuse new ones. */
  dispose(): void {
    this.disposed = true;
    for (const transport of [...this.live]) transport.dispose();
  }
}
