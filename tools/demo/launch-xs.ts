// Placeholder until the XS bridge lands: runs on Node and says so.
import type { NodeHalOptions } from '../../hal/node';
import type { Narrator } from './narrator';
import type { ThermostatOptions } from './thermostat';
import { launchDevice, type DeviceRun } from './launch';

export async function launchThermostatInXs(o: ThermostatOptions, halOptions: NodeHalOptions, say: Narrator): Promise<DeviceRun> {
  say.line('demo', 'the XS bridge is not available yet; running on Node');
  return launchDevice('node', o, halOptions, say);
}
