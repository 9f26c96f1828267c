import { BlynkClient } from '../../src/blynk/client';
import { createMockHal } from '../../hal/mock';
import { BlynkError, ErrorCode } from '../../src/errors';
import { bringOnline, hex, makeDevice } from '../support/device';
import { TOKEN } from '../support/tokens';

const ascii = (s: string) => Buffer.from(s, 'utf8').toString('hex');
const u16 = (n: number) => n.toString(16).padStart(4, '0');

describe('C-CONN-3 CONNECT', () => {
  test('byte for byte: MQTT 3.1.1, clean session, user "device", token as password, keepalive 45, empty client id', () => {
    const d = makeDevice();
    bringOnline(d);
    const conn = d.hal.transport.connections[0]!;
    const body =
      '0004' + ascii('MQTT') + '04' + 'c2' + u16(45) + '0000' + u16(6) + ascii('device') + u16(TOKEN.length) + ascii(TOKEN);
    const connect = '10' + (body.length / 2).toString(16).padStart(2, '0') + body;
    expect(hex(conn.written[0]!)).toBe(connect);
  });

  test('a configured client id and keepalive are used', () => {
    const d = makeDevice({ clientId: 'kitchen-heater', keepalive: 30 });
    bringOnline(d);
    const c = d.broker.packets('connect')[0]!;
    expect(c).toMatchObject({ protocol: 'MQTT', level: 4, clientId: 'kitchen-heater', keepalive: 30, username: 'device' });
    expect(c.flags & 0x02).toBe(0x02);
    expect(Buffer.from(c.password!).toString()).toBe(TOKEN);
  });

  test('a 64-character client id is fine; 65 characters is a configuration error before any connection attempt', () => {
    expect(() => makeDevice({ clientId: 'x'.repeat(64) })).not.toThrow();
    const hal = createMockHal();
    let thrown: unknown;
    try {
      new BlynkClient(hal, { token: TOKEN, templateId: 'T', clientId: 'x'.repeat(65) }).start();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(BlynkError);
    expect((thrown as BlynkError).code).toBe(ErrorCode.CONFIG);
    expect((thrown as BlynkError).message).toContain('64 characters');
    expect(hal.transport.connections).toHaveLength(0);
  });

  test('client id length counts characters, not bytes (64 emoji are allowed)', () => {
    expect(() => makeDevice({ clientId: '😀'.repeat(64) })).not.toThrow();
    expect(() => makeDevice({ clientId: '😀'.repeat(65) })).toThrow(/64 characters/);
  });

  test.each([
    [{ token: '' }, /token/],
    [{ templateId: '' }, /templateId/],
    [{ keepalive: 0 }, /keepalive/],
    [{ server: 'http://x' }, /server/],
    [{ rxbuff: 10 }, /rxbuff/],
  ])('invalid configuration %j is a CONFIG error', (opts, msg) => {
    expect(() => makeDevice(opts as object)).toThrow(msg);
  });
});

describe('C-SESSION after CONNACK 0', () => {
  test('SUBSCRIBE downlink/# and PUBLISH info/mcu go out pipelined, before SUBACK arrives (C-SESSION-1..3)', () => {
    const d = makeDevice({ firmware: { version: '1.2.3', build: 'Nov 26 2026 10:00:00', type: 'HeaterFW' } }, { latencyMs: 100 });
    d.client.start();
    d.hal.time.advance(100); // transport accepted, CONNECT sent
    expect(d.broker.packets().map((p) => p.type)).toEqual(['connect']);
    d.hal.time.advance(100); // CONNACK delivered
    expect(d.client.online).toBe(true);
    const recv = d.broker.received;
    expect(recv.map((r) => r.packet.type)).toEqual(['connect', 'subscribe', 'publish']);
    // Both sent at the instant CONNACK arrived; the SUBACK is still 100 ms away.
    expect(recv[1]!.at).toBe(200);
    expect(recv[2]!.at).toBe(200);
    expect(hex(d.hal.transport.connections[0]!.written[1]!)).toBe('820f0001000a' + ascii('downlink/#') + '00');
    const pub = d.broker.packets('publish')[0]!;
    expect(pub).toMatchObject({ topic: 'info/mcu', qos: 0, retain: false });
    expect(Buffer.from(pub.payload).toString()).toBe(
      '{"tmpl":"TMPL0001","ver":"1.2.3","build":"Nov 26 2026 10:00:00","type":"HeaterFW","rxbuff":1024}',
    );
  });

  test('info/mcu: type defaults to the template id and rxbuff is the real receive capacity', () => {
    const d = makeDevice({ rxbuff: 512 });
    bringOnline(d);
    const info = JSON.parse(Buffer.from(d.broker.packets('publish')[0]!.payload).toString());
    expect(Object.keys(info)).toEqual(['tmpl', 'ver', 'build', 'type', 'rxbuff']);
    expect(info).toMatchObject({ tmpl: 'TMPL0001', type: 'TMPL0001', rxbuff: 512 });
    expect(typeof info.rxbuff).toBe('number');
  });

  test('the subscribe and info/mcu are repeated on every reconnection', () => {
    const d = makeDevice();
    bringOnline(d);
    d.broker.conn!.cut('reset');
    d.hal.time.advance(2000);
    expect(d.client.online).toBe(true);
    expect(d.broker.packets('subscribe').length).toBe(2);
    expect(d.broker.uplinks().filter(([t]) => t === 'info/mcu').length).toBe(2);
  });

  test('a refused subscription is reported and the connection stays up', () => {
    const d = makeDevice();
    d.broker.subackCode = 0x80;
    bringOnline(d);
    d.hal.time.flush();
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.SUBSCRIBE_REFUSED);
    expect(d.client.online).toBe(true);
  });
});

