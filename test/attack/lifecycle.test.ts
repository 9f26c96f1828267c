// Attack on the session lifecycle (src/session/session.ts): the application's own listeners
// calling stop()/start()/dispose() in the middle of a transition, a second runtime refused
// with IN_USE, and the network flapping while a connection closes. Invariants: no transport
// opened after stop(), at most one transport, the last call wins, auth waits kept.
import { createMockHal } from '../../hal/mock';
import { BlynkDevice } from '../../src/blynk/device';
import { ErrorCode } from '../../src/errors';
import { FakeBroker } from '../../tools/broker/fake-broker';
import { packet } from '../../tools/broker/server-codec';
import { bringOnline, makeApiDevice, makeDevice } from '../support/device';
import { OTHER_TOKEN, TOKEN } from '../support/tokens';
import { opens, run } from './helpers';

describe('C-APP-2: stop() from a state listener during a transition', () => {
  test('stop() from a "connecting" listener: no transport is opened after stop()', () => {
    const d = makeDevice({}, { latencyMs: 50 });
    let once = true;
    d.client.events.on('state', (s) => {
      if (s.to === 'connecting' && once) {
        once = false;
        d.client.stop();
      }
    });
    d.client.start();
    run(d.hal, 30_000);
    expect(d.client.state).toBe('stopped');
    // The state says stopped, yet a transport was opened after the stop() and is still held.
    expect(d.hal.transport.openCount).toBe(0);
    expect(d.hal.transport.connections.length).toBe(0);
  });

  test('stop() from a "connecting" listener, then start(): never two transports at once (C-CONN-5)', () => {
    const d = makeDevice({}, { latencyMs: 50 });
    let once = true;
    d.client.events.on('state', (s) => {
      if (s.to === 'connecting' && once) {
        once = false;
        d.client.stop();
      }
    });
    d.client.start();
    run(d.hal, 30_000);
    d.client.start();
    run(d.hal, 30_000);
    expect(d.client.state).toBe('online');
    expect(d.hal.transport.maxConcurrent).toBe(1);
  });

  test('dispose() from a "connecting" listener: nothing connects for the disposed device', () => {
    const d = makeApiDevice({}, { online: false });
    let once = true;
    d.device.on('state', (s) => {
      if (s.to === 'connecting' && once) {
        once = false;
        d.device.dispose();
      }
    });
    d.device.start();
    run(d.hal, 30_000);
    expect(d.hal.transport.openCount).toBe(0);
  });

  test('stop() from an "online" state listener: no "online" event and no OFFLINE errors afterwards', () => {
    const d = makeDevice({}, { latencyMs: 50 });
    const online: string[] = [];
    d.client.events.on('online', () => online.push(d.client.state));
    d.client.events.on('state', (s) => {
      if (s.to === 'online') d.client.stop();
    });
    d.client.start();
    run(d.hal, 30_000);
    expect(d.client.state).toBe('stopped');
    // The 'online' event arrives while the state is already 'closing', and the subscribe and
    // info/mcu are refused as OFFLINE errors the application did nothing to cause.
    expect(online).toEqual([]);
    expect(d.errors.map((e) => e.code)).not.toContain(ErrorCode.OFFLINE);
  });

  test('stop() from an "error" listener while the link is still open: no INTERNAL illegal state change', () => {
    const d = makeDevice();
    bringOnline(d);
    let once = true;
    d.client.events.on('error', () => {
      if (once) {
        once = false;
        d.client.stop();
      }
    });
    d.broker.send(packet(0x20, [0, 0])); // a second CONNACK: a protocol error, the link still open
    run(d.hal, 20_000);
    expect(d.client.state).toBe('stopped');
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.PROTOCOL);
    expect(d.errors.map((e) => `${e.code} ${e.message}`).filter((m) => m.startsWith('INTERNAL'))).toEqual([]);
  });

  test('stop() from a "handshake" listener: the close is acknowledged at once, not after the 5 s close timeout', () => {
    const d = makeDevice({}, { latencyMs: 50 });
    d.client.events.on('state', (s) => {
      if (s.to === 'handshake') d.client.stop();
    });
    d.client.start();
    run(d.hal, 200, 1);
    // opened() goes on after the listener: link.handshake() sets the link's phase back to
    // HANDSHAKE over CLOSING, so the transport's onClose is taken for a failure and ignored.
    expect(d.client.state).toBe('stopped');
    expect(d.hal.transport.openCount).toBe(0);
  });

  test('stop() from a "handshake" listener, then start(): the next connection is not dropped by a stale CONNECT_TIMEOUT', () => {
    const d = makeDevice({}, { latencyMs: 5 });
    let once = true;
    d.client.events.on('state', (s) => {
      if (s.to === 'handshake' && once) {
        once = false;
        d.client.stop();
      }
    });
    d.client.start();
    run(d.hal, 100, 1);
    d.client.start();
    run(d.hal, 60_000, 10);
    expect(d.client.online).toBe(true);
    // A connect-timeout timer orphaned in opened() fires while online and drops the connection.
    expect(d.errors.map((e) => e.code)).not.toContain(ErrorCode.CONNECT_TIMEOUT);
    expect(d.client.counters.connects).toBe(1);
  });

  test('"restart on error": stop(); start() from an "error" listener leaves the device neither online-and-deaf nor holding a transport it forgot', () => {
    const d = makeDevice({}, { latencyMs: 5 });
    bringOnline(d);
    let once = true;
    d.client.events.on('error', () => {
      if (once) {
        once = false;
        d.client.stop();
        d.client.start();
      }
    });
    d.broker.send(packet(0x20, [0, 0])); // a second CONNACK: a protocol error
    run(d.hal, 10 * 60_000);
    const got: string[] = [];
    d.client.onDownlink = (t) => got.push(t);
    if (d.broker.conn) d.broker.push('downlink/ds/x', '1');
    run(d.hal, 1000, 10);
    // The close timer orphaned by the re-entrant fail() fires 5 s after the new connection came
    // up: it abandons the new link (keepalive stopped, data ignored) while the state stays online.
    if (d.client.online) {
      expect(got).toEqual(['downlink/ds/x']);
      expect(d.client.counters.pingsSent).toBeGreaterThan(0);
    }
    expect(d.hal.transport.openCount).toBeLessThanOrEqual(1);
  });

  test('stop() from an "error" listener, start() from a button 1 s later: the new connection is not abandoned 5 s on (online-and-deaf)', () => {
    const d = makeDevice({}, { latencyMs: 5 });
    bringOnline(d);
    let once = true;
    d.client.events.on('error', () => {
      if (once) {
        once = false;
        d.client.stop();
      }
    });
    d.broker.send(packet(0x20, [0, 0]));
    run(d.hal, 1000, 10);
    expect(d.client.state).toBe('stopped');
    d.client.start();
    run(d.hal, 5 * 45_000);
    expect(d.client.online).toBe(true);
    const pings = d.client.counters.pingsSent;
    const got: string[] = [];
    d.client.onDownlink = (t) => got.push(t);
    d.broker.push('downlink/ds/x', '1');
    run(d.hal, 2 * 45_000);
    expect(got).toEqual(['downlink/ds/x']);
    expect(d.client.counters.pingsSent).toBeGreaterThan(pings);
  });

  // held: the attack did not break these
  test('held: stop(); start(); stop(); start() from a "closing" listener ends online with one transport', () => {
    const d = makeDevice({}, { latencyMs: 20 });
    bringOnline(d);
    let once = true;
    d.client.events.on('state', (s) => {
      if (s.to === 'closing' && once) {
        once = false;
        d.client.start();
        d.client.stop();
        d.client.start();
      }
    });
    d.client.stop();
    run(d.hal, 30_000);
    expect(d.client.state).toBe('online');
    expect(d.hal.transport.openCount).toBe(1);
    expect(d.hal.transport.maxConcurrent).toBe(1);
  });
});

