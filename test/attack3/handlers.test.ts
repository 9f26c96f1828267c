// attack3: the inline QoS 0 path in link.received() (messages straight to the client's incoming(),
// a throwing handler caught there), with a careless application: handlers that throw, stop(),
// stop()+start() or dispose() the device from inside onWrite while more messages of the same
// chunk are queued, and requests that time out while messages flow (requests.ts `waiting`).
import mqttPacket from 'mqtt-packet';
import { ErrorCode } from '../../src/errors';
import { BlynkDevice } from '../../src/blynk/device';
import { makeApiDevice } from '../support/device';
import { TOKEN } from '../support/tokens';

function pub(topic: string, payload: string, qos: 0 | 1 = 0, id = 1): Buffer {
  return mqttPacket.generate({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, messageId: qos ? id : undefined, dup: false, retain: false } as mqttPacket.IPublishPacket);
}

/** Several downlinks in one transport chunk. */
function oneChunk(...parts: Buffer[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

describe('C-APP-1 handlers that throw, on the inline QoS 0 path', () => {
  test('C-APP-1: a handler throwing on the 2nd of 5 messages in one chunk: all 5 handled, one HANDLER_FAILED, still online', () => {
    const d = makeApiDevice();
    const seen: string[] = [];
    d.device.onWrite('A', (v) => {
      seen.push(v);
      if (v === '2') throw new Error('boom');
    });
    d.broker.send(oneChunk(...['1', '2', '3', '4', '5'].map((v) => pub('downlink/ds/A', v))));
    d.hal.time.flush();
    expect(seen).toEqual(['1', '2', '3', '4', '5']);
    expect(d.errors.map((e) => e.code)).toEqual([ErrorCode.HANDLER_FAILED]);
    expect(d.device.online).toBe(true);
  });

  test('C-APP-1: an async handler rejecting, and a catch-all that throws a non-Error: reported, nothing escapes', async () => {
    const d = makeApiDevice();
    d.device.onWrite('A', async () => {
      throw new Error('later');
    });
    d.device.onAnyWrite(() => {
      throw 'a string'; // eslint-disable-line no-throw-literal
    });
    d.broker.send(oneChunk(pub('downlink/ds/A', '1'), pub('downlink/ds/B', '2'), pub('downlink/ds/A', '3')));
    d.hal.time.flush();
    await new Promise((r) => setImmediate(r));
    expect(d.errors.filter((e) => e.code === ErrorCode.HANDLER_FAILED)).toHaveLength(3);
    expect(d.device.online).toBe(true);
  });

  test('C-SESSION-4: a QoS 1 message between QoS 0 ones whose handler throws is still acknowledged', () => {
    const d = makeApiDevice();
    d.device.onWrite('A', () => {
      throw new Error('boom');
    });
    d.broker.send(oneChunk(pub('downlink/ds/A', '1'), pub('downlink/ping', '', 1, 77), pub('downlink/ds/A', '2')));
    d.hal.time.flush();
    expect(d.broker.packets('puback').map((p) => (p as { id: number }).id)).toEqual([77]);
    expect(d.device.online).toBe(true);
  });
});

describe('C-APP-2 stop(), stop()+start() and dispose() from inside onWrite with more of the chunk queued', () => {
  test('C-APP-2: stop() in the 2nd handler: the rest of the chunk is not delivered, the device ends stopped with a DISCONNECT', () => {
    const d = makeApiDevice();
    const seen: string[] = [];
    d.device.onWrite('A', (v) => {
      seen.push(v);
      if (v === '2') d.device.stop();
    });
    d.broker.send(oneChunk(...['1', '2', '3', '4'].map((v) => pub('downlink/ds/A', v))));
    d.hal.time.advance(100);
    expect(seen).toEqual(['1', '2']);
    expect(d.device.state).toBe('stopped');
    expect(d.broker.packets('disconnect')).toHaveLength(1);
    expect(d.errors).toEqual([]);
  });

  test('C-APP-2 / C-CONN-5: stop() then start() in a handler: one connection at a time, back online, the old chunk\'s rest not delivered', () => {
    const d = makeApiDevice();
    const seen: string[] = [];
    d.device.onWrite('A', (v) => {
      seen.push(v);
      if (v === '1') {
        d.device.stop();
        d.device.start();
      }
    });
    d.broker.send(oneChunk(pub('downlink/ds/A', '1'), pub('downlink/ds/A', '2')));
    for (let i = 0; i < 50 && !(d.device.online && d.hal.transport.connections.length === 2); i++) d.hal.time.step();
    expect(seen).toEqual(['1']);
    expect(d.device.online).toBe(true);
    expect(d.hal.transport.maxConcurrent).toBe(1);
    d.broker.push('downlink/ds/A', '3');
    d.hal.time.flush();
    expect(seen).toEqual(['1', '3']);
  });

  test('C-APP-2: dispose() in a handler: nothing more delivered, the HAL is free for a new device once the transport is gone', () => {
    const d = makeApiDevice();
    const seen: string[] = [];
    d.device.onWrite('A', (v) => {
      seen.push(v);
      d.device.dispose();
    });
    d.broker.send(oneChunk(pub('downlink/ds/A', '1'), pub('downlink/ds/A', '2')));
    d.hal.time.advance(100);
    expect(seen).toEqual(['1']);
    expect(d.device.state).toBe('stopped');
    expect(d.errors).toEqual([]);
    const again = BlynkDevice.create({ hal: d.hal, token: TOKEN, templateId: 'TMPL0001' });
    expect(again).toBeInstanceOf(BlynkDevice);
  });
});

describe('C-API requests while messages flow (requests.ts `waiting`)', () => {
  test('C-API: a requestTime() that times out while writes flow rejects with TIMEOUT; writes after it still reach their handler', async () => {
    const d = makeApiDevice();
    const seen: string[] = [];
    d.device.onWrite('A', (v) => seen.push(v));
    const p = d.device.requestTime(1000);
    let outcome: unknown;
    p.then(
      () => (outcome = 'resolved'),
      (e) => (outcome = e.code),
    );
    for (let i = 0; i < 20; i++) {
      d.broker.push('downlink/ds/A', String(i));
      d.hal.time.advance(100);
    }
    await Promise.resolve();
    expect(outcome).toBe(ErrorCode.TIMEOUT);
    expect(seen).toHaveLength(20);
  });

  test('C-API: two requests, one answered in the chunk that also answers part of the other: each resolves once, with its own values', async () => {
    const d = makeApiDevice();
    const a = d.device.requestValues(['A', 'B'], 5000);
    const b = d.device.requestValues(['B'], 5000);
    d.broker.send(oneChunk(pub('downlink/ds/B', 'b1'), pub('downlink/ds/A', 'a1'), pub('downlink/ds/B', 'b2')));
    d.hal.time.flush();
    await expect(a).resolves.toEqual({ A: 'a1', B: 'b1' });
    await expect(b).resolves.toEqual({ B: 'b1' });
    // None left waiting: a third request sees only what comes after it.
    const c = d.device.requestValues(['A'], 5000);
    d.broker.push('downlink/ds/A', 'a2');
    d.hal.time.flush();
    await expect(c).resolves.toEqual({ A: 'a2' });
  });

  test('C-API: a request whose reply handler throws in onTime still resolves (the reply is offered before handlers)', async () => {
    const d = makeApiDevice();
    d.device.onTime(() => {
      throw new Error('boom');
    });
    const p = d.device.requestTime(5000);
    d.broker.push('downlink/utc/all/json', JSON.stringify({ tz_name: 'UTC', tz_rule: '', tz_offset: 0, dst_offset: 0, time: 1_700_000_000_000, iso8601: '2023-11-14T22:13:20Z' }));
    d.hal.time.flush();
    await expect(p).resolves.toMatchObject({ time: 1_700_000_000_000 });
    expect(d.errors.map((e) => e.code)).toEqual([ErrorCode.HANDLER_FAILED]);
  });
});
