// Blynk.Inject on the Moddable SDK: the access point and the station join through the classic
// "wifi" module (WiFi.accessPoint, WiFi.connect, WiFi.scan), config mode's HTTP server on the
// SDK's "http" Server, and the setup host name on its "dns/server". The app passes the modules
// (they differ per platform):
//
//   import WiFi from "wifi"; import { Server } from "http"; import DnsServer from "dns/server";
//   createModdableHal(modules, { provisioning: { WiFi, Server, DnsServer } });
//
// The SDK's server asks for the response synchronously (prepareResponse) right after the
// request is complete; a handler that answers later gets 503 with Retry-After (the core answers
// everything at once, /wifi_scan.json from the scan it starts when config mode opens).
import type {
  DnsServerFactory, DnsServerInstance, HttpServerFactory, HttpServerHandler, HttpServerInstance, HttpServerLimits,
  HttpServerResponse, Log, ProvisioningHal, WifiControl, WifiJoin, WifiJoinFailure, WifiNetworkInfo, WifiSecurity,
} from '../interfaces';
import type { NetModule, TimerModule } from './types';

export interface ModdableScanItem {
  ssid?: string;
  rssi?: number;
  channel?: number;
  bssid?: ArrayBuffer;
  authentication?: string;
}

/** The classic "wifi" module's static side. */
export interface WiFiStatics {
  accessPoint(dictionary: { ssid: string; password?: string; station?: boolean; channel?: number }): void;
  connect(dictionary?: { ssid: string; password?: string }): void;
  disconnect(): void;
  scan(dictionary: { hidden?: boolean }, callback: (item?: ModdableScanItem) => void): void;
  mode: number;
}

/** The request object `this` is in the SDK server's callback. */
interface SdkRequest {
  close(): void;
  socket?: { write(...parts: unknown[]): unknown };
  [key: string]: unknown;
}

export interface HttpServerConstructor {
  new (dictionary: { port: number }): { callback: (this: SdkRequest, message: number, value?: unknown, etc?: unknown) => unknown; close(connections?: boolean): void };
}

export interface DnsServerConstructor {
  new (callback: (message: number, value: string) => string | undefined, dictionary?: { ttl?: number }): { close(): void };
}

export interface ModdableProvisioningModules {
  readonly WiFi: WiFiStatics;
  readonly Server: HttpServerConstructor;
  readonly DnsServer?: DnsServerConstructor;
  /** The access point's address. Default 192.168.4.1 (Edgent's WIFI_AP_IP). */
  readonly apAddress?: string;
}

interface Deps {
  readonly Timer: TimerModule;
  readonly Net?: NetModule;
  readonly log: Log;
}

const SECURITY: Readonly<Record<string, WifiSecurity>> = Object.freeze({
  none: 'OPEN', wep: 'WEP', wpa_psk: 'WPA', wpa2_psk: 'WPA2', wpa_wpa2_psk: 'WPA+WPA2', wpa2_enterprise: 'WPA2-EAP', wpa3_psk: 'WPA3', wpa2_wpa3_psk: 'WPA2+WPA3', wapi_psk: 'WAPI',
});

function hex2(n: number): string {
  return (n < 16 ? '0' : '') + n.toString(16);
}

function macText(b: ArrayBuffer | undefined): string {
  if (!b || b.byteLength !== 6) return '';
  return Array.from(new Uint8Array(b), hex2).join(':');
}

class ModdableWifi implements WifiControl {
  readonly mac: string;
  readonly apMac: string;

  constructor(private readonly WiFi: WiFiStatics, private readonly deps: Deps) {
    const net = deps.Net as unknown as { get(key: string): unknown } | undefined;
    const mac = String(safe(() => net?.get('MAC'), '') ?? '').toLowerCase();
    this.mac = mac;
    // ESP32: the soft-AP MAC is the station MAC + 1 in its last byte.
    const last = parseInt(mac.slice(-2), 16);
    this.apMac = mac.length === 17 && last >= 0 ? mac.slice(0, -2) + hex2((last + 1) & 0xff) : mac;
  }

