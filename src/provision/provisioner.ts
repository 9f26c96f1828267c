// Blynk.Inject (C-PROVISION), above BlynkDevice: read the stored configuration; enter config
// mode when there is none (or on downlink/reconfigure, or when asked); join the Wi-Fi, run a
// BlynkDevice with the token and host, mark the configuration valid after the first login, and
// go back to config mode with Edgent's last_error on failure. See docs/provisioning.md.

import { describeError } from '../util/safe';
import type { Hal, HttpServerRequest, HttpServerResponse, TimerHandle, WifiJoin } from '../../hal/interfaces';
import { BlynkDevice } from '../blynk/device';
import { BlynkError, ErrorCode, err } from '../errors';
import { Emitter } from '../util/emitter';
import { Logger } from '../util/log';
import { maskToken, Scrubber } from '../util/secrets';
import { accessPointName } from './ap-name';
import { ProvisionError, recheck, serverFor, type AcceptedConfig, type ProvisionConfig } from './config';
import { ConfigModeResources } from './config-mode';
import { ConfigStore } from './config-store';
import { boardInfo, handleRequest, pathOf, type ApplyResult, type BoardInfo, type ConfigModeActions } from './http-api';
import { watchWifi } from './rejoin';
import { pageBytes } from './page';
import type { ProvisionerEvents, ProvisionerOptions, ProvisionState, ProvisionStatus } from './types';

export type { ProvisionerEvents, ProvisionerOptions, ProvisionState, ProvisionStateChange, ProvisionStatus } from './types';

export class Provisioner {
  private readonly hal: Hal;
  private readonly o: ProvisionerOptions;
  private readonly emitter = new Emitter<ProvisionerEvents>();
  private readonly store: ConfigStore;
  private readonly mode: ConfigModeResources | undefined;
  private readonly actions: ConfigModeActions;
  private log: Logger;
  private current: ProvisionState = 'idle';
  private epoch = 0;
  private lastError = 0;
  private config: ProvisionConfig | undefined;
  private valid = false;
  private applying = false;
  private rebooting = false;
  private dev: BlynkDevice | undefined;
  private join: WifiJoin | undefined;
  private timer: TimerHandle | undefined;
  private watch: { stop(): void } | undefined;
  readonly apName: string;

  constructor(options: ProvisionerOptions) {
    this.o = options;
    this.hal = options.hal;
    this.log = new Logger(this.hal.log, options.logLevel ?? 'info');
    this.emitter.onListenerError = (event, e) => this.log.error(`a '${event}' listener threw: ${describeError(e)}`);
    this.store = new ConfigStore(this.hal.storage, options.storageKey ?? 'blynk.cfg');
    const p = this.hal.provisioning;
    this.apName = accessPointName(options.templateName, p?.wifi.mac ?? '', options.vendorPrefix ?? 'Blynk');
    if (p) {
      this.mode = new ConfigModeResources(p, this.hal.timers, () => this.hal.clock.now(), {
        httpPort: options.httpPort ?? 80,
        maxRequestBytes: options.maxRequestBytes ?? 2048,
        requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
        maxConnections: options.maxConnections ?? 4,
        dnsName: options.captivePortal ? '*' : (options.setupHost ?? 'blynk.setup'),
        scanTimeoutMs: 20_000,
      });
    }
    this.actions = {
      boardInfo: () => this.boardInfo(),
      scan: (done) => (this.mode ? this.mode.scan(done) : done([])),
      apply: (a) => this.apply(a),
      reset: () => this.reset(),
      // Once, however many /reboot requests come; after the answer went out.
      reboot: () => void (!this.rebooting && ((this.rebooting = true), this.later(() => this.hal.device.reboot(), 500, false))),
      page: pageBytes(),
    };
  }

  get state(): ProvisionState {
    return this.current;
  }

  /** The BlynkDevice of the running configuration, if any. */
  get device(): BlynkDevice | undefined {
    return this.dev;
  }

  get status(): ProvisionStatus {
    const c = this.config;
    return {
      state: this.current, lastError: this.lastError, apName: this.apName, httpPort: this.mode?.port,
      configured: !!c, valid: this.valid, ssid: c?.ssid, host: c?.host, token: c ? maskToken(c.token) : undefined,
    };
  }

  on<K extends keyof ProvisionerEvents>(event: K, fn: (value: ProvisionerEvents[K]) => void): () => void {
    return this.emitter.on(event, fn);
  }

