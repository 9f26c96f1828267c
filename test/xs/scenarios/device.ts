// The device-on-a-mock-HAL setup the scenarios share (test/support/device.ts does the same for
// jest, but imports the sources; this one goes through the runtime bundle's entry).
import {
  BlynkClient,
  createMockHal,
  type BlynkError,
  type ConnectionOptions,
  type MockHal,
  type MockStorage,
  type StateChange,
} from '../../../build/entries/xs-mock';
import { FakeBroker } from '../../../tools/broker/fake-broker';
import { TOKEN } from '../../support/tokens';
import { fail } from './assert';

export interface Device {
  hal: MockHal;
  broker: FakeBroker;
  client: BlynkClient;
  states: StateChange[];
  errors: BlynkError[];
}

/** Log lines and errors that showed the auth token unmasked (C-SECRETS), across scenarios. */
export const tokenLeaks: string[] = [];

/** Watch a mock HAL's log for the token (jest's secrets guard cannot see inside XS). */
export function watchForToken(hal: MockHal): void {
  hal.log.onLine = (_level, message) => {
    if (message.indexOf(TOKEN) >= 0) tokenLeaks.push(`log: ${message}`);
  };
}

export function makeDevice(
  options: Partial<ConnectionOptions> = {},
  env: { seed?: number; storage?: MockStorage; latencyMs?: number } = {},
): Device {
  const hal = createMockHal({ seed: env.seed ?? 1, storage: env.storage });
  watchForToken(hal);
  const broker = new FakeBroker(hal);
  broker.latencyMs = env.latencyMs ?? 0;
  const client = new BlynkClient(hal, { token: TOKEN, templateId: 'TMPL0001', ...options });
  const states: StateChange[] = [];
  const errors: BlynkError[] = [];
  client.events.on('state', (s) => states.push(s));
  client.events.on('error', (e) => {
    if (e.message.indexOf(TOKEN) >= 0) tokenLeaks.push(`error: ${e.message}`);
    errors.push(e);
  });
  return { hal, broker, client, states, errors };
}

export function bringOnline(d: Device, maxMs = 120_000): void {
  d.client.start();
  const end = d.hal.time.now() + maxMs;
  d.hal.time.flush();
  while (!d.client.online && d.hal.time.now() < end) {
    if (!d.hal.time.step()) break;
  }
  if (!d.client.online) fail(`device did not come online; state ${d.client.state}`);
  d.hal.time.flush();
}

export function errorCodes(d: Device): string[] {
  return d.errors.map((e) => e.code);
}

/** Transport opens, as "scheme://host:port" from the HAL's journal. */
export function opens(d: Device): string[] {
  return d.hal.journal.filter((l) => l.startsWith('transport.open ')).map((l) => l.slice('transport.open '.length));
}

export function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Hex of an ASCII string. */
export function asciiHex(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += s.charCodeAt(i).toString(16).padStart(2, '0');
  return out;
}
