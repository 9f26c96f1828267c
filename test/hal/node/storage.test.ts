// Storage of the Node HAL: one file per record, atomic replace, NVS-like limits, no throws.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeHal, FileStorage, MemoryStorage } from '../../../hal/node';
import type { Log, Storage } from '../../../hal/interfaces';

const quiet: Log = { write: () => {} };
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined => value && new TextDecoder().decode(value);
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'hal-storage-'));
});

afterEach(() => {
  fs.chmodSync(dir, 0o755);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A power cut between writing the temp file and renaming it over the record. */
class CrashBeforeRename extends FileStorage {
  crash = false;
  protected override replace(temp: string, record: string): void {
    if (this.crash) throw new Error('simulated power cut before rename');
    super.replace(temp, record);
  }
}

describe.each([
  ['FileStorage', (): Storage => new FileStorage(dir, quiet)],
  ['MemoryStorage', (): Storage => new MemoryStorage()],
] as const)('%s', (_name, make) => {
  it('stores, replaces, deletes; a missing record is undefined', () => {
    const s = make();
    expect(s.get('redirect')).toBeUndefined();
    expect(s.set('redirect', bytes('mqtts://a.blynk.cloud'))).toBe(true);
    expect(text(s.get('redirect'))).toBe('mqtts://a.blynk.cloud');
    expect(s.set('redirect', bytes('wss://b'))).toBe(true);
    expect(text(s.get('redirect'))).toBe('wss://b');
    s.delete('redirect');
    s.delete('redirect'); // deleting a missing record is fine
    expect(s.get('redirect')).toBeUndefined();
  });

  it('returns plain Uint8Array copies', () => {
    const s = make();
    const value = Uint8Array.of(1, 2, 3);
    s.set('k', value);
    value[0] = 9;
    const got = s.get('k')!;
    expect(got.constructor).toBe(Uint8Array);
    expect(got.byteOffset).toBe(0);
    expect(got.buffer.byteLength).toBe(3); // its own memory, not a slice of a shared pool
    expect([...got]).toEqual([1, 2, 3]);
  });

  it('keeps an empty value apart from a missing one', () => {
    const s = make();
    expect(s.set('empty', new Uint8Array(0))).toBe(true);
    expect(s.get('empty')).toEqual(new Uint8Array(0));
  });

  it('enforces the NVS limits: keys 1..15 of [A-Za-z0-9_.-], values up to 4000 bytes', () => {
    const s = make();
    expect(s.set('a'.repeat(15), bytes('x'))).toBe(true);
    expect(s.set('a'.repeat(16), bytes('x'))).toBe(false);
    expect(s.set('', bytes('x'))).toBe(false);
    for (const bad of ['a/b', 'a b', 'ключ', '..\\x', 'a:b']) expect(s.set(bad, bytes('x'))).toBe(false);
    for (const odd of ['.', '..', 'A-b_c.9']) expect(s.set(odd, bytes(odd))).toBe(true);
    expect(text(s.get('..'))).toBe('..');
    expect(s.set('big', new Uint8Array(4000))).toBe(true);
    expect(s.set('big', new Uint8Array(4001))).toBe(false);
    expect(s.get('big')?.length).toBe(4000); // the refused write left the record alone
    expect(s.set('notbytes', 'text' as unknown as Uint8Array)).toBe(false);
    expect(s.get('a'.repeat(16))).toBeUndefined();
  });

  it('keeps keys differing only in case apart', () => {
    const s = make();
    s.set('Key', bytes('upper'));
    s.set('key', bytes('lower'));
    expect(text(s.get('Key'))).toBe('upper');
    expect(text(s.get('key'))).toBe('lower');
  });
});

describe('FileStorage on disk', () => {
  it('persists across instances (a reboot)', () => {
    new FileStorage(dir, quiet).set('endpoint', bytes('mqtts://x:8883'));
    expect(text(new FileStorage(dir, quiet).get('endpoint'))).toBe('mqtts://x:8883');
  });

  it('keeps the old record when a crash hits between the temp write and the rename', () => {
    const s = new CrashBeforeRename(dir, quiet);
    expect(s.set('endpoint', bytes('old'))).toBe(true);
    s.crash = true;
    expect(s.set('endpoint', bytes('new'))).toBe(false);
    expect(text(s.get('endpoint'))).toBe('old');
    expect(text(new FileStorage(dir, quiet).get('endpoint'))).toBe('old');
  });

  it('ignores and removes a half-written temp file left by a crash', () => {
    const s = new FileStorage(dir, quiet);
    s.set('endpoint', bytes('old'));
    const temp = join(dir, `t-${Buffer.from('endpoint').toString('hex')}.tmp`);
    fs.writeFileSync(temp, 'ne'); // the crash happened mid-write
    const rebooted = new FileStorage(dir, quiet);
    expect(text(rebooted.get('endpoint'))).toBe('old');
    expect(fs.existsSync(temp)).toBe(false);
    expect(rebooted.keys()).toEqual(['endpoint']);
  });

  it('creates its directory', () => {
    const nested = join(dir, 'a', 'b');
    const s = new FileStorage(nested, quiet);
    expect(s.set('k', bytes('v'))).toBe(true);
    expect(fs.readdirSync(nested)).toHaveLength(1);
  });

  it('returns false (and logs) when the directory cannot be written; never throws', () => {
    const lines: string[] = [];
    const s = new FileStorage(dir, { write: (level, message) => lines.push(`${level}: ${message}`) });
    expect(s.set('k', bytes('old'))).toBe(true);
    fs.chmodSync(dir, 0o555);
    let readOnly = true;
    try {
      fs.writeFileSync(join(dir, 'probe'), '');
      fs.rmSync(join(dir, 'probe'));
      readOnly = false; // root ignores permissions
    } catch {
      // the mode bits work: a read-only directory
    }
    if (!readOnly) {
      // As root, take the directory away instead: a file where it was (ENOTDIR).
      fs.chmodSync(dir, 0o755);
      fs.rmSync(dir, { recursive: true });
      fs.writeFileSync(dir, 'not a directory');
    }
    expect(() => s.set('k', bytes('new'))).not.toThrow();
    expect(s.set('k', bytes('new'))).toBe(false);
    expect(lines.some((l) => l.startsWith('warn: storage: cannot write k'))).toBe(true);
    expect(() => s.delete('k')).not.toThrow();
    if (!readOnly) {
      fs.rmSync(dir);
      fs.mkdirSync(dir);
    } else {
      expect(text(s.get('k'))).toBe('old');
    }
  });

  it('is what createNodeHal uses with storageDir; memory without', () => {
    const onDisk = createNodeHal({ storageDir: dir, log: () => {} });
    onDisk.storage.set('k', bytes('v'));
    expect(text(createNodeHal({ storageDir: dir, log: () => {} }).storage.get('k'))).toBe('v');
    const inMemory = createNodeHal({ log: () => {} });
    expect(inMemory.storage).toBeInstanceOf(MemoryStorage);
  });
});