describe('C-APP-3: a second runtime refused with IN_USE changes nothing', () => {
  test('a refused second BlynkDevice on the same HAL does not take the network listener: the first still comes back after Wi-Fi returns', () => {
    const hal = createMockHal();
    const broker = new FakeBroker(hal);
    const a = new BlynkDevice({ hal, token: TOKEN, templateId: 'TMPL0001' });
    a.start();
    run(hal, 2000);
    expect(a.online).toBe(true);
    const b = BlynkDevice.create({ hal, token: TOKEN, templateId: 'TMPL0001' });
    expect(b).toMatchObject({ code: ErrorCode.IN_USE });
    hal.network.set(false);
    broker.conn?.cut('reset'); // (the first device may already have closed it: it heard the network go down)
    run(hal, 2000);
    hal.network.set(true);
    run(hal, 120_000);
    // The refused device's session registered itself as the HAL's one network listener (the
    // client is built before the IN_USE check): the first device never hears "up" again.
    expect(a.state).toBe('online');
  });

  test('a second BlynkDevice on the same HAL with another token is refused too (one runtime per HAL), and does not deafen the first to the network', () => {
    const hal = createMockHal();
    const broker = new FakeBroker(hal);
    const a = new BlynkDevice({ hal, token: TOKEN, templateId: 'TMPL0001' });
    a.start();
    run(hal, 2000);
    // A HAL is one device's hardware: its network listener and transport serve one session.
    expect(BlynkDevice.create({ hal, token: OTHER_TOKEN, templateId: 'TMPL0001' })).toMatchObject({ code: ErrorCode.IN_USE });
    hal.network.set(false);
    broker.hal.transport.connections.forEach((c) => c.cut('reset'));
    run(hal, 2000);
    hal.network.set(true);
    run(hal, 120_000);
    expect(a.state).toBe('online');
  });
});

