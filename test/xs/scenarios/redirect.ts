// Redirect scenarios inside XS: the new endpoint is stored before the new transport opens, a
// torn flash write keeps the old record, and the next boot connects straight to what is stored.
import { MockStorage } from '../../../build/entries/xs-mock';
import { equal, ok } from './assert';
import { bringOnline, makeDevice, opens } from './device';

const FRA = 'mqtts://fra1.blynk.cloud:8883';
const LON = 'mqtts://lon1.blynk.cloud:8883';

export function redirectStoredFirst(): void {
  const d = makeDevice();
  d.broker.redirectOnConnect = FRA;
  d.client.start();
  d.hal.time.advance(10);
  d.broker.redirectOnConnect = undefined;
  d.hal.time.advance(10);
  equal(
    d.hal.journal,
    ['transport.open mqtts://blynk.cloud:8883', 'storage.set blynk.ep.a', 'transport.open mqtts://fra1.blynk.cloud:8883'],
    'HAL calls in order',
  );
  equal(d.broker.packets('disconnect', 1).length, 1, 'DISCONNECT on the old connection');
  ok(d.client.online, 'online at the new endpoint');
  equal(d.client.storedEndpoint, FRA, 'stored endpoint');
  equal(d.hal.transport.maxConcurrent, 1, 'transports open at once');
}

export function redirectTornWrite(): void {
  const storage = new MockStorage();
  const d = makeDevice({}, { storage });
  bringOnline(d);
  d.broker.push('downlink/redirect', FRA);
  d.hal.time.advance(10);
  equal(d.client.storedEndpoint, FRA, 'first redirect stored');
  storage.tearNext = true; // the power goes while the second record is written
  d.broker.push('downlink/redirect', LON);
  d.hal.time.advance(10);
  ok((storage.records.get('blynk.ep.b')?.length ?? 0) > 0, 'the torn half-record is in flash');
  storage.powerOn();
  const rebooted = makeDevice({}, { storage });
  bringOnline(rebooted);
  equal(opens(rebooted), [FRA], 'the reboot connects to the intact record');
}

export function bootUsesStoredEndpoint(): void {
  const storage = new MockStorage();
  const first = makeDevice({}, { storage });
  first.broker.redirectOnConnect = FRA;
  first.client.start();
  first.hal.time.advance(10);
  const second = makeDevice({}, { storage });
  bringOnline(second);
  equal(opens(second), [FRA], 'first connection after the reboot');
  equal(second.broker.packets('connect').length, 1, 'CONNECTs after the reboot');
}
