// The HAL on Node.js: real sockets, files and timers, for the demo, tools and interop tests.
import type { DeviceControl, Digest, Hal, HttpClient, Log, OtaWriter, ProvisioningHal, Storage } from '../interfaces';
import { nodeDigest } from './digest';
import { NodeHttpClient } from './http';
import { NodeHttpServerFactory } from './http-server';
import { type LogSink, makeLog } from './log';
import { NodeNetwork } from './network';
import { DEFAULT_OTA_CAPACITY, FileOtaWriter } from './ota';
import { makeRandom } from './random';
import { FileStorage, MemoryStorage } from './storage';
import { nodeClock, NodeTimers } from './timers';
import { type CaOption, tlsSettings } from './tls-options';
import { NodeTransportConnector } from './transport';
import { SimulatedWifi, type SimulatedWifiOptions } from './wifi-sim';

export type { CaOption } from './tls-options';
export type { LogSink } from './log';
export { consoleSink } from './log';
export { FileStorage, MemoryStorage, MAX_KEY_LENGTH, MAX_VALUE_BYTES } from './storage';
export { FileOtaWriter, DEFAULT_OTA_CAPACITY } from './ota';
export { classifyError } from './transport-errors';
export { SimulatedWifi } from './wifi-sim';
export type { SimulatedNetwork, SimulatedWifiOptions } from './wifi-sim';
export { NodeHttpServerFactory } from './http-server';

export interface NodeHalOptions {
  /** CAs trusted for mqtts, wss and https. Default: Node's built-in root store. */
  ca?: CaOption;
  /** Turn certificate verification off. Local debugging only; logged as a warning. */
  insecure?: boolean;
  /** write() refuses while more than this many bytes wait to be sent. Default 16 KiB. */
  writeHighWater?: number;
  /** How long close() may take before the stream is destroyed. Default 2000 ms. */
  closeTimeoutMs?: number;
  /** Directory for storage records. Default: kept in memory only. */
  storageDir?: string;
  /** Where the OTA image goes (written to `<otaPath>.part` first). Default: no OTA. */
  otaPath?: string;
  /** Bytes the OTA "partition" holds. Default 4 MiB. */
  otaCapacity?: number;
  /** An HTTP download fails when the server sends nothing for this long. Default 30 s. */
  httpIdleTimeoutMs?: number;
  /** Log sink. Default: the console, with a level prefix. */
  log?: LogSink;
  /** Seed for a reproducible Random. Default: Math.random. */
  seed?: number;
  /** Called by device.reboot(). Default: logs that a reboot was requested. */
  onReboot?: () => void;
  /** Initial network state. Default true (false with `wifi`: not joined yet). */
  networkUp?: boolean;
  /** Blynk.Inject: a simulated Wi-Fi and a real config-mode HTTP server on 127.0.0.1. */
  wifi?: SimulatedWifiOptions;
}

export interface NodeHal extends Hal {
  readonly storage: Storage;
  readonly http: HttpClient;
  readonly ota: OtaWriter | undefined;
  readonly digest: (algorithm: 'md5' | 'sha256') => Digest | undefined;
  readonly provisioning: (ProvisioningHal & { readonly wifi: SimulatedWifi }) | undefined;
  /** Pretend Wi-Fi went down or came back: the network listener hears real changes. */
  setNetworkUp(up: boolean): void;
  /** Clear this HAL's timers, hard-close its transports and abort its downloads. Idempotent. */
  dispose(): void;
}

export function createNodeHal(options: NodeHalOptions = {}): NodeHal {
  const log: Log = makeLog(options.log);
  const tls = tlsSettings(options.ca, options.insecure);
  const transport = new NodeTransportConnector(
    {
      writeHighWater: options.writeHighWater ?? 16 * 1024,
      closeTimeoutMs: options.closeTimeoutMs ?? 2000,
      log,
    },
    tls,
  );
  const timers = new NodeTimers(log);
  const network = new NodeNetwork(options.networkUp ?? options.wifi === undefined, log);
  const httpServer = options.wifi ? new NodeHttpServerFactory(log) : undefined;
  const wifi = options.wifi ? new SimulatedWifi(options.wifi, network, log) : undefined;
  const http = new NodeHttpClient({ tls, idleTimeoutMs: options.httpIdleTimeoutMs ?? 30_000, log });
  const storage = options.storageDir === undefined ? new MemoryStorage() : new FileStorage(options.storageDir, log);
  const ota =
    options.otaPath === undefined
      ? undefined
      : new FileOtaWriter(options.otaPath, options.otaCapacity ?? DEFAULT_OTA_CAPACITY, log);
  const onReboot = options.onReboot;
  const device: DeviceControl = {
    reboot() {
      if (!onReboot) {
        log.write('info', 'reboot requested (no onReboot handler on this host)');
        return;
      }
      try {
        onReboot();
      } catch (error) {
        log.write('error', `onReboot threw: ${String(error)}`);
      }
    },
  };
  return {
    transport,
    timers,
    clock: nodeClock,
    storage,
    network,
    log,
    random: makeRandom(options.seed),
    device,
    http,
    ota,
    digest: nodeDigest,
    provisioning: wifi && httpServer ? { wifi, httpServer } : undefined,
    setNetworkUp: (up) => network.set(up),
    dispose() {
      timers.dispose();
      transport.dispose();
      http.dispose();
      ota?.abort();
      httpServer?.dispose();
      wifi?.dispose();
    },
  };
}
