// The bridged HAL's contract, checked from inside XS (test/xs/apps/hal-probe.ts) against the
// Node HAL it is served by: timers (a cleared timer never fires, repeats), the parent's clock,
// flash records, transports (no callback inside a call, exactly one close), network changes,
// the OTA writer's errors surfacing as exceptions in XS, and log lines.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runBridged, type BridgedRun } from '../../tools/xs/run';

let run: BridgedRun;
let dir: string;
let server: Server;
let port = 0;
const sockets: Socket[] = [];
const logs: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'xs-hal-'));
  server = createServer((s) => {
    sockets.push(s);
    s.on('data', (b) => s.write(Buffer.concat([Buffer.from('echo:'), b]))); // an echo peer
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  run = await runBridged({
    app: 'test/xs/apps/hal-probe.ts',
    halOptions: { storageDir: path.join(dir, 'flash'), otaPath: path.join(dir, 'fw.bin'), otaCapacity: 1000 },
    onLog: (level, line) => logs.push(`${level} ${line}`),
  });
}, 60_000);

afterAll(async () => {
  await run?.stop();
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const ask = (op: string, more: Record<string, unknown> = {}): Promise<unknown> => run.request({ op, ...more });

/** Ask for what the app saw until `done` holds (events arrive asynchronously). */
async function seenUntil(done: (all: string[]) => boolean): Promise<string[]> {
  const all: string[] = [];
  for (let i = 0; i < 500 && !done(all); i++) {
    all.push(...((await ask('seen')) as string[]));
    if (!done(all)) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return all;
}

test('timers: one-shot fires once, later than the call; a cleared timer never fires; repeat repeats until cleared', async () => {
  const t0 = (await ask('now')) as number;
  await ask('timer', { name: 'a', ms: 20 });
  await ask('timer', { name: 'b', ms: 10 });
  await ask('clear', { name: 'b' });
  await ask('repeat', { name: 'r', ms: 5 });
  await ask('timer', { name: 'z', ms: 0 });
  const seen = await seenUntil((all) => all.includes('timer a') && all.filter((x) => x === 'repeat r').length >= 3);
  await ask('clear', { name: 'r' });
  // A sentinel far behind the 5 ms repeat: had the clear not held, the repeat would fire first.
  await ask('timer', { name: 'sentinel', ms: 30 });
  seen.push(...(await seenUntil((all) => all.includes('timer sentinel'))));
  expect(seen.filter((x) => x.startsWith('REENTRANT'))).toEqual([]);
  expect(seen).not.toContain('timer b'); // 'a' (20 ms) came, so 'b' (10 ms) would have
  expect(seen.filter((x) => x === 'timer a')).toHaveLength(1);
  expect(seen).toContain('timer z');
  expect(seen.slice(seen.indexOf('cleared r'))).not.toContain('repeat r');
  expect((await ask('now')) as number).toBeGreaterThanOrEqual(t0 + 20); // the parent's monotonic clock moved on
  expect(run.bridge.pendingTimers).toBe(0);
});

test('storage: records of up to 4000 bytes round-trip through the host files; delete; bad keys refused', async () => {
  expect(await ask('set', { key: 'blynk.ep.a', size: 4000 })).toBe(true);
  const value = (await ask('get', { key: 'blynk.ep.a' })) as string;
  expect(value).toHaveLength(8000);
  expect(value.slice(0, 6)).toBe('010e1b');
  expect(await ask('set', { key: 'too-long-key-for-nvs', size: 1 })).toBe(false);
  expect(await ask('set', { key: 'big', size: 4001 })).toBe(false);
  await ask('delete', { key: 'blynk.ep.a' });
  expect(await ask('get', { key: 'blynk.ep.a' })).toBeNull();
});

test('transport: opens, writes, receives, closes exactly once; callbacks never inside a call', async () => {
  await ask('open', { name: 't', target: { scheme: 'mqtt', host: '127.0.0.1', port, path: '' } });
  await seenUntil((all) => all.includes('t open'));
  expect(await ask('write', { name: 't', bytes: [1, 2, 3] })).toBe(true);
  const data = await seenUntil((all) => all.some((x) => x.startsWith('t data')));
  expect(data.join()).toContain('6563686f3a010203'); // "echo:" 01 02 03
  await ask('close', { name: 't' });
  expect(await ask('write', { name: 't', bytes: [4] })).toBe(false);
  const closed = await seenUntil((all) => all.some((x) => x.startsWith('t closed')));
  expect(closed.filter((x) => x.startsWith('t closed'))).toEqual(['t closed closed']);
  await ask('open', { name: 'u', target: { scheme: 'mqtt', host: '127.0.0.1', port: 1, path: '' } });
  const refused = await seenUntil((all) => all.some((x) => x.startsWith('u closed')));
  expect(refused.filter((x) => x.startsWith('u '))).toEqual(['u closed refused']);
  expect(refused.filter((x) => x.startsWith('REENTRANT'))).toEqual([]);
  expect(run.bridge.openTransports).toBe(0);
});

test('network changes reach the listener inside XS', async () => {
  run.setNetworkUp(false);
  run.setNetworkUp(true);
  expect(await seenUntil((all) => all.length >= 2)).toEqual(['network false', 'network true']);
});

test('OTA writer on the host: a complete image lands in the file; errors throw inside XS', async () => {
  expect(await ask('ota', { size: 300, write: 300 })).toBe('complete');
  expect(readFileSync(path.join(dir, 'fw.bin'))).toEqual(Buffer.alloc(300, 7));
  expect(await ask('ota', { size: 5000, write: 0 })).toMatch(/^threw: .*capacity/);
  expect(await ask('ota', { size: 10, write: 5 })).toMatch(/^threw: .*expected 10/);
});

test('log lines from XS arrive with their level and UTF-8 intact', async () => {
  await ask('log');
  expect(logs).toContain('warn a warning from XS: é 😀');
});
