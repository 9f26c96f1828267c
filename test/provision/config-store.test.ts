// C-PROVISION: the configuration is one atomic record in flash, torn-write-safe like the
// endpoint store (two slots, sequence number, CRC32).
import fc from 'fast-check';
import { MockStorage } from '../../hal/mock';
import { ConfigStore, MAX_RECORD } from '../../src/provision/config-store';
import type { ProvisionConfig } from '../../src/provision/config';
import { TOKEN, OTHER_TOKEN } from '../support/tokens';

const A: ProvisionConfig = { ssid: 'Home Wi-Fi', pass: 'pässwörd', token: TOKEN, host: 'blynk.cloud', port: 443 };
const B: ProvisionConfig = { ssid: 'Office', pass: '', token: OTHER_TOKEN, host: 'mqtt://127.0.0.1:1883', port: 8443 };

test('save and load across a reboot; the newest record wins', () => {
  const flash = new MockStorage();
  const s = new ConfigStore(flash);
  expect(s.get()).toBeUndefined();
  expect(s.save(A, false, 0)).toBe(true);
  expect(s.save(B, true, 0)).toBe(true);
  expect(new ConfigStore(flash).get()).toEqual({ config: B, valid: true, lastError: 0, seq: 2 });
  expect(s.save(undefined, false, 703)).toBe(true);
  expect(new ConfigStore(flash).get()).toEqual({ config: undefined, valid: false, lastError: 703, seq: 3 });
});

test('a failed write leaves the previous record current, in RAM and in flash', () => {
  const flash = new MockStorage();
  const s = new ConfigStore(flash);
  s.save(A, true, 0);
  flash.failNext = 1;
  expect(s.save(B, true, 0)).toBe(false);
  expect(s.get()?.config).toEqual(A);
  expect(new ConfigStore(flash).get()?.config).toEqual(A);
  flash.tearNext = true; // a power cut in the middle of the write
  expect(s.save(B, true, 0)).toBe(false);
  flash.powerOn();
  expect(new ConfigStore(flash).get()).toMatchObject({ config: A, valid: true });
});

test('property: a torn or corrupted slot never yields a mixed record; the other slot survives', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 255 }), fc.boolean(), (cut, flip, truncate) => {
      const flash = new MockStorage();
      const s = new ConfigStore(flash);
      s.save(A, true, 0); // slot a
      s.save(B, true, 0); // slot b, newest
      const key = 'blynk.cfg.b';
      const rec = flash.get(key)!;
      const bad = truncate ? rec.slice(0, cut % rec.length) : rec.slice();
      if (!truncate) bad[cut % bad.length] ^= flip || 1;
      flash.set(key, bad);
      const got = new ConfigStore(flash).get();
      expect(got?.config).toEqual(A);
    }),
    { seed: 2207 },
  );
});

test('records are small: far under the 4000-byte NVS value limit; keys fit 15 characters', () => {
  expect(MAX_RECORD).toBeLessThan(512);
  const flash = new MockStorage();
  expect(new ConfigStore(flash).save({ ssid: 'é'.repeat(16), pass: 'ab'.repeat(32), token: TOKEN, host: 'h'.repeat(255), port: 65535 }, true, 0)).toBe(true);
  for (const v of flash.records.values()) expect(v.length).toBeLessThanOrEqual(MAX_RECORD);
  for (const k of flash.records.keys()) expect(k.length).toBeLessThanOrEqual(15);
});

test('a record that would break the field limits is refused, not cut', () => {
  const s = new ConfigStore(new MockStorage());
  expect(s.save({ ...A, ssid: 'x'.repeat(33) }, true, 0)).toBe(false);
  expect(s.get()).toBeUndefined();
});
