// Attack as a careless application (C-APP-3): wrong types and odd values in the device API and
// in the DeviceOptions that resolveConfig does not see (ota, rate, maxDatastreams,
// requestTimeoutMs). A misuse is a typed error returned at once, never a throw at run time, and
// never a silently broken device.
import { createHash } from 'node:crypto';
import { createMockHal } from '../../hal/mock';
import { BlynkDevice, type DeviceOptions } from '../../src/blynk/device';
import { BlynkError, ErrorCode } from '../../src/errors';
import { FakeBroker } from '../../tools/broker/fake-broker';
import { makeApiDevice } from '../support/device';
import { TOKEN } from '../support/tokens';
import { run } from './helpers';

describe('C-APP-3: the promise forms never throw', () => {
  for (const [what, names] of [
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
  ] as const) {
    test(`requestValues(${what}) returns a rejected promise with a typed error instead of throwing`, async () => {
      const d = makeApiDevice();
      let p: Promise<unknown> | undefined;
      expect(() => {
        p = d.device.requestValues(names as never);
      }).not.toThrow();
      await expect(p).rejects.toBeInstanceOf(BlynkError);
    });
  }

  test('requestMetadata(null) returns a rejected promise with a typed error instead of throwing', async () => {
    const d = makeApiDevice();
    let p: Promise<unknown> | undefined;
    expect(() => {
      p = d.device.requestMetadata(null as never);
    }).not.toThrow();
    await expect(p).rejects.toBeInstanceOf(BlynkError);
  });
});

describe('C-APP-3: DeviceOptions outside ConnectionOptions are validated', () => {
  const bad: [string, Partial<DeviceOptions>][] = [
    ['ota.rateWindowMs 0 (a timer that re-arms itself at 0 ms forever)', { ota: { rateWindowMs: 0 } }],
    ['ota.minRate NaN (no deadline, no rate check)', { ota: { minRate: Number.NaN } }],
    ['ota.stallTimeoutMs -5', { ota: { stallTimeoutMs: -5 } }],
    ['ota.decisionTimeoutMs "30s"', { ota: { decisionTimeoutMs: '30s' as never } }],
    ['maxDatastreams NaN (keep-latest unbounded)', { offline: 'keep-latest', maxDatastreams: Number.NaN }],
    ['rate.perSecond NaN (the rate limit silently off)', { rate: { perSecond: Number.NaN } }],
    ['requestTimeoutMs "ten"', { requestTimeoutMs: 'ten' as never }],
    ['offline "keep_latest" (a typo that silently means refuse)', { offline: 'keep_latest' as never }],
  ];
  for (const [what, options] of bad) {
    test(`${what} is a CONFIG error from create()`, () => {
      const hal = createMockHal();
      const r = BlynkDevice.create({ hal, token: TOKEN, templateId: 'TMPL0001', ...options });
      expect(r).toBeInstanceOf(BlynkError);
    });
  }

  test('an option given as undefined keeps its default: ota { stallTimeoutMs: undefined } still updates', () => {
    const hal = createMockHal();
    new FakeBroker(hal);
    const device = new BlynkDevice({ hal, token: TOKEN, templateId: 'TMPL0001', firmware: { version: '1.0.0' }, ota: { stallTimeoutMs: undefined } as never });
    const errors: BlynkError[] = [];
    device.on('error', (e) => errors.push(e));
    device.start();
    run(hal, 2000);
    const url = 'https://fra1.blynk.cloud/fw.bin';
    const fw = new Uint8Array(4000).fill(7);
    hal.http!.serve(url, { body: fw, headers: { 'x-md5': createHash('md5').update(fw).digest('hex') }, chunkSize: 500, intervalMs: 10 });
    hal.transport.last!.deliver(publishBytes('downlink/ota/json', JSON.stringify({ url, size: fw.length, ver: '2.0.0' })));
    // `{ ...defaults, ...options.ota }` lets undefined override 30 s: the stall timer is set for
    // NaN ms (0 on Moddable, where every update then fails at once; the mock clock spins on it).
    expect(() => run(hal, 10_000)).not.toThrow();
    expect(errors.map((e) => e.code)).toEqual([]);
    expect(hal.device.reboots).toBe(1);
  });

  test('ota.rateWindowMs 0 (which would spin the timers) is a CONFIG error at once', () => {
    const hal = createMockHal();
    expect(BlynkDevice.create({ hal, token: TOKEN, templateId: 'TMPL0001', ota: { rateWindowMs: 0 } })).toMatchObject({ code: ErrorCode.CONFIG });
  });
});

