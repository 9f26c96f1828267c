// Attack on application handlers (C-APP-1, src/util/safe.ts, src/blynk/downlink.ts): whatever a
// handler throws or rejects with, and whatever odd object it returns, is reported as
// HANDLER_FAILED and nothing escapes to the host (no uncaught exception, no unhandled rejection).
import { ErrorCode } from '../../src/errors';
import { makeApiDevice, type ApiDevice } from '../support/device';
import { ticks, unhandledDuring } from './helpers';

/** Things that String() cannot turn into text. */
const unprintable: [string, () => unknown][] = [
  ['Object.create(null)', () => Object.create(null)],
  ['an object whose toString throws', () => ({ toString: () => { throw new Error('no'); } })],
  ['an Error whose message getter throws', () => {
    const e = new Error('x');
    Object.defineProperty(e, 'message', { get: () => { throw new Error('no'); } });
    return e;
  }],
];

function handlerFailures(d: ApiDevice): number {
  return d.errors.filter((e) => e.code === ErrorCode.HANDLER_FAILED).length;
}

describe('C-APP-1: a rejection with a value String() cannot print', () => {
  for (const [what, make] of unprintable) {
    test(`an async onWrite rejecting with ${what} is reported, not an unhandled rejection`, async () => {
      let d!: ApiDevice;
      const unhandled = await unhandledDuring(async () => {
        d = makeApiDevice();
        d.device.onWrite('A', async () => {
          throw make();
        });
        d.broker.push('downlink/ds/A', '1');
        d.broker.settle();
      });
      expect(unhandled).toEqual([]);
      expect(handlerFailures(d)).toBe(1);
      expect(d.device.online).toBe(true);
    });
  }

  test('an async onOta rejecting with Object.create(null) declines, is reported, nothing unhandled', async () => {
    let d!: ApiDevice;
    const unhandled = await unhandledDuring(async () => {
      d = makeApiDevice();
      d.device.onOta(async () => {
        throw Object.create(null);
      });
      d.broker.push('downlink/ota/json', JSON.stringify({ url: 'https://fra1.blynk.cloud/fw.bin', size: 100 }));
      d.broker.settle();
    });
    expect(unhandled).toEqual([]);
    expect(handlerFailures(d)).toBe(1);
    expect(d.hal.http!.requests).toEqual([]);
  });

  test('a synchronous onAnyWrite throwing Object.create(null) is reported as HANDLER_FAILED', () => {
    const d = makeApiDevice();
    d.device.onAnyWrite(() => {
      throw Object.create(null);
    });
    d.broker.push('downlink/ds/B', '1');
    d.broker.settle();
    expect(handlerFailures(d)).toBe(1);
    expect(d.device.online).toBe(true);
  });

  test('an event listener throwing Object.create(null) is reported as HANDLER_FAILED (not silently dropped)', () => {
    const d = makeApiDevice({}, { online: false });
    d.device.on('online', () => {
      throw Object.create(null);
    });
    d.device.start();
    for (let i = 0; i < 20 && !d.device.online; i++) d.hal.time.step();
    d.hal.time.flush();
    expect(d.device.online).toBe(true);
    expect(handlerFailures(d)).toBe(1);
  });
});

describe('held: odd things handlers return', () => {
  test('held: a thenable whose then throws, one that calls back twice, and one whose then getter throws are each reported once at most and nothing escapes', async () => {
    let d!: ApiDevice;
    const unhandled = await unhandledDuring(async () => {
      d = makeApiDevice();
      d.device.onWrite('T1', () => ({ then: () => { throw new Error('then threw'); } }));
      d.device.onWrite('T2', () => ({ then: (_ok: unknown, bad: (e: unknown) => void) => { bad(new Error('once')); bad(new Error('twice')); } }));
      d.device.onWrite('T3', () => Object.defineProperty({}, 'then', { get: () => { throw new Error('getter'); } }));
      d.device.onWrite('T4', () => new Proxy({}, { get: () => { throw new Error('proxy'); } }));
      d.device.onWrite('T5', () => Object.create(null));
      d.device.onWrite('T6', () => function () { return 1; });
      for (const t of ['T1', 'T2', 'T3', 'T4', 'T5', 'T6']) d.broker.push(`downlink/ds/${t}`, '1');
      d.broker.settle();
    });
    expect(unhandled).toEqual([]);
    expect(d.device.online).toBe(true);
    expect(handlerFailures(d)).toBeGreaterThanOrEqual(4);
  });

  test('held: onOta answering a thenable that resolves twice (false, then true) declines and downloads nothing', async () => {
    const d = makeApiDevice();
    d.device.onOta(() => ({ then: (ok: (v: unknown) => void) => { ok?.(false); ok?.(true); } }) as unknown as Promise<boolean>);
    d.broker.push('downlink/ota/json', JSON.stringify({ url: 'https://fra1.blynk.cloud/fw.bin', size: 100 }));
    d.broker.settle();
    await ticks();
    d.hal.time.advance(60_000);
    expect(d.hal.http!.requests).toEqual([]);
  });

  test('held: onOta resolving to a promise of false (a nested thenable) does not install', async () => {
    const d = makeApiDevice();
    d.hal.http!.serve('https://fra1.blynk.cloud/fw.bin', { body: new Uint8Array(100) });
    d.device.onOta(() => ({ then: (ok: (v: unknown) => void) => ok(Promise.resolve(false)) }) as unknown as Promise<boolean>);
    d.broker.push('downlink/ota/json', JSON.stringify({ url: 'https://fra1.blynk.cloud/fw.bin', size: 100 }));
    d.broker.settle();
    await ticks();
    d.hal.time.advance(60_000);
    expect(d.hal.http!.requests).toEqual([]);
    expect(d.hal.device.reboots ?? 0).toBe(0);
  });

  test('held: a second OTA offer during an asynchronous decision is refused as OTA_BUSY', async () => {
    const d = makeApiDevice();
    d.device.onOta(() => new Promise<boolean>(() => undefined));
    const offer = JSON.stringify({ url: 'https://fra1.blynk.cloud/fw.bin', size: 100, ver: '2.0.0' });
    d.broker.push('downlink/ota/json', offer);
    d.broker.push('downlink/ota/json', offer);
    d.broker.settle();
    expect(d.errors.map((e) => e.code)).toContain(ErrorCode.OTA_BUSY);
  });
});