  startAccessPoint(ssid: string, password?: string): boolean {
    return safe(() => {
      safe(() => this.WiFi.disconnect(), undefined);
      // Station + AP (WiFi.Mode 3): the AP for the phone, the station to scan; after a join the
      // mode is station only, and the SDK refuses an AP in that mode.
      safe(() => (this.WiFi.mode = 3), undefined);
      this.WiFi.accessPoint({ ssid, ...(password ? { password } : {}), station: true });
      return true;
    }, false, this.deps.log, 'WiFi.accessPoint');
  }

  stopAccessPoint(): void {
    // The classic module has no "AP off": switching to station mode ends the AP.
    safe(() => (this.WiFi.mode = 1), undefined, this.deps.log, 'WiFi.mode');
  }

  join(ssid: string, password: string, timeoutMs: number, done: (failure: WifiJoinFailure | null) => void): WifiJoin {
    const { Timer, Net } = this.deps;
    let live = true;
    const finish = (f: WifiJoinFailure | null) => {
      if (!live) return;
      live = false;
      Timer.clear(poll);
      Timer.clear(limit);
      safe(() => done(f), undefined, this.deps.log, 'join callback');
    };
    const ok = safe(() => {
      this.WiFi.connect({ ssid, password });
      return true;
    }, false, this.deps.log, 'WiFi.connect');
    // The classic module's events need an instance (one per VM in the simulator, which the
    // network watcher may own); an IP address is the one sign every platform gives.
    const poll = Timer.repeat(() => {
      if (Net && safe(() => Net.get('IP'), undefined)) finish(null);
    }, 250);
    const limit = Timer.set(() => finish('timeout'), timeoutMs);
    if (!ok) Timer.set(() => finish('error'), 0);
    return { cancel: () => ((live = false), Timer.clear(poll), Timer.clear(limit)) };
  }

  leave(): void {
    safe(() => this.WiFi.disconnect(), undefined);
  }

  scan(done: (networks: readonly WifiNetworkInfo[]) => void): void {
    const found: WifiNetworkInfo[] = [];
    let finished = false;
    const end = () => {
      if (finished) return;
      finished = true;
      safe(() => done(found), undefined, this.deps.log, 'scan callback');
    };
    const started = safe(() => {
      this.WiFi.scan({}, (item) => {
        if (!item) return end();
        if (found.length >= 64) return;
        found.push({ ssid: String(item.ssid ?? ''), bssid: macText(item.bssid), rssi: Number(item.rssi ?? -100), security: SECURITY[String(item.authentication)] ?? 'unknown', channel: Number(item.channel ?? 0) });
      });
      return true;
    }, false, this.deps.log, 'WiFi.scan');
    if (!started) this.deps.Timer.set(end, 0);
  }
}

const REASON_503: HttpServerResponse = { status: 503, contentType: 'application/json', body: new Uint8Array([123, 125]) };

class ModdableHttpServerFactory implements HttpServerFactory {
  constructor(private readonly Server: HttpServerConstructor, private readonly deps: Deps) {}

