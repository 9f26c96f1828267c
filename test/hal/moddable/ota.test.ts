// The OTA writer on the classic "ota" module.
import { ModdableOtaWriter } from '../../../hal/moddable/ota';
import { recordingLog } from './fakes/modules';
import { FakeFlash, FakeOTA } from './fakes/ota';

beforeEach(() => {
  FakeOTA.reset();
  FakeFlash.opened = [];
});

describe('ModdableOtaWriter', () => {
  it('capacity: from the nextota partition via Flash, else the configured value, else 0 with a warning', () => {
    expect(new ModdableOtaWriter({ OTA: FakeOTA, Flash: FakeFlash }, recordingLog()).capacity()).toBe(FakeFlash.size);
    expect(FakeFlash.opened).toEqual(['nextota']);
    expect(new ModdableOtaWriter({ OTA: FakeOTA, Flash: FakeFlash, capacity: 1000 }, recordingLog()).capacity()).toBe(1000);
    const log = recordingLog();
    expect(new ModdableOtaWriter({ OTA: FakeOTA }, log).capacity()).toBe(0);
    expect(log.lines[0]).toContain('size unknown');
  });

  it('success: begin, write chunks (views are fine), complete', () => {
    const w = new ModdableOtaWriter({ OTA: FakeOTA, capacity: 100 }, recordingLog());
    w.begin(5);
    const buf = Uint8Array.of(9, 1, 2, 3, 9);
    w.write(buf.subarray(1, 4));
    w.write(Uint8Array.of(4, 5));
    w.complete();
    const ota = FakeOTA.instances[0]!;
    expect(ota.options).toEqual({ byteLength: 5 });
    expect(ota.written).toEqual([1, 2, 3, 4, 5]);
    expect(ota.completed).toBe(true);
    expect(ota.cancelled).toBe(0);
  });

  it('refuses an image larger than the partition before touching flash', () => {
    const w = new ModdableOtaWriter({ OTA: FakeOTA, capacity: 10 }, recordingLog());
    expect(() => w.begin(11)).toThrow(/does not fit/);
    expect(FakeOTA.instances).toEqual([]);
  });

  it('failures: begin and write throw; abort cancels and never throws; a short image fails complete', () => {
    FakeOTA.failBegin = 'no update parition';
    const w = new ModdableOtaWriter({ OTA: FakeOTA, capacity: 100 }, recordingLog());
    expect(() => w.begin(5)).toThrow('no update parition');
    FakeOTA.failBegin = undefined;

    w.begin(5);
    const ota = FakeOTA.instances[0]!;
    ota.failWrite = 'write failed';
    expect(() => w.write(Uint8Array.of(1))).toThrow('write failed');
    w.abort();
    w.abort();
    expect(ota.cancelled).toBe(1);
    expect(() => w.write(Uint8Array.of(1))).toThrow(/without begin/);

    w.begin(3);
    w.write(Uint8Array.of(1, 2));
    expect(() => w.complete()).toThrow(/got 2 of 3/);
    expect(FakeOTA.instances[1]!.cancelled).toBe(1);

    w.begin(1);
    expect(() => w.write(Uint8Array.of(1, 2))).toThrow(/more bytes/);
  });

  it('a failed image check in complete() throws and cancels', () => {
    const w = new ModdableOtaWriter({ OTA: FakeOTA, capacity: 100 }, recordingLog());
    w.begin(1);
    w.write(Uint8Array.of(1));
    const ota = FakeOTA.instances[0]!;
    ota.failComplete = 'end failed';
    expect(() => w.complete()).toThrow('end failed');
    expect(ota.cancelled).toBe(1);
    expect(() => w.complete()).toThrow(/without begin/);
  });

  it('begin while an update is open discards the old one', () => {
    const w = new ModdableOtaWriter({ OTA: FakeOTA, capacity: 100 }, recordingLog());
    w.begin(1);
    w.begin(2);
    expect(FakeOTA.instances[0]!.cancelled).toBe(1);
  });
});
