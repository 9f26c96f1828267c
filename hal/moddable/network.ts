// Network up/down from the SDK's Wi-Fi modules, and a Wi-Fi reconnect after a drop.
//
// On ESP32 manifest_net's setup/network connects once at boot (ECMA-419
// "embedded:network/interface/wifi", before main runs) and then stops watching: nothing in the
// SDK reconnects after the access point goes away. With `reconnect` (the default when an SSID is
// given) this HAL calls connect again, with a growing delay, until the link is back.
//
// Which module: the ECMA-419 one on ESP32 builds that use manifest_net (the classic module's
// events only flow once the classic module itself started Wi-Fi, and its connect would start the
// driver a second time); the classic "wifi" one in the simulator (where the 419 one does not
// exist; the simulated Wi-Fi only reports what its own connect() does) or on ESP32 apps that
// manage Wi-Fi with the classic module. Without either, the network counts as up while
// Net.get("IP") has an address (or always, without Net).
import type { Log, Network } from '../interfaces';
import type { NetModule, TimerModule, WiFi419Constructor, WiFi419Like, WiFiClassicConstructor } from './types';

export interface WifiOptions {
  /** The ECMA-419 WiFi class (import WiFi from "embedded:network/interface/wifi"). */
  readonly ecma419?: WiFi419Constructor;
  /** The classic WiFi class (import WiFi from "wifi"). Used when ecma419 is not given. */
  readonly classic?: WiFiClassicConstructor;
  /** Needed to reconnect (e.g. config.ssid / config.password from mc/config). */
  readonly ssid?: string;
  readonly password?: string;
  /** Reconnect after a drop. Default: true when `ssid` is given. */
  readonly reconnect?: boolean;
  /** First reconnect delay (default 2000 ms); doubles up to `reconnectMaxMs` (default 60000). */
  readonly reconnectMs?: number;
  readonly reconnectMaxMs?: number;
  /** How long one attempt may take before the next (default 20000 ms): connect() is not
   *  interrupted by a retry, and an attempt that ends without any event is retried. */
  readonly attemptMs?: number;
}

interface Deps {
  readonly Timer: TimerModule;
  readonly Net?: NetModule;
  readonly log: Log;
}

export class ModdableNetwork implements Network {
  private up: boolean;
  private listener: ((up: boolean) => void) | undefined;
  private retryTimer: unknown;
  private retryMs: number;
  private attempting = false;
  private wifi419: WiFi419Like | undefined;
  private classic: WiFiClassicConstructor | undefined;

  constructor(
    private readonly deps: Deps,
    private readonly options: WifiOptions = {},
  ) {
    this.retryMs = options.reconnectMs ?? 2000;
    this.up = this.hasAddress();
    try {
      if (options.ecma419) this.watch419(options.ecma419);
      else if (options.classic) this.watchClassic(options.classic);
    } catch (e) {
      deps.log.write('warn', `network: cannot watch Wi-Fi (${String(e)}); assuming it stays ${this.up ? 'up' : 'down'}`);
    }
    if (this.reconnects() && !options.ssid) deps.log.write('warn', 'network: Wi-Fi reconnect needs the SSID (options.wifi.ssid)');
  }

  isUp(): boolean {
    return this.up;
  }

  onChange(listener: (up: boolean) => void): void {
    this.listener = listener;
  }

  /** Stops watching (tests, shutdown). */
  stop(): void {
    this.deps.Timer.clear(this.retryTimer);
    this.retryTimer = undefined;
    try {
      this.wifi419?.close();
    } catch {
      // already closed
    }
    this.wifi419 = undefined;
  }

  private hasAddress(): boolean {
    if (!this.deps.Net) return true;
    try {
      const ip = this.deps.Net.get('IP');
      return typeof ip === 'string' && ip.length > 0 && ip !== '0.0.0.0';
    } catch {
      return false;
    }
  }

  private reconnects(): boolean {
    return (this.options.ecma419 !== undefined || this.options.classic !== undefined) && this.options.reconnect !== false && (this.options.reconnect === true || this.options.ssid !== undefined);
  }

  private watch419(WiFi: WiFi419Constructor): void {
    const self = this;
    this.wifi419 = new WiFi({
      onChanged(property: string) {
        if (property !== 'connection') return;
        let connection = 0;
        try {
          connection = self.wifi419?.connection ?? 0;
        } catch {
          // treat as disconnected
        }
        if (connection >= 500) self.changed(true);
        else if (connection <= 200) self.changed(false); // 300/400: connecting, no IP yet
      },
    });
    const now = this.wifi419.connection;
    this.up = now >= 500;
  }

  private watchClassic(WiFi: WiFiClassicConstructor): void {
    this.classic = WiFi;
    // No options: only listen (passing options would connect). The simulator allows one instance.
    new WiFi(undefined, (message: string) => {
      if (message === 'gotIP') this.changed(true);
      else if (message === 'disconnect' || message === 'lostIP') this.changed(false);
    });
  }

  private changed(up: boolean): void {
    try {
      if (up) {
        this.deps.Timer.clear(this.retryTimer);
        this.retryTimer = undefined;
        this.attempting = false;
        this.retryMs = this.options.reconnectMs ?? 2000;
      } else if (this.attempting) {
        // The attempt failed: wait the back-off delay, not the whole attempt time.
        this.deps.Timer.clear(this.retryTimer);
        this.retryTimer = undefined;
        this.attempting = false;
        this.scheduleReconnect();
      } else this.scheduleReconnect();
      if (up === this.up) return;
      this.up = up;
      this.deps.log.write('info', `network: Wi-Fi ${up ? 'up' : 'down'}`);
      this.listener?.(up);
    } catch (e) {
      this.deps.log.write('error', `network listener threw: ${String(e)}`);
    }
  }

  private scheduleReconnect(): void {
    if (!this.reconnects() || !this.options.ssid || this.retryTimer !== undefined) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, this.options.reconnectMaxMs ?? 60_000);
    this.retryTimer = this.deps.Timer.set(() => {
      this.retryTimer = undefined;
      if (this.up) return;
      this.reconnect();
      this.attempting = true;
      // An attempt that ends quietly (no event) is followed by another one.
      this.retryTimer = this.deps.Timer.set(() => {
        this.retryTimer = undefined;
        this.attempting = false;
        if (!this.up) this.scheduleReconnect();
      }, this.options.attemptMs ?? 20_000);
    }, delay);
  }

  private reconnect(): void {
    const { ssid, password } = this.options;
    if (!ssid) return;
    this.deps.log.write('info', `network: reconnecting Wi-Fi to "${ssid}"`);
    try {
      if (this.wifi419) this.wifi419.connect(password ? { SSID: ssid, password } : { SSID: ssid });
      else this.classic?.connect(password ? { ssid, password } : { ssid });
    } catch (e) {
      this.deps.log.write('warn', `network: Wi-Fi connect failed: ${String(e)}`); // e.g. "already connecting"
    }
  }
}
