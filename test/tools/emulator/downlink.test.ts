// Emulator: commands to a device (downlinks, ping, redirect), the packet size limit, and
// the fault injection tests need (kick, stall, listener outage).
import { jest } from '@jest/globals';
import { SCHEMES } from '../../../tools/emulator';
import { TOKEN, cleanup, closed, connectError, device, emulator, nextMessage } from './helpers';

jest.setTimeout(30_000);
afterEach(cleanup);

describe('C-API downlinks', () => {
  it('writeDatastream pushes downlink/ds/<name> and updates the cloud value', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    await c.subscribeAsync('downlink/#');
    let got = nextMessage(c, 'downlink/ds/Power');
    expect(await emu.writeDatastream(TOKEN, 'Power', 1)).toEqual({ delivered: true });
    expect((await got).payload.toString()).toBe('1');
    got = nextMessage(c, 'downlink/ds/Pair');
    await emu.writeDatastream(TOKEN, 'Pair', ['a', 3]);
    expect((await got).payload).toEqual(Buffer.from('a\x003'));
    expect(emu.datastream(TOKEN, 'Power')).toBe('1');
    expect(emu.downlinks(TOKEN).map((d) => d.topic)).toEqual(['downlink/ds/Power', 'downlink/ds/Pair']);
  });

  it('diag, reboot, reconfigure and metadata pushes arrive as documented', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    await c.subscribeAsync('downlink/#');
    const seen: string[] = [];
    c.on('message', (t, p) => seen.push(`${t}=${p}`));
    await emu.diag(TOKEN, 'too many messages');
    await emu.reboot(TOKEN);
    await emu.reconfigure(TOKEN);
    await emu.setMeta(TOKEN, 'Device Name', 'Heater', true);
    await emu.waitUntil(() => seen.length === 4);
    expect(seen).toEqual(['downlink/diag=too many messages', 'downlink/reboot=', 'downlink/reconfigure=', 'downlink/meta/Device Name=Heater']);
  });

  it('C-SESSION-4 diag/redirect/ota arrive without a subscription; others are dropped', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    const got = nextMessage(c, 'downlink/diag');
    expect(await emu.diag(TOKEN, 'hello')).toEqual({ delivered: true });
    expect((await got).packet.qos).toBe(0);
    expect(await emu.reboot(TOKEN)).toEqual({ delivered: false });
    expect(await emu.reboot(TOKEN).then(() => emu.publish(TOKEN, 'downlink/reboot', '', { force: true }))).toEqual({ delivered: true });
  });

  it('publishes any raw topic/payload/QoS, even above the size limit', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    await c.subscribeAsync('downlink/#');
    const got = nextMessage(c, 'downlink/ds/Big');
    await emu.publish(TOKEN, 'downlink/ds/Big', 'x'.repeat(2000));
    expect((await got).payload.length).toBe(2000);
    const r = await emu.publish(TOKEN, 'downlink/custom', 'q1', { qos: 1 });
    expect(r).toMatchObject({ delivered: true, messageId: expect.any(Number) });
  });

  it('commands to a token that is not connected fail clearly (token masked)', async () => {
    const emu = await emulator();
    expect(() => emu.reboot(TOKEN)).toThrow(`device ****WXYZ is not connected`);
  });
});

