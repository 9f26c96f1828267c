// The downlink handler API of BlynkDevice (C-API): onWrite, onAnyWrite, onMeta, ..., onOta.
// A handler that is not a function, or a bad name, is a BlynkError returned at once (and
// reported), never a throw (C-APP-3). Handlers may be async: a rejection is reported like a
// throw (C-APP-1, downlink.ts).

import { BlynkError, ErrorCode, err } from '../errors';
import type { BlynkClient } from './client';
import type { Downlinks, DownlinkHandlers } from './downlink';
import { checkName, type Location } from './names';
import type { TimeInfo } from './replies';

type Handler<T extends unknown[]> = (...args: T) => unknown;

export function notAFunction(what: string): BlynkError {
  return err(ErrorCode.BAD_VALUE, `${what} needs a function`);
}

export class DeviceHandlers {
  protected readonly client: BlynkClient;
  /** Set by BlynkDevice's constructor. */
  protected downlinks!: Downlinks;

  constructor(client: BlynkClient) {
    this.client = client;
  }

  /** The handler for writes to one datastream (from the app, automations, or sync replies); replaces an earlier one. */
  onWrite(name: string, fn: (value: string, name: string) => unknown): BlynkError | null {
    const bad = checkName(name, 'datastream name') ?? (typeof fn === 'function' ? null : notAFunction(`onWrite('${String(name)}')`));
    if (bad) return this.client.report(bad);
    this.downlinks.onWrite(name, fn as (value: string, name: string) => void);
    return null;
  }

  /** Remove the handler of one datastream. */
  offWrite(name: string): void {
    this.downlinks.offWrite(name);
  }

  /** Writes to datastreams without a handler of their own. */
  onAnyWrite(fn: Handler<[name: string, value: string]>): BlynkError | null {
    return this.handler('anyWrite', fn);
  }

  onMeta(fn: Handler<[name: string, value: string]>): BlynkError | null {
    return this.handler('meta', fn);
  }

  onTime(fn: Handler<[time: TimeInfo]>): BlynkError | null {
    return this.handler('time', fn);
  }

  onLocation(fn: Handler<[location: Location]>): BlynkError | null {
    return this.handler('location', fn);
  }

  /** Replaces the default (a clean disconnect, then the HAL's reboot). */
  onReboot(fn: Handler<[]>): BlynkError | null {
    return this.handler('reboot', fn);
  }

  /** The cloud asks the device to go back to provisioning (the default only logs it). */
  onReconfigure(fn: Handler<[]>): BlynkError | null {
    return this.handler('reconfigure', fn);
  }

  /** Server diagnostics text (the default logs it). */
  onDiag(fn: Handler<[text: string]>): BlynkError | null {
    return this.handler('diag', fn);
  }

  /** See each Blynk.Air offer first; answer false (or a promise of false) to decline it. */
  onOta(fn: DownlinkHandlers['ota']): BlynkError | null {
    return this.handler('ota', fn);
  }

  /** Any other `downlink/...` topic (the API grows over time). */
  onDownlink(fn: Handler<[topic: string, text: string]>): BlynkError | null {
    return this.handler('other', fn);
  }

  protected handler<K extends keyof DownlinkHandlers>(kind: K, fn: unknown): BlynkError | null {
    if (typeof fn !== 'function') return this.client.report(notAFunction(`the ${kind} handler`));
    this.downlinks.set(kind, fn as DownlinkHandlers[K]);
    return null;
  }

}
