// What one downlink allocates on the device, in the simulator with a device-sized heap (issue
// 14, goal 1): this runtime's receive path, online, with an onWrite handler, fed the bench's
// chunks (tools/xs/sim-bench.ts). A count, not a time: per message it allocates only the value
// string (its topic comes from the cache), no slots, and it collects far less often than the
// Moddable SDK's own client fed the same chunks. Runs when MODDABLE is set.
import { sdkBenchTarget, sdkClientFile } from '../../tools/xs/bench';
import { measureSim } from '../../tools/xs/sim-bench';
import { describeSimulator } from './support/simulator';

describeSimulator('the receive path in the simulator (device-sized heap)', () => {
  test('C-LIMITS-3: a downlink allocates only its value string: under 40 chunk bytes, and slots only per chunk', async () => {
    const mqttJs = sdkClientFile(process.env.MODDABLE);
    if (!mqttJs) throw new Error(`MODDABLE=${process.env.MODDABLE} has no modules/network/mqtt/mqtt.js`);
    const r = await measureSim({ moddable: process.env.MODDABLE!, aliases: sdkBenchTarget(mqttJs).aliases!, rounds: 10, blocks: 1 });
    const ours = r.device!;
    const sdk = r.sdk!;
    expect(ours.messages).toBe(10_000);
    // A value string of 1 to 8 characters is one chunk of about 25 bytes on the 64-bit simulator.
    expect(ours.chunk_bytes_per_msg).toBeLessThan(40);
    expect(ours.slots_per_msg).toBeLessThan(0.1); // per chunk (the framer's view of each read's buffer) and per round, not per message
    expect(ours.gcs_per_1000).toBeLessThan(sdk.gcs_per_1000 / 10);
  }, 300_000);
});
