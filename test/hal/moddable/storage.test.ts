// Storage on `preference` with the NVS limits.
import { ModdableStorage } from '../../../hal/moddable/storage';
import { FakePreference } from './fakes/preference';
import { recordingLog } from './fakes/modules';

function make() {
  const pref = new FakePreference();
  const log = recordingLog();
  return { pref, log, storage: new ModdableStorage(pref, 'blynk', log) };
}

describe('ModdableStorage', () => {
  it('round-trips bytes as one ArrayBuffer record per key in the domain', () => {
    const { pref, storage } = make();
    const big = new Uint8Array(8).map((_, i) => i);
    expect(storage.set('ep.a', big.subarray(2, 6))).toBe(true); // a view into a larger buffer
    expect(pref.store.get('blynk/ep.a')).toBeInstanceOf(ArrayBuffer);
    expect([...storage.get('ep.a')!]).toEqual([2, 3, 4, 5]);
    storage.delete('ep.a');
    expect(storage.get('ep.a')).toBeUndefined();
  });

  it('accepts keys of up to 15 characters and values of up to 4000 bytes, refuses more without throwing', () => {
    const { pref, storage, log } = make();
    expect(storage.set('k'.repeat(15), new Uint8Array(4000))).toBe(true);
    expect(storage.set('k'.repeat(16), new Uint8Array(1))).toBe(false);
    expect(storage.set('', new Uint8Array(1))).toBe(false);
    expect(storage.set('bad key', new Uint8Array(1))).toBe(false);
    expect(storage.set('ok', new Uint8Array(4001))).toBe(false);
    expect(pref.sets).toBe(1);
    expect(log.lines.filter((l) => l.startsWith('error')).length).toBe(4);
    expect(storage.get('k'.repeat(16))).toBeUndefined();
  });

  it('a failing flash write returns false (and a failing read or delete is only logged)', () => {
    const { pref, storage, log } = make();
    pref.failSet = 'nvs set fail';
    expect(storage.set('ep', Uint8Array.of(1))).toBe(false);
    expect(log.lines.at(-1)).toContain('nvs set fail');
    pref.failSet = undefined;
    storage.set('ep', Uint8Array.of(1));
    pref.failGet = 'nvs get fail';
    expect(storage.get('ep')).toBeUndefined();
    pref.failDelete = 'nvs erase fail';
    expect(() => storage.delete('ep')).not.toThrow();
  });

  it('stores an empty value (as "", which survives the simulator JSON store) and ignores foreign types', () => {
    const { pref, storage } = make();
    expect(storage.set('empty', new Uint8Array(0))).toBe(true);
    expect(storage.get('empty')).toEqual(new Uint8Array(0));
    pref.set('blynk', 'num', 42);
    expect(storage.get('num')).toBeUndefined();
  });

  it('checks the domain name', () => {
    expect(() => new ModdableStorage(new FakePreference(), 'a-domain-that-is-too-long', recordingLog())).toThrow(/domain/);
  });
});
