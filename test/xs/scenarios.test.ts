// The main runtime scenarios, run INSIDE XS (xsnap-worker) on the bundled runtime with the mock
// HAL (build/dist/xs/blynk-xs-mock.mjs): one jest test per scenario, failing with the message
// the scenario produced in XS.
import { SCENARIOS } from './scenarios/index';
import { scenarioWorker, type ScenarioWorker } from './helpers';

let xs: ScenarioWorker;

beforeAll(async () => {
  xs = await scenarioWorker();
}, 60_000);

afterAll(async () => {
  await xs?.worker.close();
});

test('the bundle inside XS has the same scenarios as this file', async () => {
  expect(await xs.list()).toEqual(Object.keys(SCENARIOS));
});

test.each(Object.keys(SCENARIOS))('%s', async (name) => {
  const r = await xs.run(name);
  if (!r.ok) throw new Error(`inside XS: ${r.error}`);
  expect(r.engine).toBe('xs');
});
