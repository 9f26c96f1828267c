// A device on the mock HAL with a fake broker: the setup most runtime tests share.
import { createMockHal, type MockHal, type MockStorage } from '../../hal/mock';
import { BlynkClient } from '../../src/blynk/client';
import type { ConnectionOptions } from '../../src/blynk/config';
import { BlynkDevice, type DeviceOptions } from '../../src/blynk/device';
import type { BlynkError } from '../../src/errors';
import type { StateChange } from '../../src/session/session';
import { FakeBroker } from '../../tools/broker/fake-broker';
import { TOKEN } from './tokens';

export interface TestDevice {
  hal: MockHal;
  broker: FakeBroker;
  client: BlynkClient;
  states: StateChange[];
  errors: BlynkError[];
}

export function makeDevice(
  options: Partial<ConnectionOptions> = {},
  env: { seed?: number; storage?: MockStorage; networkUp?: boolean; latencyMs?: number } = {},
): TestDevice {
  const hal = createMockHal({ seed: env.seed ?? 1, storage: env.storage, networkUp: env.networkUp });
  const broker = new FakeBroker(hal);
  broker.latencyMs = env.latencyMs ?? 0;
  const client = new BlynkClient(hal, { token: TOKEN, templateId: 'TMPL0001', ...options });
  const states: StateChange[] = [];
  const errors: BlynkError[] = [];
  client.events.on('state', (s) => states.push(s));
  client.events.on('error', (e) => errors.push(e));
  return { hal, broker, client, states, errors };
}

/** Start the device and run virtual time until it is online (or fail). */
export function bringOnline(d: TestDevice, maxMs = 120_000): void {
  d.client.start();
  const end = d.hal.time.now() + maxMs;
  d.hal.time.flush();
  while (!d.client.online && d.hal.time.now() < end) {
    if (!d.hal.time.step()) break;
  }
  if (!d.client.online) throw new Error(`device did not come online; state ${d.client.state}`);
  d.hal.time.flush();
}

export function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export interface ApiDevice {
  hal: MockHal;
  broker: FakeBroker;
  device: BlynkDevice;
  errors: BlynkError[];
}

/** A BlynkDevice (the application API) on the mock HAL, online. */
export function makeApiDevice(
  options: Partial<Omit<DeviceOptions, 'hal'>> = {},
  env: { seed?: number; otaCapacity?: number; online?: boolean } = {},
): ApiDevice {
  const hal = createMockHal({ seed: env.seed ?? 1, otaCapacity: env.otaCapacity });
  const broker = new FakeBroker(hal);
  const device = new BlynkDevice({ hal, token: TOKEN, templateId: 'TMPL0001', firmware: { version: '1.0.0', build: 'Nov 26 2026 10:00:00' }, ...options });
  const errors: BlynkError[] = [];
  device.on('error', (e) => errors.push(e));
  if (env.online !== false) {
    device.start();
    for (let i = 0; i < 100 && !device.online; i++) hal.time.step();
    hal.time.flush();
    if (!device.online) throw new Error(`device did not come online: ${device.state}`);
  }
  return { hal, broker, device, errors };
}
