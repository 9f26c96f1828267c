// Second attacker: the newest pieces (session start under a full queue, dispose/HAL release,
// the secrets scrubber's percent decoding, the emitter).
import { createMockHal } from '../../hal/mock';
import { BlynkDevice } from '../../src/blynk/device';
import { BlynkError, ErrorCode, err } from '../../src/errors';
import { Scrubber } from '../../src/util/secrets';
import { Emitter } from '../../src/util/emitter';
import { FakeBroker } from '../../tools/broker/fake-broker';
import { TOKEN } from '../support/tokens';
import { run } from '../attack/helpers';
import { makeApiDevice } from '../support/device';

const pct = (s: string) => Array.from(s, (c) => '%' + c.charCodeAt(0).toString(16)).join('');

/** Fill the send queue right after CONNECT, so the CONNACK finds it full. */
function blockAfterConnect(hal: ReturnType<typeof createMockHal>): void {
  const orig = hal.transport.onOpen!;
  hal.transport.onOpen = (c) => {
    orig(c);
    const w = c.onWrite;
    c.onWrite = (b) => {
      w?.(b);
      if (b[0] === 0x10) c.writable = false;
    };
  };
}

function fresh() {
  const hal = createMockHal({ seed: 3 });
  const broker = new FakeBroker(hal);
  const device = new BlynkDevice({ hal, token: TOKEN, templateId: 'TMPL0001', firmware: { version: '1.0.0', build: 'Nov 26 2026 10:00:00' } });
  const errors: BlynkError[] = [];
  device.on('error', (e) => errors.push(e));
  return { hal, broker, device, errors };
}

describe('C-SESSION: session start when the send queue is full at CONNACK', () => {
  test('subscribe and info/mcu are sent exactly once when the queue frees up', () => {
    const { hal, broker, device } = fresh();
    blockAfterConnect(hal);
    device.start();
    run(hal, 50, 10);
    const conn = hal.transport.last!;
    expect(broker.packets('subscribe').length).toBe(0);
    expect(device.online).toBe(true);
    run(hal, 300, 10);
    conn.writable = true;
    run(hal, 2000, 50);
    expect(broker.packets('subscribe').length).toBe(1);
    expect(broker.packets('publish').filter((p) => (p as { topic: string }).topic === 'info/mcu').length).toBe(1);
    expect(device.online).toBe(true);
  });

  test('a queue that stays full ends in a reconnect, not online and deaf', () => {
    const { hal, device } = fresh();
    blockAfterConnect(hal);
    device.start();
    run(hal, 50, 10);
    const first = hal.transport.last!;
    expect(device.online).toBe(true);
    run(hal, 5000, 50);
    expect(first.state === 'closing' || first.state === 'closed').toBe(true);
  });
});

describe('C-CONN-5: dispose() releases the HAL', () => {
  test('a transport that never confirms its close: the HAL is free again after the abandon', () => {
    const a = fresh();
    a.device.start();
    for (let i = 0; i < 100 && !a.device.online; i++) a.hal.time.step();
    expect(a.device.online).toBe(true);
    a.hal.transport.last!.holdClose = true;
    a.device.dispose();
    run(a.hal, 10_000);
    const b = BlynkDevice.create({ hal: a.hal, token: TOKEN, templateId: 'TMPL0001' });
    expect(b).toBeInstanceOf(BlynkDevice);
  });

  test('dispose() while the transport is still opening frees the HAL once it is gone', () => {
    const a = fresh();
    a.broker.latencyMs = 60_000; // never accepted in time
    a.device.start();
    a.hal.time.advance(10);
    a.device.dispose();
    run(a.hal, 70_000, 500);
    const b = BlynkDevice.create({ hal: a.hal, token: TOKEN, templateId: 'TMPL0001' });
    expect(b).toBeInstanceOf(BlynkDevice);
    // and the old device opened nothing more after dispose
    const opensBefore = a.hal.transport.openCount;
    run(a.hal, 600_000, 5000);
    expect(a.hal.transport.openCount).toBe(opensBefore);
  });

  test('a disposed device cannot be brought back by start(), and create() after dispose+stopped works', () => {
    const a = fresh();
    a.device.dispose();
    a.device.start();
    run(a.hal, 5000);
    expect(a.hal.transport.openCount).toBe(0);
    expect(BlynkDevice.create({ hal: a.hal, token: TOKEN, templateId: 'TMPL0001' })).toBeInstanceOf(BlynkDevice);
  });
});

