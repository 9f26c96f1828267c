// Shared by the XS test files: build what they need (cached), one xsnap worker per file.
import { buildTarget, buildXs, XS_OUT, type BuildTarget } from '../../tools/xs/build';
import { XsWorker } from '../../tools/xs/worker';
import type { ScenarioResult } from './scenarios/runner';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface ScenarioWorker {
  worker: XsWorker;
  list(): Promise<string[]>;
  run(name: string): Promise<ScenarioResult>;
}

/**
 * Build `target` (which imports ./blynk-xs-mock.mjs), start a worker and import the bundle; the
 * bundle installs the scenario runner (test/xs/scenarios/runner.ts).
 */
/** The main scenario bundle (test/xs/scenarios/bundle.ts). */
export const MAIN_SCENARIOS: BuildTarget = { name: 'xs-scenarios', entry: 'test/xs/scenarios/bundle.ts' };

export async function scenarioWorker(target: BuildTarget = MAIN_SCENARIOS): Promise<ScenarioWorker> {
  await buildXs(['blynk-xs-mock']);
  const bundle = await buildTarget(target);
  const worker = await XsWorker.start({ name: target.name });
  await worker.importModule(bundle);
  const ask = async (q: unknown): Promise<unknown> => {
    const reply = await worker.command(encoder.encode(JSON.stringify(q)));
    return JSON.parse(decoder.decode(reply.bytes));
  };
  return {
    worker,
    list: async () => (await ask({ list: true })) as string[],
    run: async (name) => (await ask({ run: name })) as ScenarioResult,
  };
}

export { XS_OUT };
