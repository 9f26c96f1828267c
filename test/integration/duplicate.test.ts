// C-DUPLICATE end to end: two devices on one token against the emulator, which (like the
// cloud) keeps the newer connection and closes the older one. Without the duplicate rule they
// kick each other off forever; with it one of them recognizes the pattern, reports
// DUPLICATE_TOKEN and waits, and the other stays connected for the whole wait.
import { startEmulator, type Emulator } from '../../tools/emulator';
import { ErrorCode } from '../../src/errors';
import { cleanupNodeDevices, nodeDevice, type NodeDevice } from '../support/node-device';
import { TOKEN } from '../support/tokens';
import { waitFor } from '../support/wait';

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ tokens: [TOKEN], regions: { global: {} } });
});
afterEach(() => cleanupNodeDevices());
afterAll(async () => {
  await emu.close();
});

type Twin = NodeDevice & { dupAt: number[]; timed: { at: number; from: string; to: string }[] };

function twin(name: string): Twin {
  const d = nodeDevice(
    {
      token: TOKEN,
      templateId: 'TMPLdup',
      firmware: { version: '1.0.0', build: 'Nov 26 2026 10:00:00' },
      server: emu.uri('mqtt'),
      // Small numbers so the test runs in seconds; the rule is the same as with the defaults.
      backoff: { baseMs: 50, capMs: 300 },
      stableAfterMs: 20_000,
      duplicate: { after: 3, waitMs: 4000, capMs: 8000 },
      logLevel: 'warn',
      clientId: name,
    },
    {},
  ) as Twin;
  d.dupAt = [];
  d.timed = [];
  d.device.on('duplicate', () => d.dupAt.push(Date.now()));
  d.device.on('state', (s) => d.timed.push({ at: Date.now(), from: s.from, to: s.to }));
  return d;
}

test('C-DUPLICATE two devices on one token: one backs off, the other stays connected through the whole wait', async () => {
  const a = twin('a');
  const b = twin('b');
  a.device.start();
  b.device.start();
  await waitFor(() => a.dupAt.length + b.dupAt.length > 0, 'one device to recognize the duplicate token', 30_000);
  const [loser, winner] = a.dupAt.length > 0 ? [a, b] : [b, a];
  expect(loser.errors.map((e) => e.code)).toContain(ErrorCode.DUPLICATE_TOKEN);
  const dupAt = loser.dupAt[0]!;
  await waitFor(() => winner.device.online, 'the other device online');
  // From the winner's next CONNACK after the loser backed off, until the loser tries again
  // (the event times, not when this test looked), the winner's connection is never closed.
  await waitFor(() => loser.timed.some((s) => s.at >= dupAt && s.to === 'connecting'), "the loser's next attempt", 30_000);
  const retryAt = loser.timed.find((s) => s.at >= dupAt && s.to === 'connecting')!.at;
  const onlineAt = winner.timed.filter((s) => s.to === 'online' && s.at <= retryAt).at(-1)!.at;
  const winnerDrops = winner.timed.filter((s) => s.from === 'online' && s.at > Math.max(onlineAt, dupAt) && s.at < retryAt);
  expect(winnerDrops).toEqual([]);
  expect(retryAt - Math.max(onlineAt, dupAt)).toBeGreaterThan(0);
  expect(emu.connections(TOKEN).filter((c) => c.reason === 'replaced').length).toBeGreaterThanOrEqual(3);
}, 60_000);