describe('C-SECRETS: percent-encoded token', () => {
  const s = new Scrubber(TOKEN);
  test('a percent-encoded token in an error message is masked', () => {
    expect(s.error(err(ErrorCode.REDIRECT_REJECTED, `bad uri mqtt://x/${pct(TOKEN)}`)).message).not.toContain(pct(TOKEN));
  });
  test('a percent-encoded token in an error detail is masked (like in the message)', () => {
    const e = s.error(err(ErrorCode.REDIRECT_REJECTED, 'bad uri', { uri: `mqtt://x/${pct(TOKEN)}` }));
    expect(s.has(decodeURIComponent(String(e.detail?.uri)))).toBe(false);
  });
  test('a percent-encoded token in an event payload string is masked', () => {
    const v = s.value({ uri: `mqtt://x/${pct(TOKEN)}` });
    expect(s.has(decodeURIComponent(v.uri))).toBe(false);
  });
  test('a token split by encoding only some characters (lower-case hex) is masked', () => {
    const half = TOKEN.slice(0, 5) + pct(TOKEN.slice(5, 9)).toLowerCase() + TOKEN.slice(9);
    expect(s.has(decodeURIComponent(s.scrub(`x ${half} y`)))).toBe(false);
  });
  test('hostile cloud: an OTA offer whose type is the percent-encoded token does not put it in an emitted error', () => {
    const d = makeApiDevice({ firmware: { version: '1.0.0', build: 'Nov 26 2026 10:00:00', type: 'TMPL0001' } });
    d.broker.push('downlink/ota/json', JSON.stringify({ url: 'https://fra1.blynk.cloud/fw.bin', size: 1000, type: pct(TOKEN) }));
    d.broker.settle();
    const rejected = d.errors.filter((e) => e.code === ErrorCode.OTA_REJECTED);
    expect(rejected.length).toBeGreaterThan(0);
    for (const e of rejected) {
      expect(s.has(decodeURIComponent(e.message))).toBe(false);
      expect(s.has(decodeURIComponent(JSON.stringify(e.detail ?? {})))).toBe(false);
    }
  });
});

describe('C-APP-1: the inline emitter', () => {
  test('a listener that throws a value whose toString throws does not stop the others', () => {
    const em = new Emitter<{ x: number }>();
    const seen: number[] = [];
    const errs: string[] = [];
    em.onListenerError = (ev) => errs.push(ev);
    em.on('x', () => {
      throw { toString() { throw new Error('no'); } };
    });
    em.on('x', (v) => seen.push(v));
    expect(() => em.emit('x', 1)).not.toThrow();
    expect(seen).toEqual([1]);
    expect(errs).toEqual(['x']);
  });

  test('a listener returning a thenable whose then getter throws does not reach the emitter', () => {
    const em = new Emitter<{ x: number }>();
    em.onListenerError = () => {};
    em.on('x', () => ({ get then() { throw new Error('getter'); } }) as never);
    expect(() => em.emit('x', 1)).not.toThrow();
  });

  test('held: a listener removed by an earlier one in the same emit runs this once (snapshot), then never', () => {
    const em = new Emitter<{ x: number }>();
    const seen: string[] = [];
    const b = () => seen.push('b');
    em.on('x', () => { seen.push('a'); em.off('x', b); });
    em.on('x', b);
    em.emit('x', 1);
    // Documented behaviour choice (a snapshot, like Node's EventEmitter): b still runs this once.
    expect(seen).toEqual(['a', 'b']);
    em.emit('x', 2);
    expect(seen).toEqual(['a', 'b', 'a']);
  });
});

describe('C-OFFLINE: values kept offline, and a send queue full at CONNACK', () => {
  test('a kept value whose flush met a full queue still goes out once the queue frees, on the same connection', () => {
    const hal = createMockHal({ seed: 4 });
    const broker = new FakeBroker(hal);
    const device = new BlynkDevice({ hal, token: TOKEN, templateId: 'TMPL0001', offline: 'keep-latest' });
    device.on('error', () => {});
    expect(device.write('Temperature', 21.5)).toBeNull();
    blockAfterConnect(hal);
    device.start();
    run(hal, 50, 10);
    expect(device.online).toBe(true);
    const conn = hal.transport.last!;
    run(hal, 300, 10);
    conn.writable = true;
    run(hal, 60_000, 100);
    const sent = broker.packets('publish').filter((p) => (p as { topic: string }).topic.indexOf('Temperature') >= 0);
    expect({ sent: sent.length, connections: hal.transport.openCount }).toEqual({ sent: 1, connections: 1 });
  });
});
