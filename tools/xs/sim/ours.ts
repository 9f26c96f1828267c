// The simulator bench's entry for this runtime's stages (tools/xs/sim-bench.ts).
export { benchStages as stages } from '../bench-inside';
