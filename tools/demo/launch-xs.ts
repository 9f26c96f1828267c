// The demo thermostat inside XS (the firmware's engine), through the bridge: its sockets,
// timers, flash and HTTP are the Node HAL's, in this process.
import type { NodeHalOptions } from '../../hal/node';
import type { Counters } from '../../src/index';
import { runBridged } from '../xs/run';
import type { DeviceRun } from './launch';
import type { Narrator } from './narrator';
import type { ThermostatOptions } from './thermostat';

export async function launchThermostatInXs(o: ThermostatOptions, halOptions: NodeHalOptions, say: Narrator): Promise<DeviceRun> {
  let reboots = 0;
  const run = await runBridged({
    app: 'tools/demo/xs-app.ts',
    params: o as unknown as Record<string, unknown>,
    halOptions: { ...halOptions, onReboot: () => reboots++ },
    onLog: (level, message) => {
      if (level === 'warn' || level === 'error') say.line('device', `${level}: ${message}`);
    },
    onMessage: (m) => say.line('device', String((m as { say?: unknown }).say)),
    onError: (e) => say.line('device', `XS failed: ${e.message}`),
  });
  const status = async () => (await run.request('status')) as { counters: Counters; stored: string | null };
  return {
    get reboots() {
      return reboots;
    },
    counters: async () => (await status()).counters,
    storedEndpoint: async () => (await status()).stored ?? undefined,
    stop: () => run.stop(),
  };
}
