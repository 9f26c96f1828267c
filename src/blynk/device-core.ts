// What BlynkDevice hands to the parts below it, as one object instead of bags of closures: it
// observes the client (each event once, no forwarder per event), is the downlinks' context and
// the Blynk.Air updater's host. Its methods live in the class (flash on a device); an instance
// holds only references. The reboot helper is made when the cloud first asks for a reboot.

import type { Hal } from '../../hal/interfaces';
import type { BlynkError } from '../errors';
import { Emitter } from '../util/emitter';
import type { Logger } from '../util/log';
import { isSecure } from '../session/endpoint';
import type { BlynkClient, ClientEvents, ClientObserver } from './client';
import type { DownlinkContext } from './downlink';
import type { OtaHost, OtaProgress, OtaUpdater } from './ota';
import { Rebooter } from './reboot';
import type { Requests } from './requests';
import type { Uplink } from './uplink';
import type { Timers } from '../../hal/interfaces';

export interface DeviceEvents extends ClientEvents {
  ota: OtaProgress;
  /** A console ping arrived (already acknowledged). */
  ping: undefined;
}

export class DeviceCore implements ClientObserver, DownlinkContext, OtaHost {
  readonly emitter = new Emitter<DeviceEvents>();
  /** Set by the device once made (they need the core first). */
  up!: Uplink;
  ota: OtaUpdater | undefined;
  private readonly hal: Hal;
  private readonly client: BlynkClient;
  readonly requests: Requests;
  readonly otaDecisionMs: number;
  private rebooter: Rebooter | undefined;

  constructor(hal: Hal, client: BlynkClient, requests: Requests, otaDecisionMs: number) {
    this.hal = hal;
    this.client = client;
    this.requests = requests;
    this.otaDecisionMs = otaDecisionMs;
  }

  // ---- ClientObserver ----

  clientEvent<K extends keyof ClientEvents>(event: K, value: ClientEvents[K]): void {
    // Before the application's listeners: values kept offline go out before an 'online' listener writes newer ones.
    if (event === 'online') this.up.flushKept(0);
    this.emitter.emit(event, value as DeviceEvents[K]);
    if (event === 'state') this.rebooter?.stateChanged(value as ClientEvents['state']);
  }

  // ---- DownlinkContext ----

  get log(): Logger {
    return this.client.log;
  }

  get timers(): Timers {
    return this.hal.timers;
  }

  report(e: BlynkError): void {
    this.client.report(e);
  }

  emitPing(): void {
    this.emitter.emit('ping', undefined);
  }

  reboot(): void {
    (this.rebooter ??= new Rebooter(this.hal, this.client)).cleanly();
  }

  // ---- OtaHost ----

  get firmware(): { version: string; build: string; type: string } {
    return this.client.config.firmware;
  }

  get allowHosts(): readonly string[] {
    return this.client.config.redirect.allowHosts;
  }

  secure(): boolean {
    const c = this.client.config;
    return isSecure((this.client.endpoint ?? c.server).scheme) || isSecure(c.server.scheme);
  }

  pauseConnection(): void {
    this.client.pause(); // not stop(): a running auth wait still holds when it resumes (C-CONN-4)
  }

  resumeConnection(): void {
    this.client.start();
  }

  progress(p: OtaProgress): void {
    this.emitter.emit('ota', this.client.secrets.value(p));
    if (p.phase === 'done' && this.client.state !== 'stopped') this.client.stop();
  }

  info(message: string): void {
    this.client.log.info(message);
  }
}
