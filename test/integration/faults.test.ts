// Faults on real sockets: the broker going away and coming back, a connection cut in the
// middle of a packet, a broker that stalls, and a server whose certificate is not trusted.
import { startEmulator, type Emulator } from '../../tools/emulator';
import { makeTestPki } from '../../tools/certs';
import { TcpProxy } from '../../tools/proxy';
import { ErrorCode } from '../../src/errors';
import { describeMosquitto, startMosquitto } from '../support/mosquitto';
import { cleanupNodeDevices, nodeDevice, startOnline, type NodeDevice } from '../support/node-device';
import { TOKEN } from '../support/tokens';
import { waitFor } from '../support/wait';

const CAP = 1000;
let emu: Emulator;
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  emu = await startEmulator({ tokens: [TOKEN] });
});
afterEach(async () => {
  cleanupNodeDevices();
  while (proxies.length) await proxies.pop()!.close();
});
afterAll(async () => {
  await emu.close();
});

function dev(server: string, extra: Record<string, unknown> = {}, ca?: string): NodeDevice {
  return nodeDevice(
    { token: TOKEN, templateId: 'TMPLfault', server, backoff: { baseMs: 50, capMs: CAP }, ...extra },
    { ca: ca ?? emu.ca.pem },
  );
}

async function proxyTo(port: number): Promise<TcpProxy> {
  const p = await TcpProxy.start({ targetPort: port });
  proxies.push(p);
  return p;
}

/** The backoff delays the device chose, from its state changes. */
function delays(d: NodeDevice): number[] {
  return d.states.map((s) => /retry in (\d+) ms/.exec(s.reason)).filter((m) => m !== null).map((m) => Number(m![1]));
}

test('C-RECONNECT the broker goes away mid-session and comes back: the device is back online, every wait within the backoff bound', async () => {
  const d = dev(emu.uri('mqtt'));
  await startOnline(d);
  await emu.pauseListener('global', { mode: 'refuse', existing: 'close' });
  await waitFor(() => !d.device.online, 'the device noticing the outage');
  await waitFor(() => delays(d).length >= 3, 'a few refused attempts');
  await emu.resumeListener('global');
  await waitFor(() => d.device.online, 'back online');
  expect(delays(d).every((ms) => ms >= 0 && ms <= CAP)).toBe(true);
  expect(d.errors.map((e) => e.code)).toContain(ErrorCode.CONNECTION_LOST);
  expect(emu.maxConcurrent(TOKEN)).toBe(1);
});

test('a connection cut in the middle of a packet: nothing partial is delivered; the device reconnects and the next message arrives whole', async () => {
  const proxy = await proxyTo(emu.endpoint('mqtt').port);
  const d = dev(`mqtt://127.0.0.1:${proxy.port}`);
  const got: string[] = [];
  d.device.onWrite('Terminal', (v) => got.push(v));
  await startOnline(d);
  proxy.cutToClientAfter = 12; // fixed header + part of the topic of the next downlink
  await emu.publish(TOKEN, 'downlink/ds/Terminal', 'y'.repeat(200)).catch(() => undefined);
  await waitFor(() => d.errors.some((e) => e.code === ErrorCode.CONNECTION_LOST), 'the cut');
  await waitFor(() => d.device.online && d.subscribed, 'online again');
  await emu.publish(TOKEN, 'downlink/ds/Terminal', 'whole');
  await waitFor(() => got.length > 0, 'the next message');
  expect(got).toEqual(['whole']);
  expect(proxy.stats.connections).toBe(2);
});

test('C-KEEPALIVE-1 a stalled broker is detected by the keepalive; the device reconnects', async () => {
  const proxy = await proxyTo(emu.endpoint('mqtt').port);
  const d = dev(`mqtt://127.0.0.1:${proxy.port}`, { keepalive: 1 });
  await startOnline(d);
  proxy.stalled = true; // the socket stays open, nothing gets through
  await waitFor(() => d.errors.some((e) => e.code === ErrorCode.KEEPALIVE_TIMEOUT), 'the keepalive timeout');
  proxy.stalled = false;
  proxy.cutAll(); // the old, stalled connection
  await waitFor(() => d.device.online, 'online again');
  expect(proxy.stats.connections).toBeGreaterThanOrEqual(2);
});

test('a TLS server with an untrusted certificate is refused, never connected', async () => {
  const other = await makeTestPki(['localhost', '127.0.0.1'], 'an unrelated CA');
  const before = emu.connections().length;
  const d = dev(emu.uri('mqtts'), {}, other.caPem);
  let online = false;
  d.device.on('online', () => (online = true));
  d.device.start();
  await waitFor(() => d.errors.length >= 2, 'two refused attempts');
  expect(d.errors.every((e) => e.code === ErrorCode.TLS_FAILED)).toBe(true);
  expect(online).toBe(false);
  // The sockets were accepted, but no CONNECT ever came through them.
  expect(emu.connections().slice(before).filter((c) => c.connectAt !== undefined)).toEqual([]);
});

describeMosquitto!('mosquitto killed and restarted mid-session', () => {
  test('the device is back online after the restart', async () => {
    const broker = await startMosquitto();
    try {
      const d = nodeDevice({ token: broker.token, templateId: 'T', server: `mqtt://127.0.0.1:${broker.tcpPort}`, backoff: { baseMs: 50, capMs: CAP } });
      await startOnline(d);
      await broker.kill();
      await waitFor(() => !d.device.online, 'the device noticing');
      await broker.restart();
      await waitFor(() => d.device.online, 'back online');
      expect(delays(d).every((ms) => ms <= CAP)).toBe(true);
    } finally {
      await broker.stop();
    }
  });
});