describe('C-CONN-5 across dispose(): one connection per token', () => {
  test('dispose() while the transport is still closing, then a new BlynkDevice on the token: it waits for the old connection to be gone', () => {
    const d = makeApiDevice();
    d.hal.transport.last!.holdClose = true; // a slow TLS close
    d.device.dispose();
    // The HAL is still in use until the old transport is gone: a new device is refused, typed.
    expect(BlynkDevice.create({ hal: d.hal, token: TOKEN, templateId: 'TMPL0001' })).toMatchObject({ code: ErrorCode.IN_USE });
    d.hal.transport.last!.finishClose();
    run(d.hal, 100);
    const next = BlynkDevice.create({ hal: d.hal, token: TOKEN, templateId: 'TMPL0001' }) as BlynkDevice;
    expect(next).toBeInstanceOf(BlynkDevice);
    next.start();
    run(d.hal, 3000);
    expect(next.online).toBe(true);
    expect(d.hal.transport.maxConcurrent).toBe(1);
  });
});

describe('C-CONN-4: the auth wait survives the network flapping during the close', () => {
  test('CONNACK 5 while Wi-Fi drops during the close: still at most one attempt per 15 minutes', () => {
    const d = makeDevice({}, { latencyMs: 50 });
    d.broker.connackCode = 5;
    d.hal.transport.onRecord = (c) => {
      c.onCloseRequest = () => {
        d.hal.network.set(false);
        d.hal.time.set(() => d.hal.network.set(true), 1000);
      };
    };
    d.client.start();
    run(d.hal, 60_000);
    // The policy looks at the network before the refusal: a refused token retried every ~1 s.
    expect(d.hal.transport.connections.length).toBe(1);
  });

  test('held: CONNACK 5 with a steady network waits the auth interval', () => {
    const d = makeDevice({}, { latencyMs: 50 });
    d.broker.connackCode = 5;
    d.client.start();
    run(d.hal, 14 * 60_000);
    expect(opens(d.hal).length).toBe(1);
    expect(d.client.state).toBe('auth-failed');
  });
});
