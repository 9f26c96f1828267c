// Second attacker as a new user: the calls docs/api.md and the README show exist and behave as
// documented (onWrite returns BlynkError|null, offWrite, create, dispose).
import { readFileSync } from 'node:fs';
import { createMockHal } from '../../hal/mock';
import { BlynkDevice } from '../../src/blynk/device';
import { BlynkError, ErrorCode } from '../../src/errors';
import { FakeBroker } from '../../tools/broker/fake-broker';
import { makeApiDevice } from '../support/device';
import { TOKEN } from '../support/tokens';

test('every device.X( call in docs/api.md and README.md is a method of BlynkDevice', () => {
  const text = readFileSync('docs/api.md', 'utf8') + readFileSync('README.md', 'utf8');
  const names = [...new Set([...text.matchAll(/\bdevice\.([a-zA-Z]+)\(/g)].map((m) => m[1]!))];
  const d = makeApiDevice({}, { online: false });
  const missing = names.filter((n) => typeof (d.device as unknown as Record<string, unknown>)[n] !== 'function');
  expect(missing).toEqual([]);
  expect(typeof BlynkDevice.create).toBe('function');
});

test('onWrite returns null, a bad handler returns a BlynkError, offWrite routes the next write to onAnyWrite', () => {
  const d = makeApiDevice();
  const own: string[] = [];
  const any: string[] = [];
  expect(d.device.onWrite('Power', (v) => own.push(String(v)))).toBeNull();
  expect(d.device.onWrite('Power', 42 as never)).toBeInstanceOf(BlynkError);
  d.device.onAnyWrite((name, v) => any.push(`${name}=${v}`));
  d.broker.push('downlink/ds/Power', '1');
  d.broker.settle();
  d.device.offWrite('Power');
  d.broker.push('downlink/ds/Power', '0');
  d.broker.settle();
  expect(own).toEqual(['1']);
  expect(any).toEqual(['Power=0']);
});

test('create() returns (never throws) CONFIG for a bad option and IN_USE for a second device on one HAL', () => {
  const hal = createMockHal({ seed: 9 });
  new FakeBroker(hal);
  const bad = BlynkDevice.create({ hal, token: TOKEN, templateId: 'TMPL0001', requestTimeoutMs: -1 });
  expect(bad).toBeInstanceOf(BlynkError);
  expect((bad as BlynkError).code).toBe(ErrorCode.CONFIG);
  const a = BlynkDevice.create({ hal, token: TOKEN, templateId: 'TMPL0001' });
  expect(a).toBeInstanceOf(BlynkDevice);
  const b = BlynkDevice.create({ hal, token: TOKEN, templateId: 'TMPL0001' });
  expect((b as BlynkError).code).toBe(ErrorCode.IN_USE);
  (a as BlynkDevice).dispose();
  expect(BlynkDevice.create({ hal, token: TOKEN, templateId: 'TMPL0001' })).toBeInstanceOf(BlynkDevice);
});

test('create(undefined) and create(null) return a CONFIG error instead of throwing', () => {
  expect(() => BlynkDevice.create(undefined as never)).not.toThrow();
  expect((BlynkDevice.create(undefined as never) as BlynkError).code).toBe(ErrorCode.CONFIG);
  expect((BlynkDevice.create(null as never) as BlynkError).code).toBe(ErrorCode.CONFIG);
});

test('docs/api.md and errors.ts say what is checked: IN_USE is per HAL; the same token on a second HAL is a second device (the cloud side: C-DUPLICATE)', () => {
  const api = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  expect(api).toContain('IN_USE: a second device on the same HAL');
  expect(api).not.toContain('same HAL and token');
  const h1 = createMockHal({ seed: 1 });
  const h2 = createMockHal({ seed: 2 });
  expect(BlynkDevice.create({ hal: h1, token: TOKEN, templateId: 'TMPL0001' })).toBeInstanceOf(BlynkDevice);
  expect(BlynkDevice.create({ hal: h1, token: TOKEN, templateId: 'TMPL0001' })).toMatchObject({ code: ErrorCode.IN_USE });
  expect(BlynkDevice.create({ hal: h2, token: TOKEN, templateId: 'TMPL0001' })).toBeInstanceOf(BlynkDevice);
});