describe('C-API: values are not lost silently', () => {
  test('writeBatch with a datastream named "__proto__" sends it (or refuses it), not a batch without it', () => {
    const d = makeApiDevice();
    const r = d.device.writeBatch(JSON.parse('{"__proto__": 5, "A": 1}'));
    d.broker.settle();
    const sent = d.broker.uplinks().filter(([t]) => t === 'batch_ds');
    if (r === null) expect(JSON.parse(sent.at(-1)![1])).toEqual({ ['__proto__']: 5, A: 1 });
    else expect(r).toBeInstanceOf(BlynkError);
    if (r === null) expect(Object.keys(JSON.parse(sent.at(-1)![1]))).toContain('__proto__');
  });

  test('held: a datastream name with a lone surrogate is refused before anything is sent (malformed UTF-8 would make the broker hang up)', () => {
    const d = makeApiDevice();
    const r = d.device.write('\uD800x', 1);
    expect(r).toBeInstanceOf(BlynkError);
    expect(d.device.online).toBe(true);
  });

  test('held: wrong types everywhere are typed errors, never throws', () => {
    const d = makeApiDevice();
    const calls: (() => unknown)[] = [
      () => d.device.write(undefined as never, 1),
      () => d.device.write('A', undefined as never),
      () => d.device.write('A', [1, undefined] as never),
      () => d.device.write('A', 1n as never),
      () => d.device.write('A', Symbol('s') as never),
      () => d.device.write('A', { lat: 1, lon: 2 } as never),
      () => d.device.writeBatch(null as never),
      () => d.device.writeBatch([] as never),
      () => d.device.writeBatch({ A: { lat: '1', lon: 2 } } as never),
      () => d.device.writeBatch({ A: [1, {}] } as never),
      () => d.device.writeBatch({ A: new Date() } as never),
      () => d.device.setProperty('A', undefined as never, 1),
      () => d.device.logEvent(42 as never),
      () => d.device.logEvent('e', 42 as never),
      () => d.device.setMetadata('m', {} as never),
      () => d.device.sync(42 as never),
      () => d.device.getMetadata(),
      () => d.device.onWrite('X', 42 as never),
      () => d.device.onWrite(42 as never, () => 1),
      () => d.device.onOta('yes' as never),
    ];
    for (const c of calls) {
      let r: unknown;
      expect(() => (r = c())).not.toThrow();
      expect(r).toBeInstanceOf(BlynkError);
    }
    expect(d.device.online).toBe(true);
  });
});

function publishBytes(topic: string, payload: string): Uint8Array {
  const t = new TextEncoder().encode(topic);
  const p = new TextEncoder().encode(payload);
  const body = [t.length >> 8, t.length & 255, ...t, ...p];
  const len: number[] = [];
  let n = body.length;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    len.push(b);
  } while (n > 0);
  return Uint8Array.from([0x30, ...len, ...body]);
}

describe('C-LIMITS-3 spirit: memory does not grow with misuse', () => {
  test('a request that could not be sent (offline) leaves nothing pending: 1000 calls keep 0 timers, not 1000', async () => {
    const d = makeApiDevice({}, { online: false });
    const before = d.hal.time.pending;
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 1000; i++) all.push(d.device.requestValues(['A']).catch((e: unknown) => e));
    const results = await Promise.all(all);
    expect(results.every((r) => r instanceof BlynkError && r.code === ErrorCode.OFFLINE)).toBe(true);
    // Requests.ask() registers the waiter before sending and only drops it at its timeout.
    expect(d.hal.time.pending - before).toBe(0);
  });
});
