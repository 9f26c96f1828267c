// A device on the mock HAL with a fake broker: the setup most runtime tests share.
import { createMockHal, type MockHal, type MockStorage } from '../../hal/mock';
import { BlynkClient } from '../../src/blynk/client';
import type { ConnectionOptions } from '../../src/blynk/config';
import type { BlynkError } from '../../src/errors';
import type { StateChange } from '../../src/session/session';
import { FakeBroker } from './fake-broker';
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