  /** Run the stored configuration if it is valid, else enter config mode. */
  start(): void {
    if (this.current !== 'idle' && this.current !== 'stopped') return;
    const stored = this.store.get();
    this.lastError = stored?.lastError ?? 0;
    const checked = stored?.config && recheck(stored.config);
    if (checked) this.log = new Logger(this.hal.log, this.o.logLevel ?? 'info', new Scrubber(checked.token));
    if (checked && stored!.valid) {
      this.config = checked;
      this.valid = true;
      this.runConfig(false, 'stored configuration');
    } else {
      if (stored?.config && !checked) this.log.warn('the stored configuration does not pass the checks; ignoring it');
      this.enterConfigMode(stored ? 'no valid configuration' : 'no configuration');
    }
  }

  /** Enter config mode (a long button press, downlink/reconfigure). The stored record is kept. */
  enterConfigMode(reason = 'requested'): BlynkError | null {
    this.halt();
    if (!this.mode) {
      const e = err(ErrorCode.PROVISION_UNSUPPORTED, 'this HAL has no access point and HTTP server (hal.provisioning)');
      this.emitter.emit('error', e);
      this.to('stopped', reason);
      return e;
    }
    const e = this.mode.openAll(this.apName, (req, respond) => this.request(req, respond));
    if (e) {
      this.emitter.emit('error', e);
      this.to('stopped', e.message);
      return e;
    }
    const port = this.mode.port;
    this.log.info(`config mode: access point "${this.apName}"${port ? `, HTTP port ${port}` : ''} (${reason})`);
    this.to('config-mode', reason);
    return null;
  }

  /**
   * Forget the configuration (Edgent's /reset and the 10-second button hold); a device that runs
   * a configuration goes to config mode (Edgent's MODE_RESET_CONFIG -> WAIT_CONFIG). False if flash failed.
   */
  reset(): boolean {
    // Idempotent, so that a client repeating /reset cannot wear the flash out.
    const cur = this.store.get();
    const ok = cur === undefined || (cur.config === undefined && cur.lastError === 0) || this.store.save(undefined, false, 0);
    if (ok) {
      this.lastError = 0;
      this.config = undefined;
      this.valid = false;
      if (this.current === 'joining' || this.current === 'connecting' || this.current === 'running') this.enterConfigMode('configuration reset');
    }
    return ok;
  }

  /** Stop everything: the device, the join, config mode. */
  stop(): void {
    this.halt();
    this.to('stopped', 'stopped');
  }

  // ---- config mode ----

  private request(req: HttpServerRequest, respond: (r: HttpServerResponse) => void): void {
    handleRequest(this.actions, req, (r) => {
      this.log.info(`config mode: ${String(req.method).slice(0, 8)} ${pathOf(req.target)} -> ${r.status}`);
      respond(r); // after config mode closed, the HAL drops it
    });
  }

  private boardInfo(): BoardInfo {
    if (this.current === 'config-mode') this.to('configuring', 'board info requested');
    return boardInfo(this.o, this.apName, this.hal.provisioning?.wifi, this.lastError);
  }

  private apply(a: AcceptedConfig): ApplyResult {
    if (this.applying || (this.current !== 'config-mode' && this.current !== 'configuring')) return 'busy';
    if (a.save && !this.store.save(a.config, true, 0)) {
      return err(ErrorCode.STORAGE_FAILED, 'Could not write the configuration to flash');
    }
    this.applying = true;
    this.config = a.config;
    this.log = new Logger(this.hal.log, this.o.logLevel ?? 'info', new Scrubber(a.config.token));
    this.valid = a.save;
    this.log.info(`config mode: configuration for "${a.config.ssid}", token ${maskToken(a.config.token)}, host ${a.config.host}`);
    // Edgent answers, waits a second, then leaves AP mode (MODE_SWITCH_TO_STA).
    this.later(() => {
      this.mode?.closeAll();
      this.runConfig(true, 'configuration received');
    }, this.o.switchDelayMs ?? 1000);
    return 'ok';
  }

  // ---- running a configuration ----

  private runConfig(fresh: boolean, reason: string): void {
    const c = this.config!;
    this.applying = false;
    this.to('joining', reason);
    this.tryJoin(c, fresh, 1);
  }

  private tryJoin(c: ProvisionConfig, fresh: boolean, attempt: number): void {
    const wifi = this.hal.provisioning?.wifi;
    if (!wifi) return this.startDevice(c, fresh); // the network is managed elsewhere
    const epoch = this.epoch;
    const tries = Math.max(1, this.o.joinTries ?? 1);
    try {
      this.join = wifi.join(c.ssid, c.pass, this.o.joinTimeoutMs ?? 50_000, (failure) => {
        if (epoch !== this.epoch) return;
        this.join = undefined;
        if (failure === null) return this.startDevice(c, fresh);
        this.log.warn(`could not join "${c.ssid}" (${failure}), attempt ${attempt}`);
        if (!this.valid && attempt >= tries) return this.fail(ProvisionError.NETWORK, `Wi-Fi "${c.ssid}" could not be joined: ${failure}`);
        this.later(() => this.tryJoin(c, fresh, attempt + 1), this.o.joinRetryMs ?? 10_000);
      });
    } catch {
      this.fail(ProvisionError.INTERNAL, 'the HAL could not start a Wi-Fi join');
    }
  }

