// The runtime INSIDE XS, on the bridged HAL (hal/xs <-> tools/xs/bridge.ts <-> the Node HAL),
// against the local Blynk.Cloud emulator over real TCP, TLS and WebSocket: a session that is
// redirected to another region, stores the redirect in the bridge's flash (files), echoes a
// datastream write, stops cleanly, and after a "reboot" connects straight to the stored region.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeTestPki, type TestPki } from '../../tools/certs';
import { startEmulator, type Emulator, type Scheme } from '../../tools/emulator';
import { runBridged, type BridgedRun } from '../../tools/xs/run';
import { checkForTokens } from '../support/secrets-guard';
import { TOKEN } from '../support/tokens';

const SAFETY_MS = 10_000; // a bound on waits so a broken run fails instead of hanging, not a timing check

interface Message {
  type: string;
  [key: string]: unknown;
}

let pki: TestPki;
let emu: Emulator;
const dirs: string[] = [];
const runs: BridgedRun[] = [];

beforeAll(async () => {
  pki = await makeTestPki();
  emu = await startEmulator({ tokens: [TOKEN], pki, regions: { global: {}, eu: {} }, redirect: { from: 'global', to: 'eu' } });
}, 30_000);

afterEach(async () => {
  await Promise.all(runs.splice(0).map((r) => r.stop()));
});

afterAll(async () => {
  await emu?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Start the app in XS; `messages` collects what it posts, `until` waits for one. */
async function start(scheme: Scheme, storageDir: string, extra: { otaPath?: string; onReboot?: () => void } = {}) {
  const messages: Message[] = [];
  const waiters: { test: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  const logs: string[] = [];
  const run = await runBridged({
    app: 'test/xs/apps/bridge-device.ts',
    params: { token: TOKEN, server: emu.uri(scheme, 'global') },
    halOptions: { storageDir, ca: pki.caPem, ...extra },
    seed: 7,
    onLog: (level, line) => {
      checkForTokens('bridged log line', line);
      logs.push(`${level} ${line}`);
    },
    onMessage: (m) => {
      const msg = m as Message;
      if (msg.type === 'error') checkForTokens('bridged error', String(msg.message));
      messages.push(msg);
      for (const w of waiters.slice()) if (w.test(msg)) waiters.splice(waiters.indexOf(w), 1), w.resolve(msg);
    },
  });
  runs.push(run);
  const until = (test: (m: Message) => boolean, what: string): Promise<Message> => {
    const seen = messages.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} from the app; messages: ${JSON.stringify(messages)}\nlog:\n${logs.join('\n')}`)), SAFETY_MS);
      waiters.push({ test, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  };
  return { run, messages, until, logs };
}

describe.each(['mqtt', 'mqtts', 'ws', 'wss'] as Scheme[])('over %s', (scheme) => {
  test('a session redirected to another region, persisted in the bridge\'s flash, used on the next boot', async () => {
    const flash = mkdtempSync(path.join(tmpdir(), `xs-bridge-${scheme}-`));
    dirs.push(flash);
    const eu = emu.uri(scheme, 'eu');
    const base = emu.connections(TOKEN).length; // one emulator serves every test of the file

    const first = await start(scheme, flash);
    const redirect = await first.until((m) => m.type === 'redirect', 'redirect');
    expect(redirect).toMatchObject({ to: eu, persisted: true });
    await first.until((m) => m.type === 'online' && m.endpoint === eu, 'online at the eu region');
    expect(await first.run.request({})).toMatchObject({ online: true, endpoint: eu, stored: eu, engine: 'xs' });
    expect(readdirSync(flash).filter((f) => f.endsWith('.rec'))).toHaveLength(1); // blynk.ep.a, as a file

    // A downlink reaches the handler inside XS; its uplink reaches the emulator.
    await emu.writeDatastream(TOKEN, 'Power', '1');
    await first.until((m) => m.type === 'write', 'write');
    await emu.waitUntil(() => emu.datastream(TOKEN, 'PowerEcho') === '1', SAFETY_MS, 'ds/PowerEcho');
    const mine = new Set(emu.connections(TOKEN).slice(base).map((c) => c.id));
    expect(emu.uplinks(TOKEN, 'info/mcu').filter((u) => mine.has(u.connId))).toHaveLength(2); // on both connections

    await first.run.stop();
    await emu.waitUntil(() => !emu.isConnected(TOKEN), SAFETY_MS, 'the device to leave');
    expect(emu.connections(TOKEN).slice(base).map((c) => [c.region, c.reason])).toEqual([
      ['global', 'client-disconnect'], // left for the redirect: DISCONNECT, then close
      ['eu', 'client-disconnect'], // stop(): DISCONNECT
    ]);
    expect(first.messages.filter((m) => m.type === 'error')).toEqual([]);

    // Reboot: a new XS worker on the same flash connects straight to eu.
    const before = emu.connections(TOKEN).length;
    const second = await start(scheme, flash);
    await second.until((m) => m.type === 'online', 'online after the reboot');
    const later = emu.connections(TOKEN).slice(before);
    expect(later.map((c) => c.region)).toEqual(['eu']);
    expect(second.messages.filter((m) => m.type === 'redirect')).toEqual([]);
    await second.run.stop();
    await emu.waitUntil(() => !emu.isConnected(TOKEN), SAFETY_MS, 'the device to leave');
  }, 30_000);
});

describe('the rest of the HAL through the bridge', () => {
  function flashDir(): string {
    const d = mkdtempSync(path.join(tmpdir(), 'xs-bridge-'));
    dirs.push(d);
    return d;
  }

  test('Blynk.Air: HTTPS download and OTA writer on the host, digests checked in XS, then a reboot', async () => {
    const dir = flashDir();
    const otaPath = path.join(dir, 'firmware.bin');
    let rebooted!: () => void;
    const reboot = new Promise<void>((resolve) => (rebooted = resolve));
    const app = await start('mqtts', dir, { otaPath, onReboot: () => rebooted() });
    await app.until((m) => m.type === 'online' && String(m.endpoint).includes(String(emu.endpoint('mqtts', 'eu').port)), 'online');
    const data = new Uint8Array(200_000).map((_, i) => (i * 7 + 3) & 0xff);
    const pushed = await emu.pushOta(TOKEN, { image: { data, https: true }, ver: '1.1.0', build: 'Nov 27 2026 10:00:00' });
    await within(reboot, 'the reboot', app);
    expect(readFileSync(otaPath).equals(Buffer.from(data))).toBe(true);
    expect(pushed.image!.downloads.map((d) => d.outcome)).toEqual(['complete']);
    expect(app.messages.filter((m) => m.type === 'error')).toEqual([]);
  }, 30_000);

  test('the network going down and up reaches the app; it reconnects', async () => {
    const app = await start('mqtt', flashDir());
    await app.until((m) => m.type === 'online' && String(m.endpoint).includes(String(emu.endpoint('mqtt', 'eu').port)), 'online');
    const online = app.messages.filter((m) => m.type === 'online').length;
    app.run.setNetworkUp(false);
    await app.until((m) => m.type === 'state' && m.to === 'waiting-network', 'waiting-network');
    app.run.setNetworkUp(true);
    await app.until(() => app.messages.filter((m) => m.type === 'online').length > online, 'online again');
    expect(await app.run.request({})).toMatchObject({ online: true });
  }, 30_000);
});

function within<T>(p: Promise<T>, what: string, app: { messages: Message[]; logs: string[] }): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what}; messages: ${JSON.stringify(app.messages)}\nlog:\n${app.logs.join('\n')}`)), SAFETY_MS);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
