// attack4: the exit guard (test/support/exit-guard.cjs) looks for sockets Node cannot close in
// process._getActiveHandles(), which lists only ref'd handles. An unref()'d socket in the same
// state (end() then resetAndDestroy(): EINVAL, marked closing, never closed) is not listed, yet
// Node still waits for it at exit, so the process spins for ever with no word from the guard.
// The child has a kill after 30 s: a hang detector, not a timing goal.
import { spawnSync } from 'node:child_process';

describe('exit guard and unref()\'d sockets (found by attack4)', () => {
  test('an unref()\'d socket Node cannot close: the process ends with 1 and names it', () => {
    const r = spawnSync(process.execPath, ['-r', './test/support/exit-guard.cjs', 'test/attack4/unref-child.cjs'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout).toContain('error EINVAL');
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('exit guard: the run left 1 socket(s) that Node cannot close');
    expect(r.stderr).toContain('accepted by a server');
  });
});
