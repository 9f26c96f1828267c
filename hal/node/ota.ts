// Blynk.Air on a host: the "OTA partition" is a file. The image is written to `<path>.part`
// and renamed to `<path>` when complete, so a half-written image never looks finished.
import * as fs from 'node:fs';
import type { Log, OtaWriter } from '../interfaces';

export const DEFAULT_OTA_CAPACITY = 4 * 1024 * 1024;

export class FileOtaWriter implements OtaWriter {
  private fd: number | undefined;
  private expected = 0;
  private written = 0;

  constructor(
    readonly path: string,
    private readonly limit: number,
    private readonly log: Log,
  ) {}

  get partPath(): string {
    return `${this.path}.part`;
  }

  capacity(): number {
    return this.limit;
  }

  begin(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`OTA: bad image size ${size}`);
    if (size > this.limit) throw new RangeError(`OTA: image of ${size} bytes exceeds the capacity of ${this.limit}`);
    this.abort(); // a new download replaces any unfinished one
    this.fd = fs.openSync(this.partPath, 'w', 0o644);
    this.expected = size;
    this.written = 0;
  }

  write(chunk: Uint8Array): void {
    if (this.fd === undefined) throw new Error('OTA: write without begin');
    if (this.written + chunk.byteLength > this.limit) {
      throw new RangeError(`OTA: image exceeds the capacity of ${this.limit} bytes`);
    }
    let done = 0;
    while (done < chunk.byteLength) done += fs.writeSync(this.fd, chunk, done, chunk.byteLength - done);
    this.written += chunk.byteLength;
  }

  complete(): void {
    if (this.fd === undefined) throw new Error('OTA: complete without begin');
    if (this.written !== this.expected) {
      throw new Error(`OTA: image is ${this.written} bytes, expected ${this.expected}`);
    }
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = undefined;
    fs.renameSync(this.partPath, this.path);
  }

  abort(): void {
    const fd = this.fd;
    this.fd = undefined;
    this.written = 0;
    this.expected = 0;
    try {
      if (fd !== undefined) fs.closeSync(fd);
    } catch {
      // Closing a file we opened hardly fails; deleting it below is what matters.
    }
    try {
      fs.rmSync(this.partPath, { force: true });
    } catch (error) {
      this.log.write('warn', `OTA: cannot delete ${this.partPath}: ${String(error)}`);
    }
  }
}
