// Starts the demo thermostat on an engine: on Node with the Node HAL, or inside XS through the
// bridge (the firmware's engine; sockets, timers and flash served by Node).
import { createNodeHal, type NodeHalOptions } from '../../hal/node';
import * as runtime from '../../src/index';
import type { Counters } from '../../src/index';
import type { Narrator } from './narrator';
import { startThermostat, type ThermostatOptions } from './thermostat';

export interface DeviceRun {
  /** Reboots the device asked for (after an update). */
  readonly reboots: number;
  counters(): Promise<Counters>;
  storedEndpoint(): Promise<string | undefined>;
  stop(): Promise<void>;
}

export type Engine = 'node' | 'xs';

export async function launchDevice(engine: Engine, o: ThermostatOptions, halOptions: NodeHalOptions, say: Narrator): Promise<DeviceRun> {
  if (engine === 'xs') return launchInXs(o, halOptions, say);
  let reboots = 0;
  const hal = createNodeHal({
    ...halOptions,
    // The runtime's own log: only what needs attention; the thermostat narrates the rest.
    log: (level, message) => {
      if (level === 'warn' || level === 'error') say.line('device', `${level}: ${message}`);
    },
    onReboot: () => reboots++,
  });
  const t = startThermostat(runtime, hal, o, (line) => say.line('device', line));
  let stopped = false;
  return {
    get reboots() {
      return reboots;
    },
    counters: async () => t.device.counters,
    storedEndpoint: async () => t.device.storedEndpoint,
    async stop() {
      if (stopped) return;
      stopped = true;
      t.stop();
      await new Promise((r) => setTimeout(r, 100)); // let the DISCONNECT go out
      hal.dispose();
    },
  };
}

async function launchInXs(o: ThermostatOptions, halOptions: NodeHalOptions, say: Narrator): Promise<DeviceRun> {
  const { launchThermostatInXs } = await import('./launch-xs');
  return launchThermostatInXs(o, halOptions, say);
}
