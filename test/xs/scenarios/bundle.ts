// The XS scenario bundle: test/xs/scenarios on top of ./blynk-xs-mock.mjs. Importing it inside
// xsnap installs the runner the jest tests talk to (test/xs/scenarios.test.ts).
import { SCENARIOS } from './index';
import { installRunner } from './runner';

installRunner(SCENARIOS);