  private startDevice(c: ProvisionConfig, fresh: boolean): void {
    let device: BlynkDevice;
    try {
      device = new BlynkDevice({ ...(this.o.device ?? {}), hal: this.hal, token: c.token, server: serverFor(c.host), templateId: this.o.templateId, firmware: this.o.firmware });
    } catch (e) {
      // The previous device frees the HAL once its transport is gone: wait for it, keep the config.
      if (e instanceof BlynkError && e.code === ErrorCode.IN_USE) return this.later(() => this.startDevice(c, fresh), 100);
      return this.fail(ProvisionError.CONFIG, `the device could not be created: ${describeError(e)}`);
    }
    this.dev = device;
    const epoch = this.epoch;
    // A redirect learned under another configuration is not used (C-REDIRECT-7).
    if (fresh) device.clearStoredEndpoint();
    device.onReconfigure(() => this.later(() => this.enterConfigMode('downlink/reconfigure'), 0));
    device.on('state', (s) => {
      if (s.to === 'auth-failed' && epoch === this.epoch) this.later(() => this.fail(ProvisionError.TOKEN, 'the cloud refused the auth token'), 0);
    });
    device.on('online', () => {
      if (epoch !== this.epoch) return;
      this.hal.timers.clear(this.timer);
      if (!this.valid) {
        this.valid = true;
        this.lastError = 0;
        if (!this.store.save(c, true, 0)) this.emitter.emit('error', err(ErrorCode.STORAGE_FAILED, 'the configuration could not be marked valid in flash'));
        device.setMetadata('Hotspot Name', this.apName);
      }
      this.to('running', 'online');
    });
    if (!this.valid) this.timer = this.hal.timers.set(() => this.fail(ProvisionError.CLOUD, 'the cloud was not reached in time'), this.o.cloudTimeoutMs ?? 50_000);
    this.emitter.emit('device', device);
    if (this.o.setup) {
      try {
        this.o.setup(device);
      } catch (e) {
        this.log.error(`setup threw: ${describeError(e)}`);
      }
    }
    this.to('connecting', 'Wi-Fi joined');
    device.start();
    // Edgent goes back to joining when Wi-Fi drops while running; the SDK does not rejoin by itself.
    this.watch = watchWifi(this.hal, c, { joinTimeoutMs: this.o.joinTimeoutMs ?? 50_000, everyMs: this.o.joinRetryMs ?? 10_000 }, () => epoch === this.epoch, this.log);
  }

  /** A configuration failed: record last_error (forgetting it, as Edgent) and go back to config mode. */
  private fail(code: number, reason: string): void {
    // Events and errors carry no token either (C-SECRETS), whatever field it was pasted into.
    const why = this.config ? new Scrubber(this.config.token).scrub(reason) : reason;
    this.log.warn(`provisioning failed (${code}): ${why}`);
    this.emitter.emit('error', err(code === ProvisionError.NETWORK ? ErrorCode.PROVISION_NETWORK : code === ProvisionError.TOKEN ? ErrorCode.AUTH_FAILED : ErrorCode.PROVISION_CLOUD, why, { lastError: code }));
    this.lastError = code;
    this.config = undefined;
    this.valid = false;
    if (!this.store.save(undefined, false, code)) this.lastError = ProvisionError.INTERNAL;
    this.enterConfigMode(why);
  }

  /** End whatever runs now: timers, a join, the device, config mode. Later callbacks see a new epoch. */
  private halt(): void {
    this.epoch++;
    this.hal.timers.clear(this.timer);
    this.watch?.stop();
    this.timer = this.watch = undefined;
    this.applying = false;
    this.join?.cancel();
    this.join = undefined;
    const d = this.dev;
    this.dev = undefined;
    if (d) d.dispose(); // frees the HAL and token for the next configuration's device (C-APP-3)
    if (this.current === 'joining' || this.current === 'connecting' || this.current === 'running') this.hal.provisioning?.wifi.leave();
    this.mode?.closeAll();
  }

  private later(fn: () => void, ms: number, bound = true): void {
    const epoch = this.epoch;
    this.hal.timers.set(() => {
      if (!bound || epoch === this.epoch) fn();
    }, ms);
  }

  private to(next: ProvisionState, reason: string): void {
    const from = this.current;
    if (from === next) return;
    this.current = next;
    this.emitter.emit('state', { from, to: next, reason, lastError: this.lastError });
  }
}
