// Bundles the portable core plus the HAL a target needs into one ES module per target.
// Output goes to build/dist/ (not committed). Moddable's own modules stay external: the XS
// linker resolves them on the device.
import typescript from '@rollup/plugin-typescript';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The build time, once per `npm run build`, as info/mcu wants it (`Mmm dd yyyy hh:mm:ss`, local
// time, like C's __DATE__ __TIME__; src/blynk/firmware-tag.ts formatBuildTime is the same form).
// Every bundle of this run gets it in place of __BLYNK_BUILD_TIME__ (src/blynk/config.ts): the
// default `firmware.build`. BLYNK_BUILD_TIME in the environment overrides it (reproducible builds).
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n) => String(n).padStart(2, '0');
export function formatBuildTime(d) {
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
export const BUILD_TIME = process.env.BLYNK_BUILD_TIME || formatBuildTime(new Date());
if (!/^[A-Z][a-z]{2} [ \d]\d \d{4} \d\d:\d\d:\d\d$/.test(BUILD_TIME)) {
  throw new Error(`BLYNK_BUILD_TIME must look like "Dec  1 2026 08:00:00", not "${BUILD_TIME}"`);
}

/** Replaces the free identifier __BLYNK_BUILD_TIME__ with the build time, as a string literal. */
export function buildTime(time = BUILD_TIME) {
  return {
    name: 'blynk-build-time',
    renderChunk(code) {
      return { code: code.replace(/\b__BLYNK_BUILD_TIME__\b/g, JSON.stringify(time)), map: null };
    },
  };
}

// Bare specifiers provided by the Moddable SDK (and by our XS test harness).
const moddableModules = [
  'timer', 'time', 'socket', 'securesocket', 'websocket', 'preference', 'mc/config', 'ota',
  'http', 'wifi', 'net', 'resource', 'Resource', 'crypt', 'instrumentation', 'flash', 'embedded:update', 'ssl/cert',
];
const isExternal = (id) => moddableModules.includes(id) || id.startsWith('embedded:') || id.startsWith('mc/');

const targets = [
  // The device bundle: core + Moddable HAL.
  { name: 'blynk-moddable', entry: 'build/entries/moddable.ts' },
  // Core only (what every other bundle is made of); proves the core bundles on its own.
  { name: 'blynk-core', entry: 'build/entries/core.ts' },
  // For the XS test tier: core + mock HAL, and core + the bridge HAL that talks to a Node parent.
  { name: 'blynk-xs-mock', entry: 'build/entries/xs-mock.ts' },
  { name: 'blynk-xs-bridge', entry: 'build/entries/xs-bridge.ts' },
];
// Every target, unconditionally: a missing entry stops the build instead of dropping the target.
for (const t of targets) {
  if (!existsSync(path.join(root, t.entry))) throw new Error(`rollup: no entry ${t.entry} for ${t.name}`);
}

export default targets.map((t) => ({
  input: path.join(root, t.entry),
  external: isExternal,
  output: { file: path.join(root, 'build/dist', `${t.name}.mjs`), format: 'es', sourcemap: false },
  plugins: [
    typescript({
      tsconfig: path.join(root, 'tsconfig.json'),
      include: ['src/**/*.ts', 'hal/**/*.ts', 'build/entries/*.ts', 'types/**/*.d.ts'],
      compilerOptions: { noEmit: false, declaration: false, sourceMap: false, outDir: undefined },
    }),
    buildTime(),
  ],
  onwarn(warning, warn) {
    if (warning.code === 'CIRCULAR_DEPENDENCY') throw new Error(warning.message);
    warn(warning);
  },
}));
