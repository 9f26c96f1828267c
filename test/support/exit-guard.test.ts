// The exit guard (exit-guard.cjs, loaded by the summary reporter): a socket Node can no longer
// close (end() then resetAndDestroy(), test/tools/net/reset-child.ts `raw`) ends the process
// failed, naming the socket, instead of spinning for ever at exit. Children have a kill after
// 30 s: a hang detector, not a timing goal. The after-run guard (armAfterRun) is shown with a
// 300 ms grace instead of its minute.
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

const after = (...args: string[]) =>
  spawnSync(process.execPath, ['test/support/linger-child.cjs', ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, EXIT_GUARD_AFTER_RUN_MS: '300' } });

test('something left running after the run: the process ends with 1 and says what kept it', () => {
  const r = after('linger');
  expect(r.signal).toBeNull();
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/exit guard: the run ended 300 ms ago but the process is still alive, kept by: .*TCPServerWrap/);
});

test('nothing left running after the run: the after-run guard does not hold the process up', () => {
  const r = after();
  expect(r.signal).toBeNull();
  expect(r.status).toBe(0);
  expect(r.stderr).toBe('');
});
