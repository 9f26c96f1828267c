// The HAL on the Moddable SDK (ESP32 and the Linux simulator). The SDK modules come in as a
// parameter (modules.ts builds them from the real bare specifiers), so this file and everything
// it imports also run on Node against fakes.
//
//   import Preference from 'preference';
//   import { createModdableHal, moddableModules } from 'blynk';   // the Moddable bundle exports both
//   const hal = createModdableHal(moddableModules({ Preference }), { tls: { certificates: [...] }, wifi: {...} });
import type { Digest, Hal, LogLevel } from '../interfaces';
import { CaChooser, ModdableConnector, type TlsOptions } from './connector';
import { ModdableHttpClient } from './http';
import { cryptDigest, mathRandom, ModdableDevice, TraceLog } from './misc';
import { ModdableNetwork, type WifiOptions } from './network';
import { ModdableOtaWriter, type OtaOptions } from './ota';
import { createModdableProvisioning, type ModdableProvisioningModules } from './provision';
import { ModdableStorage } from './storage';
import { ModdableClock, ModdableTimers } from './timers';
import type { ModdableModules } from './types';

export type { TlsOptions } from './connector';
export type { WifiOptions } from './network';
export type { OtaOptions } from './ota';
export type { ModdableModules } from './types';
export type { ModdableProvisioningModules } from './provision';

export interface ModdableHalOptions {
  /** CAs for mqtts, wss and https (see TlsOptions). */
  readonly tls?: TlsOptions;
  /** Wi-Fi watching and reconnect (see WifiOptions). Without it: up while Net has an IP. */
  readonly wifi?: WifiOptions;
  /** Blynk.Air writer (ESP32 only). Without it the HAL has no `ota`. */
  readonly ota?: OtaOptions;
  /** Restarts the device. ESP32: an FFI esp_restart declared in the app manifest (see
   *  types/moddable/ffi.d.ts). Without it reboot() only logs (the simulator has no restart). */
  readonly restart?: () => void;
  /** Preference domain (at most 15 characters). Default "blynk". */
  readonly storageDomain?: string;
  /** Default 4096: write() returns false while this many bytes wait to be sent. */
  readonly maxQueuedBytes?: number;
  /** Default 2000: how long close() waits for queued bytes. */
  readonly closeLingerMs?: number;
  /** Lowest level written by the log. Default "info". */
  readonly logLevel?: LogLevel;
  /** Blynk.Inject config mode: the app's "wifi", "http" Server and "dns/server" (see provision.ts). */
  readonly provisioning?: ModdableProvisioningModules;
}

export interface ModdableHal extends Hal {
  readonly clock: ModdableClock;
  readonly network: ModdableNetwork;
}

export function createModdableHal(modules: ModdableModules, options: ModdableHalOptions = {}): ModdableHal {
  const log = new TraceLog(modules.trace, options.logLevel ?? 'info');
  const cas = new CaChooser(options.tls ?? {}, modules, log);
  const Digest = modules.Digest;
  // The WebSocket helpers are made by the first ws/wss connection (connector.ts), not kept by every HAL.
  const connector = new ModdableConnector(modules, cas, { maxQueuedBytes: options.maxQueuedBytes ?? 4096, lingerMs: options.closeLingerMs ?? 2000, log });
  const Request = modules.Request;
  return {
    ...(options.provisioning ? { provisioning: createModdableProvisioning(options.provisioning, { Timer: modules.Timer, Net: modules.Net, log }) } : {}),
    transport: connector,
    timers: new ModdableTimers(modules.Timer, log),
    clock: new ModdableClock(modules.Time, modules.Timer),
    storage: new ModdableStorage(modules.Preference, options.storageDomain ?? 'blynk', log),
    network: new ModdableNetwork({ Timer: modules.Timer, Net: modules.Net, log }, options.wifi),
    log,
    random: mathRandom,
    device: new ModdableDevice(log, options.restart),
    // The modules themselves, not a copy of them narrowed to Request: a copy is a slot per module.
    ...(Request ? { http: new ModdableHttpClient(modules as ModdableModules & { Request: typeof Request }, cas, log) } : {}),
    ...(options.ota ? { ota: new ModdableOtaWriter(options.ota, log) } : {}),
    ...(Digest ? { digest: (algorithm: 'md5' | 'sha256'): Digest | undefined => cryptDigest(Digest, algorithm) } : {}),
  };
}
