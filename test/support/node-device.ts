// A BlynkDevice on the Node HAL (real sockets), for integration tests against the emulator or
// mosquitto. Log lines are kept (and checked for tokens by the secrets guard).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeHal, type NodeHal, type NodeHalOptions } from '../../hal/node';
import { BlynkDevice, type DeviceOptions } from '../../src/blynk/device';
import type { BlynkError } from '../../src/errors';
import type { StateChange } from '../../src/session/session';
import { checkForTokens } from './secrets-guard';
import { waitFor } from './wait';

export interface NodeDevice {
  hal: NodeHal;
  device: BlynkDevice;
  errors: BlynkError[];
  states: StateChange[];
  logs: string[];
  subscribed: boolean;
  reboots: number;
  /** Stop the device and release the HAL (the storage directory is kept for a reboot). */
  shutdown(): void;
}

const live = new Set<NodeDevice>();

/** A scratch directory for a device's flash; removed by cleanupNodeDevices(). */
const dirs: string[] = [];
export function flashDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'blynk-flash-'));
  dirs.push(d);
  return d;
}

export function nodeDevice(options: Omit<DeviceOptions, 'hal'>, hal: NodeHalOptions = {}): NodeDevice {
  const logs: string[] = [];
  const nd: NodeDevice = {
    hal: undefined as unknown as NodeHal,
    device: undefined as unknown as BlynkDevice,
    errors: [],
    states: [],
    logs,
    subscribed: false,
    reboots: 0,
    shutdown() {
      if (!live.delete(nd)) return;
      nd.device.stop();
      nd.hal.dispose();
    },
  };
  nd.hal = createNodeHal({
    log: (level, m) => {
      checkForTokens('node HAL log', m);
      logs.push(`${level} ${m}`);
    },
    onReboot: () => nd.reboots++,
    ...hal,
  });
  nd.device = new BlynkDevice({ hal: nd.hal, ...options });
  nd.device.on('error', (e) => nd.errors.push(e));
  nd.device.on('state', (s) => nd.states.push(s));
  nd.device.on('subscribed', () => (nd.subscribed = true));
  nd.device.on('state', (s) => {
    if (s.to !== 'online') nd.subscribed = false;
  });
  live.add(nd);
  return nd;
}

/** Start and wait until online with downlink/# acknowledged. */
export async function startOnline(nd: NodeDevice): Promise<void> {
  nd.device.start();
  await waitFor(() => nd.device.online && nd.subscribed, 'the device online and subscribed');
}

export function cleanupNodeDevices(): void {
  for (const nd of Array.from(live)) nd.shutdown();
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
}
