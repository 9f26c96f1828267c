// Emulator: transports, authentication, subscriptions, one connection per token.
import net from 'node:net';
import { jest } from '@jest/globals';
import { connectAsync } from 'mqtt';
import { SCHEMES } from '../../../tools/emulator';
import { TOKEN, TOKEN2, cleanup, closed, connectError, device, emulator, suback, within } from './helpers';

jest.setTimeout(30_000);
afterEach(cleanup);

describe('C-CONN-1 listeners and transports', () => {
  it.each(SCHEMES)('accepts a device over %s and reports a URI for it', async (scheme) => {
    const emu = await emulator();
    const uri = emu.uri(scheme);
    expect(uri).toMatch(new RegExp(`^${scheme}://127\\.0\\.0\\.1:\\d+${scheme.startsWith('ws') ? '/mqtt' : ''}$`));
    const connected = emu.waitForEvent('connect');
    const c = await device(emu, uri);
    const ev = await connected;
    expect(ev).toMatchObject({ token: TOKEN, scheme, region: 'global' });
    expect(c.connected).toBe(true);
    expect(emu.isConnected(TOKEN)).toBe(true);
  });

  it('TLS works with the localhost form of the URI and the exposed CA', async () => {
    const emu = await emulator({ regions: { global: { mqtts: 0 } } });
    const l = emu.endpoint('mqtts');
    expect(l.localhostUri).toBe(`mqtts://localhost:${l.port}`);
    const c = await device(emu, l.localhostUri);
    expect(c.connected).toBe(true);
    expect(emu.ca.pem).toContain('BEGIN CERTIFICATE');
    expect(emu.ca.der.length).toBeGreaterThan(100);
  });

  it('TLS without the CA fails certificate verification', async () => {
    const emu = await emulator({ regions: { global: { mqtts: 0 } } });
    const err = await connectError(emu, emu.uri('mqtts'), TOKEN, { ca: undefined });
    expect(String(err.message)).toMatch(/self.signed|certificate/i);
  });

  it('only the listed schemes listen, per region', async () => {
    const emu = await emulator({ regions: { global: { mqtt: true, wss: 0 }, fra1: { mqtts: 0 } } });
    expect(emu.endpoints().map((l) => `${l.region}:${l.scheme}`)).toEqual(['global:mqtt', 'global:wss', 'fra1:mqtts']);
    expect(() => emu.uri('ws')).toThrow(/no ws listener/);
  });

  it('WebSocket requires path /mqtt and subprotocol mqtt', async () => {
    const emu = await emulator({ regions: { global: { ws: 0 } } });
    const { port } = emu.endpoint('ws');
    // A hand-written upgrade request: the status line is all we need.
    const upgrade = (path: string, protocol?: string) => within(new Promise<number>((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1', () => {
        sock.write([
          `GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: Upgrade', 'Upgrade: websocket',
          'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${Buffer.from('0123456789abcdef').toString('base64')}`,
          ...(protocol ? [`Sec-WebSocket-Protocol: ${protocol}`] : []), '', '',
        ].join('\r\n'));
      });
      let head = '';
      sock.on('data', (d: Buffer) => {
        head += d.toString('latin1');
        const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
        if (m) {
          sock.destroy();
          resolve(Number(m[1]));
        }
      });
      sock.on('error', reject);
    }), `upgrade ${path}`);
    expect(await upgrade('/mqtt', 'mqtt')).toBe(101);
    expect(await upgrade('/mqtt')).toBe(400);
    expect(await upgrade('/mqtt', 'foo')).toBe(400);
    expect(await upgrade('/other', 'mqtt')).toBe(400);
  });
});