describe('C-SESSION-4 downlink/ping', () => {
  it('is sent at QoS 1 and resolves on the PUBACK; acks are counted', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    await c.subscribeAsync('downlink/#');
    const got = nextMessage(c, 'downlink/ping');
    const acked = emu.waitForEvent('pingAck');
    const r = await emu.ping(TOKEN);
    expect((await got).packet.qos).toBe(1);
    expect((await acked).messageId).toBe(r.messageId);
    await emu.ping(TOKEN);
    expect(emu.pingsAcked(TOKEN)).toBe(2);
  });

  it('times out clearly when no PUBACK comes', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    await c.subscribeAsync('downlink/#');
    emu.stall(TOKEN);
    await expect(emu.ping(TOKEN, 200)).rejects.toThrow('downlink/ping (QoS 1) to ****WXYZ not acknowledged within 200 ms');
    expect(emu.pingsAcked(TOKEN)).toBe(0);
  });

  it('is refused when the device has no subscription covering it', async () => {
    const emu = await emulator();
    await device(emu, emu.uri());
    await expect(emu.ping(TOKEN)).rejects.toThrow(/no subscription matching it/);
  });

  it('rejects when the connection closes before the PUBACK', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    await c.subscribeAsync('downlink/#');
    emu.stall(TOKEN);
    const p = emu.ping(TOKEN);
    emu.kick(TOKEN);
    await expect(p).rejects.toThrow(/closed before PUBACK|emulator closed/);
  });
});

describe('C-REDIRECT redirect after connect', () => {
  const regions = { global: {}, fra1: {} };

  it.each(SCHEMES)('a %s device on global gets the fra1 URI of the same scheme right after CONNACK', async (scheme) => {
    const emu = await emulator({ regions, redirect: { from: 'global', to: 'fra1' } });
    const got = emu.waitForEvent('redirect');
    const c = await device(emu, emu.uri(scheme, 'global'));
    const msg = await nextMessage(c);
    expect(msg.topic).toBe('downlink/redirect');
    expect(msg.packet.qos).toBe(0);
    expect(msg.payload.toString()).toBe(emu.uri(scheme, 'fra1'));
    expect((await got).uri).toBe(emu.uri(scheme, 'fra1'));
    expect(emu.downlinks(TOKEN)[0]!.topic).toBe('downlink/redirect');
  });

  it('no redirect on the target region; localhost host and disconnect are options', async () => {
    const emu = await emulator({ regions, redirect: { from: 'global', to: 'fra1', host: 'localhost', disconnect: true } });
    const c = await device(emu, emu.uri('mqtts', 'global'));
    const msg = await nextMessage(c);
    expect(msg.payload.toString()).toBe(emu.endpoint('mqtts', 'fra1').localhostUri);
    await closed(c);
    await emu.waitUntil(() => emu.connections(TOKEN)[0]!.closedAt);
    expect(emu.connections(TOKEN)[0]!.reason).toBe('redirect');
    const d = await device(emu, msg.payload.toString());
    await d.subscribeAsync('downlink/#');
    await emu.ping(TOKEN);
    expect(emu.downlinks(TOKEN).filter((x) => x.topic === 'downlink/redirect')).toHaveLength(1);
  });

  it('sends an arbitrary redirect URI on command', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    const got = nextMessage(c, 'downlink/redirect');
    await emu.redirect(TOKEN, 'mqtts://fra1.blynk.cloud:8883');
    expect((await got).payload.toString()).toBe('mqtts://fra1.blynk.cloud:8883');
  });

  it('rejects a redirect rule naming an unknown region', async () => {
    await expect(emulator({ redirect: { from: 'global', to: 'nowhere' } })).rejects.toThrow(/unknown region/);
  });
});

describe('C-LIMITS-1 packet size limit on uplinks', () => {
  it('accepts exactly the limit and closes the connection above it', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    // 2 + 4 ("ds/x") + 1018 = 1024
    const ok = emu.waitForEvent('uplink');
    c.publish('ds/x', 'a'.repeat(1018));
    expect((await ok).record.payload.length).toBe(1018);
    const over = emu.waitForEvent('oversize');
    const gone = closed(c);
    c.publish('ds/x', 'a'.repeat(1019));
    expect(await over).toMatchObject({ topic: 'ds/x', size: 1025, limit: 1024 });
    await gone;
    await emu.waitUntil(() => emu.connections(TOKEN)[0]!.closedAt);
    expect(emu.connections(TOKEN)[0]).toMatchObject({ reason: 'oversize', detail: 'ds/x: 1025 > 1024 bytes' });
    expect(emu.uplinks(TOKEN)).toHaveLength(1);
    expect(emu.device(TOKEN).oversize).toHaveLength(1);
  });

  it('counts the packet id at QoS 1 and honours a configured limit', async () => {
    const emu = await emulator({ maxPacketSize: 100 });
    const c = await device(emu, emu.uri());
    // 2 + 4 + 2 + 92 = 100 at QoS 1
    await c.publishAsync('ds/x', 'b'.repeat(92), { qos: 1 });
    const over = emu.waitForEvent('oversize');
    c.publish('ds/x', 'b'.repeat(93), { qos: 1 });
    expect(await over).toMatchObject({ size: 101, limit: 100 });
  });
});

