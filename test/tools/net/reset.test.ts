// resetSocket (tools/net/reset.ts): the RST the hostile cloud and the emulator send. The trap it
// avoids: end() then resetAndDestroy() before the shutdown finished gets EINVAL and the socket
// never closes; its handle then keeps the process spinning at exit (CI timed out on it).
// reset-child.ts shows the trap itself with `raw` (test/support/exit-guard.test.ts runs it).
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { resetSocket } from '../../../tools/net/reset';

async function pair(): Promise<{ server: net.Server; mine: net.Socket; peer: net.Socket }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const peer = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  peer.on('error', () => undefined);
  const mine = await accepted;
  mine.on('error', () => undefined);
  return { server, mine, peer };
}

const closed = (s: net.Socket) => new Promise<boolean>((r) => (s.destroyed && s.closed ? r(true) : s.once('close', () => r(true))));

test('a fresh TCP socket is reset: the peer sees ECONNRESET', async () => {
  const { server, mine, peer } = await pair();
  const peerError = new Promise<string>((r) => peer.once('error', (e: NodeJS.ErrnoException) => r(String(e.code))));
  await new Promise<void>((r) => peer.once('connect', () => r()));
  resetSocket(mine);
  expect(await closed(mine)).toBe(true);
  expect(await peerError).toBe('ECONNRESET');
  await closed(peer);
  await new Promise<void>((r) => server.close(() => r()));
});

test('a socket whose end() is still under way is destroyed: it closes and its process ends', () => {
  // In a child process with a kill after 30 s, so that a regression fails here instead of hanging
  // the suite at exit. The kill is a hang detector, not a timing goal (it takes ~0.3 s).
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/tools/net/reset-child.ts'], { encoding: 'utf8', timeout: 30_000 });
  expect(r.signal).toBeNull();
  expect(r.stdout.split('\n')).toEqual(['shutdown pending true', 'closed', '']);
  expect(r.status).toBe(0);
});

test('a socket already destroyed is left alone', async () => {
  const { server, mine, peer } = await pair();
  mine.destroy();
  expect(() => resetSocket(mine)).not.toThrow();
  expect(await closed(mine)).toBe(true);
  peer.destroy();
  await closed(peer);
  await new Promise<void>((r) => server.close(() => r()));
});
