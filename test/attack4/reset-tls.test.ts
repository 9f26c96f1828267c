// attack4: resetSocket (tools/net/reset.ts) on a TLS socket. It only destroys one, so a test that
// wants the device to see onClose(reset) over TLS reaches past it to the TCP socket under the TLS
// one (test/hal/node/transport-ws.test.ts resets `_parent`). There resetSocket cannot see that the
// TLS side has ended: tls.end() shuts the TCP handle down while the TCP socket's writableEnded
// stays false, resetAndDestroy() then gets EINVAL, and the process spins for ever at exit (the
// very trap reset.ts exists for; reproduced on Node 20.20). The one place RSTs are sent must be
// able to send one under TLS itself, and still never fall into the trap.
// Children run with a kill after 30 s: a hang detector, not a timing goal.
import { spawnSync } from 'node:child_process';

const run = (mode: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', '-r', './test/support/exit-guard.cjs', 'test/attack4/reset-tls-child.ts', mode], { encoding: 'utf8', timeout: 30_000 });

describe('resetSocket on TLS (found by attack4)', () => {
  test('a TLS socket is reset under its TLS: the client sees ECONNRESET, and the process ends', () => {
    const r = run('fresh');
    expect(r.signal).toBeNull();
    expect(r.stderr).not.toContain('exit guard');
    expect(r.stdout).toContain('client ECONNRESET');
    expect(r.stdout).toContain('server socket closed');
    expect(r.status).toBe(0);
  });

  test('a TLS socket whose end() has begun is destroyed, not reset: it closes and the process ends', () => {
    const r = run('ended');
    expect(r.signal).toBeNull();
    expect(r.stderr).not.toContain('exit guard');
    expect(r.stdout).toContain('server socket closed');
    expect(r.status).toBe(0);
  });
});