describe('fault injection', () => {
  it('kick closes the device connection from the server side', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    const gone = closed(c);
    const ev = emu.waitForEvent('disconnect');
    expect(emu.kick(TOKEN)).toBe(true);
    await gone;
    expect((await ev).reason).toBe('kicked');
    expect(emu.kick(TOKEN)).toBe(false);
  });

  it('stall holds traffic both ways until unstall', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    await c.subscribeAsync('downlink/#');
    emu.stall(TOKEN);
    expect(emu.currentConnection(TOKEN)!.stalled).toBe(true);
    c.publish('ds/during', '1');
    await emu.diag(TOKEN, 'held');
    const gotDiag = nextMessage(c, 'downlink/diag');
    const gotUplink = emu.waitForEvent('uplink');
    emu.unstall(TOKEN);
    expect((await gotUplink).record.topic).toBe('ds/during');
    expect((await gotDiag).payload.toString()).toBe('held');
    await emu.ping(TOKEN);
  });

  it('a stalled link is a black hole: the device\'s own keepalive has to find it', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri(), TOKEN, { keepalive: 1 });
    const gone = closed(c);
    emu.stall(TOKEN);
    await gone; // mqtt.js gave up after its PINGREQ went unanswered
    await emu.waitUntil(() => emu.connections(TOKEN)[0]!.endedAt);
    const d = await device(emu, emu.uri());
    expect(d.connected).toBe(true);
    expect(emu.maxConcurrent(TOKEN)).toBe(1);
  });

  it('pauseListener refuse/reset/blackhole and resume on the same URI', async () => {
    const emu = await emulator();
    const uri = emu.uri();
    const first = await device(emu, uri);
    const gone = closed(first);
    await emu.pauseListener('global', { scheme: 'mqtt', existing: 'close' });
    await gone;
    expect(emu.connections(TOKEN)[0]!.reason).toBe('listener-outage');
    expect((await connectError(emu, uri, TOKEN)).code).toBe('ECONNREFUSED');
    await emu.pauseListener('global', { scheme: 'mqtt', mode: 'reset' });
    const reset = await connectError(emu, uri, TOKEN);
    expect(`${reset.code} ${reset.message}`).toMatch(/ECONNRESET/);
    await emu.pauseListener('global', { scheme: 'mqtt', mode: 'blackhole' });
    expect((await connectError(emu, uri, TOKEN, { connectTimeout: 300 })).message).toMatch(/connack timeout/i);
    expect(emu.endpoint('mqtt').paused).toBe('blackhole');
    await emu.resumeListener('global', 'mqtt');
    expect((await device(emu, uri)).connected).toBe(true);
  });
});

describe('waiting helpers', () => {
  it('waitFor rejects with a clear message after its timeout', async () => {
    const emu = await emulator();
    await expect(emu.waitForEvent('connect', undefined, 50)).rejects.toThrow(/timed out after 50 ms waiting for 'connect' event/);
  });

  it('waitUntil resolves at once when already true, and pending waits reject on close', async () => {
    const emu = await emulator();
    expect(await emu.waitUntil(() => 42)).toBe(42);
    const pending = expect(emu.waitForEvent('connect')).rejects.toThrow(/emulator closed/);
    await emu.close();
    await pending;
    await expect(emu.waitUntil(() => false)).rejects.toThrow(/emulator closed/);
  });
});