describe('C-CONN-4 CONNACK return codes and the connect timeout', () => {
  test.each([4, 5])('CONNACK %i: state auth-failed, a clear message, no retry for 15 minutes', (code) => {
    const d = makeDevice();
    d.broker.connackCode = code;
    d.client.start();
    d.hal.time.advance(10);
    expect(d.client.state).toBe('auth-failed');
    const e = d.errors.find((x) => x.code === ErrorCode.AUTH_FAILED)!;
    expect(e.message).toContain('token');
    expect(e.detail).toEqual({ returnCode: code });
    d.hal.time.advance(15 * 60_000 - 100);
    expect(d.hal.transport.connections).toHaveLength(1);
    d.hal.time.advance(200);
    expect(d.hal.transport.connections).toHaveLength(2);
    // Still wrong: a 3rd attempt only after another 15 minutes, whatever the backoff would say.
    d.hal.time.advance(15 * 60_000 - 500);
    expect(d.hal.transport.connections).toHaveLength(2);
    expect(d.client.counters.authFailures).toBe(2);
  });

  test("the auth wait outlives the runtime's own pause (an OTA download): resumed after 60 s, the next try is still 15 minutes after the refusal", () => {
    // Found by the hostile tier (seed 125439214): an OTA that paused and resumed the connection
    // after an auth failure reconnected after 62 s.
    const d = makeDevice();
    d.broker.connackCode = 5;
    d.client.start();
    d.hal.time.advance(10);
    expect(d.client.state).toBe('auth-failed');
    d.client.pause();
    expect(d.client.state).toBe('stopped');
    d.hal.time.advance(60_000);
    d.client.start(); // the runtime resumes
    expect(d.client.state).toBe('auth-failed');
    d.hal.time.advance(15 * 60_000 - 60_000 - 200);
    expect(d.hal.transport.connections).toHaveLength(1);
    d.hal.time.advance(400);
    expect(d.hal.transport.connections).toHaveLength(2);
  });

  test("the application's own stop() and start() still try at once (its last call decides)", () => {
    const d = makeDevice();
    d.broker.connackCode = 5;
    d.client.start();
    d.hal.time.advance(10);
    d.client.stop();
    d.client.start();
    d.hal.time.advance(10);
    expect(d.hal.transport.connections).toHaveLength(2);
  });

  test('the auth retry interval is configurable', () => {
    const d = makeDevice({ authRetryMs: 60_000 });
    d.broker.connackCode = 4;
    d.client.start();
    d.hal.time.advance(60_100);
    expect(d.hal.transport.connections).toHaveLength(2);
  });

  test.each([1, 2, 3])('CONNACK %i is reported and retried with backoff', (code) => {
    const d = makeDevice();
    d.broker.connackCode = code;
    d.client.start();
    d.hal.time.advance(10);
    expect(d.client.state).toBe('backoff');
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.CONNACK_REFUSED);
    const firstRetry = d.states.find((s) => s.to === 'backoff')!;
    expect(Number(/retry in (\d+) ms/.exec(firstRetry.reason)![1])).toBeLessThan(1000); // full jitter under the 1 s base
    d.hal.time.advance(1000);
    expect(d.hal.transport.connections.length).toBeGreaterThanOrEqual(2);
  });

  test('no CONNACK within the connect timeout (10 s) is a failure', () => {
    const d = makeDevice();
    d.broker.blackHole = true;
    d.client.start();
    d.hal.time.advance(9_999);
    expect(d.client.state).toBe('handshake');
    d.hal.time.advance(1);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.CONNECT_TIMEOUT);
    d.hal.time.flush();
    expect(d.client.state).toBe('backoff');
    expect(d.hal.transport.openCount).toBe(0);
  });

  test('the connect timeout also covers a transport that never opens', () => {
    const d = makeDevice({ connectTimeoutMs: 5000 });
    d.hal.transport.onOpen = () => undefined; // never accepted, never refused
    d.client.start();
    d.hal.time.advance(5000);
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.CONNECT_TIMEOUT);
  });

  test('a packet other than CONNACK first is a protocol error', () => {
    const d = makeDevice();
    d.broker.blackHole = true;
    d.client.start();
    d.hal.time.flush();
    d.broker.conn!.deliver(Uint8Array.of(0xd0, 0)); // PINGRESP
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.PROTOCOL);
  });
});
