// The exit guard (exit-guard.cjs, loaded by the summary reporter): a socket Node can no longer
// close (end() then resetAndDestroy(), test/tools/net/reset-child.ts `raw`) ends the process
// failed, naming the socket, instead of spinning for ever at exit. Children have a kill after
// 30 s: a hang detector, not a timing goal.
import { spawnSync } from 'node:child_process';

const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', '-r', './test/support/exit-guard.cjs', 'test/tools/net/reset-child.ts', ...args], { encoding: 'utf8', timeout: 30_000 });

test('a socket left in a state Node cannot close: the process ends with 1 and names it', () => {
  const r = run('raw');
  expect(r.signal).toBeNull();
  expect(r.status).toBe(1);
  expect(r.stdout).toContain('error EINVAL');
  expect(r.stderr).toContain('exit guard: the run left 1 socket(s) that Node cannot close');
  expect(r.stderr).toContain('destroyed true, accepted by a server');
});

test('nothing left open: the guard stays silent and the process ends with 0', () => {
  const r = run();
  expect(r.signal).toBeNull();
  expect(r.status).toBe(0);
  expect(r.stderr).not.toContain('exit guard');
});
