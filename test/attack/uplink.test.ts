// Attack on what goes up when the transport is full or the application writes at the wrong
// moment (src/blynk/client.ts sessionOnline, src/blynk/uplink.ts flushKept): a device must not
// sit online without its downlink/# subscription, and keep-latest must never send an older
// value after a newer one (C-SESSION-1, C-RECONNECT-3).
import type { MockConnection } from '../../hal/mock';
import { makeApiDevice, makeDevice } from '../support/device';
import { run } from './helpers';

/** On each new connection, the send queue is full from right after CONNECT until `ms` later. */
function fullAfterConnect(hal: { transport: { onRecord: ((c: MockConnection) => void) | undefined }; time: { set(fn: () => void, ms: number): unknown } }, ms: number): void {
  const journal = hal.transport.onRecord;
  hal.transport.onRecord = (c) => {
    journal?.(c);
    const write = c.write.bind(c);
    let n = 0;
    c.write = (b: Uint8Array) => {
      const ok = write(b);
      if (n++ === 0) {
        c.writable = false;
        hal.time.set(() => c.drain(), ms);
      }
      return ok;
    };
  };
}

describe('C-SESSION-1: online means subscribed', () => {
  test('the send queue is full for 200 ms when CONNACK arrives: downlink/# is still subscribed (retried, or the connection dropped)', () => {
    const d = makeDevice({}, { latencyMs: 50 });
    fullAfterConnect(d.hal, 200);
    d.client.start();
    run(d.hal, 10 * 60_000);
    // sessionOnline() reports BUSY for SUBSCRIBE and info/mcu and carries on: online for as long as
    // the connection lasts, and every onWrite handler deaf.
    expect(d.client.online).toBe(true);
    expect(d.broker.packets('subscribe').length).toBeGreaterThanOrEqual(1);
  });
});

describe('C-RECONNECT-3: keep-latest never sends an older value after a newer one', () => {
  test('a value written in an "online" listener is not overwritten by the older kept one', () => {
    const d = makeApiDevice({ offline: 'keep-latest' });
    d.broker.conn!.cut('reset');
    run(d.hal, 100);
    expect(d.device.online).toBe(false);
    d.device.write('A', 1); // kept
    d.device.on('online', () => d.device.write('A', 2)); // "on connect, publish the current state"
    run(d.hal, 120_000);
    expect(d.device.online).toBe(true);
    const a = d.broker.uplinks().filter(([t]) => t === 'ds/A').map(([, v]) => v);
    // The application's listener runs before the device's own flush: the cloud ends with 1.
    expect(a.at(-1)).toBe('2');
  });

  test('a flush refused as BUSY, then a newer value sent online: the next reconnect does not send the old one', () => {
    const d = makeApiDevice({ offline: 'keep-latest' });
    d.broker.conn!.cut('reset');
    run(d.hal, 100);
    d.device.write('A', 1);
    const journal = d.hal.transport.onRecord;
    d.hal.transport.onRecord = (c) => {
      journal?.(c);
      const write = c.write.bind(c);
      let pubs = 0;
      c.write = (b: Uint8Array) => ((b[0]! & 0xf0) === 0x30 && ++pubs === 2 ? false : write(b)); // the flush's publish
    };
    run(d.hal, 120_000);
    expect(d.device.online).toBe(true);
    d.device.write('A', 2);
    d.hal.transport.onRecord = journal;
    d.broker.conn!.cut('reset');
    run(d.hal, 120_000);
    const a = d.broker.uplinks().filter(([t]) => t === 'ds/A').map(([, v]) => v);
    // The refused flush is tried again on the same connection (1 goes out before 2 is written);
    // the reconnect sends neither again: the cloud ends with the newest.
    expect(a).toEqual(['1', '2']);
  });

  test('a Location kept offline goes out as it would online: batch_ds with [lon, lat], not a NUL-joined ds/ multi-value', () => {
    const d = makeApiDevice({ offline: 'keep-latest' });
    d.broker.conn!.cut('reset');
    run(d.hal, 100);
    expect(d.device.writeBatch({ Loc: { lat: 50.45, lon: 30.52 } })).toBeNull();
    run(d.hal, 120_000);
    expect(d.device.online).toBe(true);
    const sent = d.broker.uplinks().filter(([t]) => t !== 'info/mcu');
    // writeBatch keeps the converted [lon, lat] array; the flush takes any array for a
    // multi-value and sends ds/Loc "30.52\0 50.45", a form the cloud does not document for Location.
    expect(sent).toEqual([['batch_ds', '{"Loc":[30.52,50.45]}']]);
  });

  test('held: keep-latest bounded by maxDatastreams, the newest value per name sent once after reconnecting', () => {
    const d = makeApiDevice({ offline: 'keep-latest', maxDatastreams: 3 });
    d.broker.conn!.cut('reset');
    run(d.hal, 100);
    for (let i = 0; i < 100; i++) d.device.write(`D${i % 5}`, i);
    expect(d.device.pending).toBe(3);
    run(d.hal, 120_000);
    expect(d.device.online).toBe(true);
    expect(d.device.pending).toBe(0);
    const sent = d.broker.uplinks().filter(([t]) => t === 'batch_ds').map(([, v]) => JSON.parse(v));
    expect(sent).toEqual([{ D0: 95, D1: 96, D2: 97 }]);
  });
});