describe('C-CONN-4 authentication', () => {
  it('a bad token gets CONNACK 4 and is counted', async () => {
    const emu = await emulator();
    const failed = emu.waitForEvent('authFailed');
    const err = await connectError(emu, emu.uri(), 'not-a-known-token');
    expect(err.code).toBe(4);
    expect((await failed).count).toBe(1);
    await connectError(emu, emu.uri(), 'not-a-known-token');
    expect(emu.authFailures('not-a-known-token')).toBe(2);
    expect(emu.device('not-a-known-token').authFailureTimes).toHaveLength(2);
    expect(emu.connections('not-a-known-token').map((r) => r.returnCode)).toEqual([4, 4]);
  });

  it('a username other than "device" gets CONNACK 4, even with a good token', async () => {
    const emu = await emulator();
    const err = await connectError(emu, emu.uri(), TOKEN, { username: 'admin' });
    expect(err.code).toBe(4);
    expect(emu.authFailures(TOKEN)).toBe(1);
  });

  it('tokens can be added and removed at runtime', async () => {
    const emu = await emulator();
    expect((await connectError(emu, emu.uri(), 'late-token-0001')).code).toBe(4);
    emu.addToken('late-token-0001');
    expect((await device(emu, emu.uri(), 'late-token-0001')).connected).toBe(true);
    emu.removeToken('late-token-0001');
    expect(emu.tokens()).not.toContain('late-token-0001');
  });

  it('records CONNECT fields (C-CONN-3) for each connection', async () => {
    const emu = await emulator();
    await device(emu, emu.uri(), TOKEN, { keepalive: 30 });
    const [rec] = emu.connections(TOKEN);
    expect(rec).toMatchObject({ token: TOKEN, username: 'device', keepalive: 30, clean: true, protocolVersion: 4, returnCode: 0, region: 'global', scheme: 'mqtt' });
    expect(rec!.clientId).toBe('');
  });

  it('accepts a 64-character ClientID', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri(), TOKEN, { clientId: 'c'.repeat(64) });
    expect(c.connected).toBe(true);
  });
});

describe('C-SESSION-1 subscriptions', () => {
  it('grants downlink/... with a trailing # and refuses everything else with 0x80', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    expect(await suback(c, ['downlink/#', 'downlink/ds/#', 'downlink/+/x/#', 'ds/#', '#', 'downlink/ping'])).toEqual([0, 0, 128, 128, 128, 128]);
    expect(await suback(c, ['downlink/#'])).toEqual([0]);
    expect(emu.currentConnection(TOKEN)!.subscriptions.filter((s) => s.granted).map((s) => s.filter)).toEqual(['downlink/#', 'downlink/ds/#', 'downlink/#']);
  });
});

describe('C-CONN-5 one connection per token', () => {
  it('a second connection with the same token closes the first, and the overlap is recorded', async () => {
    const emu = await emulator();
    const first = await device(emu, emu.uri());
    const firstClosed = closed(first);
    const second = await device(emu, emu.uri('ws'));
    await firstClosed;
    expect(second.connected).toBe(true);
    expect(emu.maxConcurrent(TOKEN)).toBe(2);
    expect(emu.maxConcurrentSockets()).toBe(2);
    const [a, b] = emu.connections(TOKEN);
    expect(a!.reason).toBe('replaced');
    expect(a!.detail).toBe(`by connection #${b!.id}`);
    expect(b!.connectAt!).toBeLessThanOrEqual(a!.endedAt!);
    expect(emu.currentConnection(TOKEN)!.id).toBe(b!.id);
  });

  it('sequential connections (close, then connect) never count as overlapping', async () => {
    const emu = await emulator();
    for (let i = 0; i < 3; i++) {
      const c = await device(emu, emu.uri());
      const gone = emu.waitForEvent('disconnect', (e) => e.token === TOKEN);
      await c.endAsync();
      expect((await gone).reason).toBe('client-disconnect');
    }
    expect(emu.maxConcurrent(TOKEN)).toBe(1);
    expect(emu.maxConcurrentSockets()).toBe(1);
    expect(emu.connections(TOKEN).every((r) => r.endedAt !== undefined && r.closedAt !== undefined)).toBe(true);
  });

  it('different tokens do not affect each other', async () => {
    const emu = await emulator();
    const a = await device(emu, emu.uri(), TOKEN);
    const b = await device(emu, emu.uri(), TOKEN2);
    expect(a.connected && b.connected).toBe(true);
    expect(emu.connectedTokens().sort()).toEqual([TOKEN, TOKEN2].sort());
    expect(emu.maxConcurrent(TOKEN)).toBe(1);
  });

  it('a raw connection that drops records client-closed', async () => {
    const emu = await emulator();
    const c = await connectAsync(emu.uri(), { username: 'device', password: TOKEN, reconnectPeriod: 0 });
    const gone = emu.waitForEvent('disconnect');
    c.stream.destroy();
    expect((await gone).reason).toBe('client-closed');
    await c.endAsync(true);
  });
});
