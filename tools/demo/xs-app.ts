// The demo thermostat as an XS app: bundled with the runtime bundle and run inside xsnap, with
// sockets, timers and flash served by the Node parent through the bridge (tools/xs/run.ts).
import * as runtime from '../../build/entries/xs-bridge';
import { startThermostat, type ThermostatOptions } from './thermostat';

const hal = runtime.createBridgeHal();
const say = (line: string) => hal.post({ say: line });
const g = globalThis as Record<string, unknown>;
say(`running inside XS (no Node globals here: process ${typeof g.process}, Buffer ${typeof g.Buffer})`);
const t = startThermostat(runtime, hal, hal.params as unknown as ThermostatOptions, say);
hal.onStop(() => t.stop());
hal.onRequest(() => ({ counters: t.device.counters, stored: t.device.storedEndpoint ?? null }));
