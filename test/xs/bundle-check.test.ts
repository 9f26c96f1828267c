// The device bundle may use nothing from Node or a browser. Checked two ways: statically (rollup
// parses the bundle; free references to Node/browser globals and non-Moddable imports are
// findings) and dynamically (the bundle is loaded inside XS, which has none of them). The
// fixtures show both checks catching real mistakes that pass on Node.
import { readFileSync } from 'node:fs';
import { buildTarget, buildXs, XS_TARGETS } from '../../tools/xs/build';
import { checkBundle, formatFindings } from '../../tools/xs/globals-check';
import { XsWorker } from '../../tools/xs/worker';
import { loadInXs } from '../../tools/xs/xs-load';
import { topicBytes } from './fixtures/node-buffer';
import { naivePublish } from './fixtures/naive-publish';
import { scenarioWorker } from './helpers';

// Every runtime bundle, unconditionally: a missing entry fails the build (buildTarget throws),
// it is not skipped.
const DEVICE_BUNDLES = ['blynk-moddable', 'blynk-core', 'blynk-xs-bridge', 'blynk-xs-mock'];

test('the check covers every runtime bundle the XS build knows', () => {
  expect([...DEVICE_BUNDLES].sort()).toEqual(Object.keys(XS_TARGETS).sort());
});

let worker: XsWorker;
let bundles: Record<string, string>;

beforeAll(async () => {
  bundles = await buildXs(DEVICE_BUNDLES);
  worker = await XsWorker.start({ name: 'bundle-check' });
}, 60_000);

afterAll(async () => {
  await worker?.close();
});

describe.each(DEVICE_BUNDLES)('%s', (name) => {
  test('static: no free Node/browser globals, no imports but Moddable modules', () => {
    const file = bundles[name]!;
    const findings = checkBundle(readFileSync(file, 'utf8'));
    expect(formatFindings(file, findings)).toBe('');
  });

  test('dynamic: loads inside XS', async () => {
    await expect(loadInXs(worker, bundles[name]!)).resolves.toBeUndefined();
  });
});

describe('the checks catch what Node lets through', () => {
  test('a Buffer helper works on Node, is found by the static check, and fails inside XS', async () => {
    expect(Array.from(topicBytes('ds/Power'))).toEqual([100, 115, 47, 80, 111, 119, 101, 114]);
    const fixture = { name: 'fixture-node-buffer', entry: 'test/xs/fixtures/node-buffer-entry.ts' };
    const file = await buildTarget(fixture);
    const findings = checkBundle(readFileSync(file, 'utf8'), { allowRelative: true });
    expect(findings.map((f) => [f.kind, f.name])).toEqual([['global', 'Buffer']]);
    expect(findings[0]!.text).toContain('Buffer.from(topic');
    const xs = await scenarioWorker(fixture);
    try {
      const r = await xs.run('topic bytes');
      expect(r.ok).toBe(false);
      expect(r.error).toMatch(/ReferenceError: .*Buffer/);
    } finally {
      await xs.worker.close();
    }
  });

  test('an imported Node module is a finding too', () => {
    const findings = checkBundle("import { Buffer } from 'node:buffer';\nimport Timer from 'timer';\nexport const b = Buffer.alloc(1);\n");
    expect(findings.map((f) => `${f.kind} ${f.name}`)).toEqual(['import node:buffer']);
  });

  test('a local variable named like a global, or a typeof probe, is not a finding', () => {
    const code = 'export function f(process) { return process.env; }\nexport const hasBuffer = typeof Buffer !== "undefined";\n';
    expect(checkBundle(code)).toEqual([]);
  });

  test('string.length as a byte count: right for ASCII on Node, caught by the XS utf8 scenario on é and emoji', async () => {
    expect(naivePublish('ds/Power', '1')).toEqual(Uint8Array.of(0x30, 11, 0, 8, ...Buffer.from('ds/Power'), 0x31));
    const fixture = { name: 'fixture-naive-publish', entry: 'test/xs/fixtures/naive-publish-entry.ts' };
    // Nothing for the static check to see: the mistake is in the arithmetic.
    expect(checkBundle(readFileSync(await buildTarget(fixture), 'utf8'), { allowRelative: true })).toEqual([]);
    const xs = await scenarioWorker(fixture);
    try {
      expect(await xs.run('utf8 uplink, runtime encoder')).toMatchObject({ ok: true, engine: 'xs' });
      const r = await xs.run('utf8 uplink, string.length encoder');
      expect(r).toMatchObject({ ok: false, engine: 'xs' });
      expect(r.error).toBe('topic as the broker decodes it: expected "ds/Température", got "ds/Températur"');
    } finally {
      await xs.worker.close();
    }
  });
});