  listen(port: number, limits: HttpServerLimits, handler: HttpServerHandler): HttpServerInstance | undefined {
    const { Timer, log } = this.deps;
    const server = safe(() => new this.Server({ port: port || 80 }), undefined, log, 'http Server');
    if (!server) return undefined;
    let open = 0;
    // The body goes out in pieces the size the socket has room for (responseFragment): the SDK
    // writes a one-piece body in one write and assumes it fits, which a 3 KB page may not.
    const answer = (req: SdkRequest, r: HttpServerResponse) => {
      req.out = r.body;
      req.sent = 0;
      const headers = ['content-type', r.contentType, 'content-length', String(r.body.byteLength), 'cache-control', 'no-store'];
      return { status: r.status, headers: r.status === 503 ? [...headers, 'retry-after', '2'] : headers, body: r.body.byteLength > 0 ? true : undefined };
    };
    const piece = (req: SdkRequest, room: number): ArrayBuffer | undefined => {
      const out = req.out as Uint8Array | undefined;
      const sent = req.sent as number;
      if (!out || sent >= out.byteLength || !(room > 0)) return undefined;
      const n = Math.min(room, out.byteLength - sent, 1024);
      req.sent = sent + n;
      return out.slice(sent, sent + n).buffer as ArrayBuffer;
    };
    const run = (req: SdkRequest, body: Uint8Array) => {
      req.ran = true;
      try {
        handler({ method: String(req.method ?? 'GET').toUpperCase(), target: String(req.path ?? '/'), contentType: req.ctype as string | undefined, body }, (r) => {
          if (req.response === undefined) req.response = r;
        });
      } catch (e) {
        log.write('error', `config-mode handler threw: ${String(e)}`);
      }
    };
    const release = (req: SdkRequest) => {
      Timer.clear(req.timer);
      req.timer = undefined;
      if (req.counted) open--;
      req.counted = false;
    };
    const tooBig = (req: SdkRequest, n: number) => {
      req.size = (req.size as number) + n;
      if ((req.size as number) > limits.maxRequestBytes) req.tooBig = true;
    };
    server.callback = function (this: SdkRequest, message: number, value?: unknown, etc?: unknown): unknown {
      try {
        switch (message) {
          case 1: // connection
            this.size = 0;
            this.counted = true;
            if (++open > limits.maxConnections) this.busy = true;
            // A stalled client: answer 408 on the raw socket and drop it.
            this.timer = Timer.set(() => {
              release(this);
              safe(() => this.socket?.write('HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n'), undefined);
              safe(() => this.close(), undefined);
            }, limits.requestTimeoutMs);
            return undefined;
          case 2: // status line: path, method
            this.path = value;
            this.method = etc;
            tooBig(this, String(value).length + 16);
            return undefined;
          case 3: // one header
            tooBig(this, String(value).length + String(etc).length + 4);
            if (value === 'content-type') this.ctype = String(etc).split(';')[0]!.trim().toLowerCase();
            if (value === 'content-length' && Number(etc) > 0) (this.hasBody = true), tooBig(this, Number(etc));
            return undefined;
          case 4: // headers complete: what to do with the body
            if (this.tooBig || this.busy) return false;
            if (!this.hasBody) run(this, new Uint8Array(0));
            return ArrayBuffer;
          case 6: // body complete
            if (!this.tooBig && !this.busy && !this.ran) run(this, new Uint8Array(value as ArrayBuffer));
            return undefined;
          case 8: // prepare response
            Timer.clear(this.timer);
            if (this.busy) return answer(this, REASON_503);
            if (this.tooBig) return answer(this, { status: 413, contentType: 'application/json', body: new Uint8Array(0) });
            return answer(this, (this.response as HttpServerResponse | undefined) ?? REASON_503);
          case 9: // room for more of the body
            return piece(this, Number(value));
          case 10: // response complete
          case -1: // disconnected or failed
            release(this);
            return undefined;
        }
      } catch (e) {
        log.write('error', `config-mode HTTP: ${String(e)}`);
      }
      return undefined;
    };
    return { port: port || 80, close: () => safe(() => server.close(), undefined, log, 'http Server.close') };
  }
}

class ModdableDnsFactory implements DnsServerFactory {
  constructor(private readonly DnsServer: DnsServerConstructor, private readonly address: string, private readonly log: Log) {}

  start(name: string): DnsServerInstance | undefined {
    const want = name.toLowerCase();
    // Edgent: TTL 300 s; names other than the setup one get no answer here (Edgent: SERVFAIL).
    const s = safe(() => new this.DnsServer((message, value) => (message === 1 && (want === '*' || String(value).toLowerCase() === want) ? this.address : undefined), { ttl: 300 }), undefined, this.log, 'dns Server');
    return s ? { close: () => safe(() => s.close(), undefined) } : undefined;
  }
}

export function createModdableProvisioning(mods: ModdableProvisioningModules, deps: Deps): ProvisioningHal {
  return {
    wifi: new ModdableWifi(mods.WiFi, deps),
    httpServer: new ModdableHttpServerFactory(mods.Server, deps),
    ...(mods.DnsServer ? { dns: new ModdableDnsFactory(mods.DnsServer, mods.apAddress ?? '192.168.4.1', deps.log) } : {}),
  };
}

function safe<T>(fn: () => T, fallback: T, log?: Log, what?: string): T {
  try {
    return fn();
  } catch (e) {
    if (log) log.write('warn', `${what ?? 'provisioning'} failed: ${String(e)}`);
    return fallback;
  }
}
