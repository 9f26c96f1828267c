// A deterministic HAL for tests: virtual time, a scripted transport, flash with faults, a
// network switch, a captured log and seeded random. Pure ES2022: it also runs inside XS.
import type { Hal } from '../interfaces';
import { MockDevice, MockLog, MockNetwork, SeededRandom } from './misc';
import { MockHttpClient, MockOtaWriter } from './ota';
import { createMockProvisioning, type MockProvisioning } from './provision';
import { MockStorage } from './storage';
import { VirtualTime } from './time';
import { MockTransportConnector } from './transport';

export { MockConnection, MockTransportConnector } from './transport';
export type { MockConnectionState } from './transport';
export { MockStorage } from './storage';
export { MockDevice, MockLog, MockNetwork, SeededRandom } from './misc';
export { VirtualTime } from './time';
export { MockHttpClient, MockOtaWriter } from './ota';
export type { MockHttpResponse, OtaWriterState } from './ota';
export { MockDns, MockHttpServer, MockWifi, createMockProvisioning } from './provision';
export type { MockExchange, MockProvisioning, MockWifiNetwork } from './provision';

export interface MockHalOptions {
  seed?: number;
  /** Share flash with an earlier device (a reboot). */
  storage?: MockStorage;
  networkUp?: boolean;
  startTime?: number;
  /** OTA partition size; 0 leaves the HAL without HTTP and OTA (a device that cannot update). */
  otaCapacity?: number;
  /** Add an access point, Wi-Fi join and scan, and an HTTP server (Blynk.Inject). */
  provisioning?: boolean;
}

export interface MockHal extends Hal {
  readonly time: VirtualTime;
  readonly transport: MockTransportConnector;
  readonly storage: MockStorage;
  readonly network: MockNetwork;
  readonly log: MockLog;
  readonly random: SeededRandom;
  readonly device: MockDevice;
  readonly http?: MockHttpClient;
  readonly ota?: MockOtaWriter;
  readonly provisioning?: MockProvisioning;
  /** HAL calls in order ("storage.set ep.a", "transport.open mqtts://host:port"), for ordering checks. */
  readonly journal: string[];
}

export function createMockHal(options: MockHalOptions = {}): MockHal {
  const time = new VirtualTime(options.startTime ?? 0);
  const transport = new MockTransportConnector(time);
  const storage = options.storage ?? new MockStorage();
  const journal: string[] = [];
  transport.onRecord = (conn) => {
    const t = conn.target;
    journal.push(`transport.open ${t.scheme}://${t.host}:${t.port}${t.path}`);
  };
  storage.onWrite = (key) => journal.push(`storage.set ${key}`);
  const otaCapacity = options.otaCapacity ?? 1 << 20;
  const network = new MockNetwork(options.networkUp ?? true);
  return {
    ...(options.provisioning ? { provisioning: createMockProvisioning(time, network) } : {}),
    ...(otaCapacity > 0 ? { http: new MockHttpClient(time), ota: new MockOtaWriter(otaCapacity) } : {}),
    time,
    timers: time,
    clock: time,
    transport,
    storage,
    network,
    log: new MockLog(),
    random: new SeededRandom(options.seed ?? 1),
    device: new MockDevice(),
    journal,
  };
}
