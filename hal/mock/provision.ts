// Deterministic provisioning pieces for tests: a Wi-Fi with scripted networks (joins finish on
// virtual time), an access point switch, and an HTTP server a test drives request by request.
import type {
  HttpServerFactory, HttpServerHandler, HttpServerInstance, HttpServerLimits, HttpServerResponse,
  DnsServerFactory, DnsServerInstance, ProvisioningHal, WifiControl, WifiJoin, WifiJoinFailure, WifiNetworkInfo,
} from '../interfaces';
import { decodeText } from '../text';
import type { MockNetwork } from './misc';
import type { VirtualTime } from './time';

export interface MockWifiNetwork extends WifiNetworkInfo {
  /** Joining needs this password ('' for an open network). */
  readonly password: string;
}

export class MockWifi implements WifiControl {
  readonly mac = '24:0a:c4:12:34:56';
  readonly apMac = '24:0a:c4:12:34:57';
  networks: MockWifiNetwork[] = [];
  /** Virtual ms a join or a scan takes. */
  joinMs = 1000;
  scanMs = 500;
  /** Fail every join with this, whatever the credentials (a router that is off). */
  failJoins: WifiJoinFailure | undefined;
  accessPoint: string | undefined;
  joined: string | undefined;
  readonly journal: string[] = [];

  constructor(
    private readonly time: VirtualTime,
    private readonly network: MockNetwork,
  ) {}

  startAccessPoint(ssid: string): boolean {
    this.journal.push(`ap.start ${ssid}`);
    this.leave();
    this.accessPoint = ssid;
    return true;
  }

  stopAccessPoint(): void {
    if (this.accessPoint !== undefined) this.journal.push('ap.stop');
    this.accessPoint = undefined;
  }

  join(ssid: string, password: string, timeoutMs: number, done: (failure: WifiJoinFailure | null) => void): WifiJoin {
    this.journal.push(`join ${ssid}`);
    let live = true;
    const net = this.networks.find((n) => n.ssid === ssid);
    const failure: WifiJoinFailure | null = this.failJoins ?? (!net ? 'not-found' : net.password !== password ? 'auth' : null);
    const handle = this.time.set(() => {
      if (!live) return;
      live = false;
      if (failure === null) {
        this.joined = ssid;
        this.network.set(true);
      }
      done(failure);
    }, failure === 'timeout' ? timeoutMs : Math.min(this.joinMs, timeoutMs));
    return {
      cancel: () => {
        live = false;
        this.time.clear(handle);
      },
    };
  }

  leave(): void {
    if (this.joined !== undefined) this.journal.push(`leave ${this.joined}`);
    this.joined = undefined;
    this.network.set(false);
  }

  scan(done: (networks: readonly WifiNetworkInfo[]) => void): void {
    this.journal.push('scan');
    const found = this.networks.map(({ password: _p, ...info }) => info);
    this.time.set(() => done(found), this.scanMs);
  }
}

/** One request to the mock server; `response` is set when the handler answers. */
export interface MockExchange {
  response: HttpServerResponse | undefined;
  /** The response body as text. */
  text(): string;
}

export class MockHttpServer implements HttpServerFactory {
  handler: HttpServerHandler | undefined;
  limits: HttpServerLimits | undefined;
  port = 0;
  listens = 0;

  listen(port: number, limits: HttpServerLimits, handler: HttpServerHandler): HttpServerInstance {
    this.listens++;
    this.handler = handler;
    this.limits = limits;
    this.port = port === 0 ? 8080 : port;
    return {
      port: this.port,
      close: () => {
        if (this.handler === handler) this.handler = undefined;
      },
    };
  }

  get listening(): boolean {
    return this.handler !== undefined;
  }

  /** Send a request as a client would; the limits apply as in a real server. */
  request(method: string, target: string, body: Uint8Array = new Uint8Array(0), contentType?: string): MockExchange {
    const ex: MockExchange = {
      response: undefined,
      text: () => (ex.response ? decodeText(ex.response.body) : ''),
    };
    const h = this.handler;
    if (!h) throw new Error('the mock HTTP server is not listening');
    if (this.limits && target.length + body.length > this.limits.maxRequestBytes) {
      ex.response = { status: 413, contentType: 'text/plain', body: new Uint8Array(0) };
      return ex;
    }
    h({ method, target, contentType, body }, (r) => {
      if (ex.response === undefined) ex.response = r;
    });
    return ex;
  }
}

export class MockDns implements DnsServerFactory {
  names: string[] = [];
  start(name: string): DnsServerInstance {
    this.names.push(name);
    return { close: () => (this.names = this.names.filter((n) => n !== name)) };
  }
}

export interface MockProvisioning extends ProvisioningHal {
  readonly wifi: MockWifi;
  readonly httpServer: MockHttpServer;
  readonly dns: MockDns;
}

export function createMockProvisioning(time: VirtualTime, network: MockNetwork): MockProvisioning {
  return { wifi: new MockWifi(time, network), httpServer: new MockHttpServer(), dns: new MockDns() };
}
