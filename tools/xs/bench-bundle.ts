// The XS benchmark bundle (npm run bench:xs): tools/xs/bench-inside.ts on ./blynk-xs-mock.mjs.
import { installBench } from './bench-inside';

installBench();
