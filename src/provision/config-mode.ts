// Config mode's resources: the access point, the HTTP server on it, the DNS answer for the
// setup host name, and the one Wi-Fi scan concurrent /wifi_scan.json requests share. Opening
// is all or nothing; closing is idempotent.

import type { HttpServerHandler, HttpServerInstance, DnsServerInstance, ProvisioningHal, Timers, TimerHandle, WifiNetworkInfo } from '../../hal/interfaces';
import { BlynkError, ErrorCode, err } from '../errors';

export interface ConfigModeOptions {
  httpPort: number;
  maxRequestBytes: number;
  requestTimeoutMs: number;
  maxConnections: number;
  /** The name the DNS server answers ("blynk.setup"), or "*" for a captive portal. */
  dnsName: string;
  /** A scan not finished by then answers [] (Edgent waits 20 s). */
  scanTimeoutMs: number;
}

export class ConfigModeResources {
  private http: HttpServerInstance | undefined;
  private dns: DnsServerInstance | undefined;
  private ap = false;
  private scanWaiters: ((n: readonly WifiNetworkInfo[]) => void)[] = [];
  private scanTimer: TimerHandle | undefined;
  private scanEpoch = 0;
  private cached: readonly WifiNetworkInfo[] | undefined;
  private cachedAt = 0;

  constructor(
    private readonly hal: ProvisioningHal,
    private readonly timers: Timers,
    private readonly now: () => number,
    private readonly options: ConfigModeOptions,
  ) {}

  get open(): boolean {
    return this.http !== undefined;
  }

  /** The HTTP server's port while open. */
  get port(): number | undefined {
    return this.http?.port;
  }

  /** Start the access point, the HTTP server and (where there is one) DNS. */
  openAll(apName: string, handler: HttpServerHandler): BlynkError | null {
    this.closeAll();
    const wifi = this.hal.wifi;
    if (!call(() => wifi.startAccessPoint(apName), false)) return err(ErrorCode.PROVISION_UNSUPPORTED, 'the access point could not be started');
    this.ap = true;
    const o = this.options;
    this.http = call(() => this.hal.httpServer.listen(o.httpPort, { maxRequestBytes: o.maxRequestBytes, requestTimeoutMs: o.requestTimeoutMs, maxConnections: o.maxConnections }, handler), undefined);
    if (!this.http) {
      this.closeAll();
      return err(ErrorCode.PROVISION_UNSUPPORTED, `the HTTP server could not listen on port ${o.httpPort}`);
    }
    const dns = this.hal.dns;
    // DNS is a convenience (the app talks to 192.168.4.1); config mode works without it.
    if (dns) this.dns = call(() => dns.start(o.dnsName), undefined);
    // Scan now: by the time a phone has joined the AP the list is ready, and /wifi_scan.json can
    // answer at once (a HAL server may need the answer synchronously, as Moddable's does).
    this.scan(() => undefined);
    return null;
  }

  closeAll(): void {
    const http = this.http;
    const dns = this.dns;
    this.http = undefined;
    this.dns = undefined;
    if (http) call(() => http.close(), undefined);
    if (dns) call(() => dns.close(), undefined);
    if (this.ap) call(() => this.hal.wifi.stopAccessPoint(), undefined);
    this.ap = false;
    this.finishScan([]);
    this.cached = undefined;
  }

  /**
   * The networks around: the last scan's result at once when there is one (a new scan starts
   * when it is older than `refreshMs`), else the result of the scan under way. One scan at a time.
   */
  scan(done: (networks: readonly WifiNetworkInfo[]) => void, refreshMs = 10_000): void {
    if (this.cached) {
      const stale = this.now() - this.cachedAt > refreshMs;
      call(() => done(this.cached!), undefined);
      if (stale && this.scanWaiters.length === 0) this.scan(() => undefined, Infinity);
      return;
    }
    this.scanWaiters.push(done);
    if (this.scanWaiters.length > 1) return;
    const epoch = ++this.scanEpoch;
    this.scanTimer = this.timers.set(() => this.finishScan([], epoch), this.options.scanTimeoutMs);
    const ok = call(() => {
      this.hal.wifi.scan((nets) => this.finishScan(Array.isArray(nets) ? nets : [], epoch));
      return true;
    }, false);
    if (!ok) this.finishScan([], epoch);
  }

  private finishScan(nets: readonly WifiNetworkInfo[], epoch = this.scanEpoch): void {
    if (epoch !== this.scanEpoch || this.scanWaiters.length === 0) return;
    this.scanEpoch++;
    if (nets.length > 0 || this.cached === undefined) {
      this.cached = nets;
      this.cachedAt = this.now();
    }
    this.timers.clear(this.scanTimer);
    this.scanTimer = undefined;
    const waiters = this.scanWaiters;
    this.scanWaiters = [];
    for (const w of waiters) call(() => w(nets), undefined);
  }
}

/** HAL calls that must not take config mode down if a HAL breaks its never-throws promise. */
function call<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}
