// Types of rollup.config.mjs, for the tests that build with it (test/build).
import type { Plugin, RollupOptions } from 'rollup';

declare const targets: RollupOptions[];
export default targets;
/** `Mmm dd yyyy hh:mm:ss`, local time. */
export declare function formatBuildTime(d: Date): string;
/** This run's build time (BLYNK_BUILD_TIME overrides the clock). */
export declare const BUILD_TIME: string;
/** The plugin that writes `time` in place of __BLYNK_BUILD_TIME__. */
export declare function buildTime(time?: string): Plugin;
