// The runtime scenarios, run INSIDE XS (xsnap-worker) on the bundled runtime with the mock HAL
// (build/dist/xs/blynk-xs-mock.mjs): one jest test per scenario, failing with the message the
// scenario produced in XS. They are a subset of the jest suites, written against the bundle's
// entry; README.md ("Inside XS") names each one, and the first test holds the bundle to that list.
import { readFileSync } from 'node:fs';
import { NO_TEXT_DECODER_SCENARIOS } from './scenarios/no-text-decoder';
import { SCENARIOS } from './scenarios/index';
import { scenarioWorker, type ScenarioWorker } from './helpers';

/** The scenario names README.md lists under "Inside XS" (one `- "name"` line each). */
function readmeList(): string[] {
  const text = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const at = text.indexOf('<!-- xs-scenarios -->');
  const end = text.indexOf('<!-- /xs-scenarios -->');
  if (at < 0 || end < at) throw new Error('README.md has no <!-- xs-scenarios --> list');
  return [...text.slice(at, end).matchAll(/^- `([^`]+)`/gm)].map((m) => m[1]!);
}

describe('the main scenario bundle', () => {
  let xs: ScenarioWorker;
  beforeAll(async () => {
    xs = await scenarioWorker();
  }, 60_000);
  afterAll(async () => {
    await xs?.worker.close();
  });

  test('the bundle built for XS runs exactly the scenarios README.md lists, in its order', async () => {
    expect(await xs.list()).toEqual(readmeList().filter((n) => !n.startsWith('no TextDecoder: ')));
  });

  test.each(Object.keys(SCENARIOS))('%s', async (name) => {
    const r = await xs.run(name);
    if (!r.ok) throw new Error(`inside XS: ${r.error}`);
    expect(r.engine).toBe('xs');
  }, 120_000); // the hostile run takes seconds inside XS
});

describe('without TextDecoder (removed before the runtime decodes anything)', () => {
  let xs: ScenarioWorker;
  beforeAll(async () => {
    xs = await scenarioWorker({ name: 'xs-scenarios-no-text-decoder', entry: 'test/xs/scenarios/no-text-decoder-bundle.ts' });
  }, 60_000);
  afterAll(async () => {
    await xs?.worker.close();
  });

  test('the bundle runs the scenarios README.md lists for it', async () => {
    expect(await xs.list()).toEqual(readmeList().filter((n) => n.startsWith('no TextDecoder: ')));
  });

  test.each(Object.keys(NO_TEXT_DECODER_SCENARIOS))('%s', async (name) => {
    const r = await xs.run(name);
    if (!r.ok) throw new Error(`inside XS: ${r.error}`);
    expect(r.engine).toBe('xs');
  });
});
