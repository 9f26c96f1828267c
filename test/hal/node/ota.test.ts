// The Node HAL's OtaWriter: an image file written through `<path>.part`.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeHal, DEFAULT_OTA_CAPACITY, FileOtaWriter } from '../../../hal/node';
import type { Log } from '../../../hal/interfaces';

const quiet: Log = { write: () => {} };
let dir: string;
let path: string;

beforeEach(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'hal-ota-'));
  path = join(dir, 'firmware.bin');
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

it('writes an image through .part and renames it on complete()', () => {
  const ota = new FileOtaWriter(path, 1000, quiet);
  expect(ota.capacity()).toBe(1000);
  ota.begin(6);
  ota.write(Uint8Array.of(1, 2, 3));
  expect(fs.existsSync(`${path}.part`)).toBe(true);
  expect(fs.existsSync(path)).toBe(false);
  ota.write(Uint8Array.of(4, 5, 6));
  ota.complete();
  expect([...fs.readFileSync(path)]).toEqual([1, 2, 3, 4, 5, 6]);
  expect(fs.existsSync(`${path}.part`)).toBe(false);
});

it('refuses an image larger than its capacity', () => {
  const ota = new FileOtaWriter(path, 1000, quiet);
  expect(() => ota.begin(1001)).toThrow(/capacity/);
  expect(() => ota.begin(-1)).toThrow();
  ota.begin(1000);
  ota.write(new Uint8Array(1000));
  expect(() => ota.write(Uint8Array.of(1))).toThrow(/capacity/);
  ota.abort(); // the .part file's descriptor is not left open for the rest of the run
});

it('complete() throws when fewer or more bytes came than begun', () => {
  const ota = new FileOtaWriter(path, 1000, quiet);
  ota.begin(10);
  ota.write(new Uint8Array(9));
  expect(() => ota.complete()).toThrow(/9 bytes, expected 10/);
  ota.write(new Uint8Array(2));
  expect(() => ota.complete()).toThrow(/11 bytes, expected 10/);
  expect(fs.existsSync(path)).toBe(false);
  ota.abort();
  expect(fs.existsSync(`${path}.part`)).toBe(false);
});

it('abort() deletes the partial image and never throws', () => {
  const ota = new FileOtaWriter(path, 1000, quiet);
  expect(() => ota.abort()).not.toThrow(); // nothing begun
  ota.begin(10);
  ota.write(new Uint8Array(5));
  ota.abort();
  ota.abort();
  expect(fs.readdirSync(dir)).toEqual([]);
  expect(() => ota.write(Uint8Array.of(1))).toThrow(/without begin/);
  expect(() => ota.complete()).toThrow(/without begin/);
});

it('begin() again starts over', () => {
  const ota = new FileOtaWriter(path, 1000, quiet);
  ota.begin(3);
  ota.write(Uint8Array.of(9, 9));
  ota.begin(2);
  ota.write(Uint8Array.of(1, 2));
  ota.complete();
  expect([...fs.readFileSync(path)]).toEqual([1, 2]);
});

it('leaves an existing image in place until a new one completes', () => {
  fs.writeFileSync(path, 'old');
  const ota = new FileOtaWriter(path, 1000, quiet);
  ota.begin(3);
  ota.write(Buffer.from('new'));
  expect(fs.readFileSync(path, 'utf8')).toBe('old');
  ota.complete();
  expect(fs.readFileSync(path, 'utf8')).toBe('new');
});

it('is offered by createNodeHal only with otaPath; 4 MiB by default', () => {
  expect(createNodeHal({ log: () => {} }).ota).toBeUndefined();
  expect(createNodeHal({ otaPath: path, log: () => {} }).ota?.capacity()).toBe(DEFAULT_OTA_CAPACITY);
  expect(DEFAULT_OTA_CAPACITY).toBe(4 * 1024 * 1024);
  expect(createNodeHal({ otaPath: path, otaCapacity: 123, log: () => {} }).ota?.capacity()).toBe(123);
});
