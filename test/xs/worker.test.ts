// The xsnap-worker driver: netstring commands, XS -> parent calls answered by an async handler,
// meter readings, error messages, the sticky error flag, and a clean close.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XsError, XsWorker } from '../../tools/xs/worker';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'xs-worker-'));
  writeFileSync(path.join(dir, 'ok.mjs'), 'import { x } from "./dep.mjs"; globalThis.fromModule = x * 2;');
  writeFileSync(path.join(dir, 'dep.mjs'), 'export const x = 21;');
  writeFileSync(path.join(dir, 'bad.mjs'), 'export const b = Buffer.from("x");');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('evaluate, calls from XS answered asynchronously, commands into XS, meter usage', async () => {
  const seen: string[] = [];
  const w = await XsWorker.start({
    onCommand: async (request) => {
      seen.push(text(request));
      await new Promise((resolve) => setImmediate(resolve)); // XS stays blocked meanwhile
      return new TextEncoder().encode(`answer to ${text(request)}`);
    },
  });
  try {
    await w.evaluate(`globalThis.handleCommand = (ab) => {
      const q = new TextDecoder().decode(new Uint8Array(ab));
      const a = new TextDecoder().decode(new Uint8Array(issueCommand(new TextEncoder().encode('ask ' + q).buffer)));
      return new TextEncoder().encode(a + ' / ' + typeof process).buffer;
    }`);
    const r = await w.command(new TextEncoder().encode('hello'));
    expect(text(r.bytes)).toBe('answer to ask hello / undefined');
    expect(seen).toEqual(['ask hello']);
    expect(r.meter.compute).toBeGreaterThan(0);
    expect(r.meter.currentHeapCount).toBeGreaterThan(0);
    expect(r.meter.allocate).toBeGreaterThan(0);
    const e = await w.evaluate('new TextEncoder().encode(String(6 * 7)).buffer');
    expect(text(e.bytes)).toBe('42');
  } finally {
    await w.close();
  }
});

test('exceptions come back with their message; a failed module import is not swallowed', async () => {
  const w = await XsWorker.start();
  try {
    await expect(w.evaluate('throw new TypeError("boom")')).rejects.toThrow(/TypeError: boom/);
    // After an exception xsnap-worker keeps an error flag that would fail later imports: handled.
    await w.importModule(path.join(dir, 'ok.mjs'));
    expect(text((await w.evaluate('new TextEncoder().encode(String(globalThis.fromModule)).buffer')).bytes)).toBe('42');
    await expect(w.importModule(path.join(dir, 'bad.mjs'))).rejects.toThrow(/ReferenceError: .*Buffer/);
  } finally {
    await w.close();
  }
  expect(w.alive).toBe(false);
  expect(w.exitCode).toBe(0); // the sticky flag was cleared before quitting
});

test('a crank over the metering limit ends the worker with a clear error', async () => {
  const w = await XsWorker.start({ meteringLimit: 100_000 });
  const e = await w.evaluate('for (;;) {}').catch((x: unknown) => x);
  expect(e).toBeInstanceOf(XsError);
  expect((e as XsError).message).toMatch(/too much computation/);
  expect(w.alive).toBe(false);
  await expect(w.evaluate('1')).rejects.toThrow(/exited/);
  await w.close();
});
