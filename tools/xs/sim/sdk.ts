// The simulator bench's entry for the Moddable SDK client's stage (tools/xs/sim-bench.ts).
export { sdkStages as stages } from '../sdk/bench-sdk';
