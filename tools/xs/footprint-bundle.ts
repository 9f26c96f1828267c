// The XS footprint bundle (tools/xs/footprint.ts): tools/xs/footprint-inside.ts on ./blynk-xs-mock.mjs.
import { installFootprint } from './footprint-inside';

installFootprint();
