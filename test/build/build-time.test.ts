// The build time is real: `npm run build` (build/rollup.config.mjs) writes it into every bundle,
// and a fresh bundle's default firmware.build (what info/mcu sends when the app gives none) is
// the clock at build time, in the form Blynk's libraries send.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { rollup, type RollupOptions } from 'rollup';
import { TOKEN } from '../support/tokens';

const FORM = /^[A-Z][a-z]{2} [ \d]\d \d{4} \d\d:\d\d:\d\d$/;
/** "Dec  1 2026 08:05:09" (local time) -> ms since the epoch. */
const parse = (s: string): number => new Date(s.replace(/^(\w{3}) +(\d+) (\d{4}) /, '$1 $2, $3 ')).getTime();

let out: string;
afterAll(() => out && rmSync(out, { recursive: true, force: true }));

test('a fresh bundle\'s default firmware.build is the clock at build time (Mmm dd yyyy hh:mm:ss)', async () => {
  out = mkdtempSync(path.join(tmpdir(), 'blynk-build-time-'));
  const before = Math.floor(Date.now() / 1000) * 1000; // the form has whole seconds
  // Loading the config is what `npm run build` does first: it takes the time then.
  const configs: RollupOptions[] = (await import('../../build/rollup.config.mjs')).default;
  const mock = configs.find((c) => String(c.input).endsWith('build/entries/xs-mock.ts'))!;
  const file = path.join(out, 'blynk-xs-mock.mjs');
  const bundle = await rollup(mock);
  await bundle.write({ file, format: 'es' });
  await bundle.close();
  const after = Date.now();

  const literal = /typeof ("[^"]+") === 'string'/.exec(readFileSync(file, 'utf8'))?.[1];
  expect(literal).toBeDefined(); // __BLYNK_BUILD_TIME__ was replaced
  const rt = (await import(pathToFileURL(file).href)) as typeof import('../../build/entries/xs-mock');
  const client = new rt.BlynkClient(rt.createMockHal({ seed: 1 }), { token: TOKEN, templateId: 'TMPL0001' });
  const build = client.config.firmware.build;
  expect(build).toBe(JSON.parse(literal!));
  expect(build).toMatch(FORM);
  expect(parse(build)).toBeGreaterThanOrEqual(before);
  expect(parse(build)).toBeLessThanOrEqual(after);
  expect(build).not.toBe('Jan  1 2026 00:00:00'); // the old placeholder
  // An app's own value still wins.
  expect(new rt.BlynkClient(rt.createMockHal({ seed: 1 }), { token: TOKEN, templateId: 'T', firmware: { build: 'Nov 26 2026 10:00:00' } }).config.firmware.build).toBe('Nov 26 2026 10:00:00');
}, 120_000);
