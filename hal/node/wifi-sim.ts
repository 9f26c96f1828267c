// A simulated Wi-Fi for the host: networks given by the caller, an access point that is only a
// flag, joins that succeed when the credentials match (after a short real delay), and the HAL's
// Network following the joined state. Config mode's HTTP server is real (http-server.ts).
import type { Log, WifiControl, WifiJoin, WifiJoinFailure, WifiNetworkInfo } from '../interfaces';
import type { NodeNetwork } from './network';
import { guard } from './log';

export interface SimulatedNetwork extends Partial<WifiNetworkInfo> {
  readonly ssid: string;
  /** '' for an open network. */
  readonly password?: string;
}

export interface SimulatedWifiOptions {
  networks: readonly SimulatedNetwork[];
  /** How long a join or a scan takes. Default 50 ms. */
  delayMs?: number;
  mac?: string;
}

export class SimulatedWifi implements WifiControl {
  readonly mac: string;
  readonly apMac: string;
  accessPoint: string | undefined;
  joined: string | undefined;
  /** Every call, in order, for the demo's narration and tests. */
  onEvent: ((what: string) => void) | undefined;
  private readonly networks: SimulatedNetwork[];
  private readonly delayMs: number;
  private readonly pending = new Set<NodeJS.Timeout>();

  constructor(options: SimulatedWifiOptions, private readonly network: NodeNetwork, private readonly log: Log) {
    this.networks = [...options.networks];
    this.delayMs = options.delayMs ?? 50;
    this.mac = options.mac ?? '24:0a:c4:00:00:01';
    const last = parseInt(this.mac.slice(-2), 16);
    this.apMac = `${this.mac.slice(0, -2)}${((last + 1) & 0xff).toString(16).padStart(2, '0')}`;
  }

  /** Change the networks around (a router switched off, a new one). */
  setNetworks(networks: readonly SimulatedNetwork[]): void {
    this.networks.splice(0, this.networks.length, ...networks);
  }

  startAccessPoint(ssid: string): boolean {
    this.leave();
    this.accessPoint = ssid;
    this.event(`access point "${ssid}" up`);
    return true;
  }

  stopAccessPoint(): void {
    if (this.accessPoint === undefined) return;
    this.event(`access point "${this.accessPoint}" down`);
    this.accessPoint = undefined;
  }

  join(ssid: string, password: string, timeoutMs: number, done: (failure: WifiJoinFailure | null) => void): WifiJoin {
    this.event(`joining "${ssid}"`);
    const net = this.networks.find((n) => n.ssid === ssid);
    const failure: WifiJoinFailure | null = !net ? 'not-found' : (net.password ?? '') !== password ? 'auth' : null;
    const t = setTimeout(() => {
      this.pending.delete(t);
      if (failure === null) {
        this.joined = ssid;
        this.event(`joined "${ssid}"`);
        this.network.set(true);
      } else this.event(`could not join "${ssid}": ${failure}`);
      guard(this.log, 'wifi join callback', () => done(failure));
    }, Math.min(this.delayMs, timeoutMs));
    this.pending.add(t);
    return {
      cancel: () => {
        clearTimeout(t);
        this.pending.delete(t);
      },
    };
  }

  leave(): void {
    if (this.joined !== undefined) this.event(`left "${this.joined}"`);
    this.joined = undefined;
    this.network.set(false);
  }

  scan(done: (networks: readonly WifiNetworkInfo[]) => void): void {
    const found: WifiNetworkInfo[] = this.networks.map((n, i) => ({
      ssid: n.ssid, bssid: n.bssid ?? `02:00:00:00:00:${(i + 16).toString(16)}`, rssi: n.rssi ?? -50 - 5 * i, security: n.security ?? (n.password ? 'WPA2' : 'OPEN'), channel: n.channel ?? 1 + (i % 11),
    }));
    const t = setTimeout(() => {
      this.pending.delete(t);
      guard(this.log, 'wifi scan callback', () => done(found));
    }, this.delayMs);
    this.pending.add(t);
  }

  dispose(): void {
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }

  private event(what: string): void {
    const fn = this.onEvent;
    if (fn) guard(this.log, 'wifi event listener', () => fn(what));
  }
}
