// The classic ESP32 "ota" module and "flash" (for the partition size).
export class FakeOTA {
  static instances: FakeOTA[] = [];
  static failBegin: string | undefined;
  readonly written: number[] = [];
  failWrite: string | undefined;
  failComplete: string | undefined;
  completed = false;
  cancelled = 0;

  constructor(readonly options?: { byteLength?: number }) {
    if (FakeOTA.failBegin) throw new Error(FakeOTA.failBegin);
    FakeOTA.instances.push(this);
  }

  write(bytes: ArrayBufferView | ArrayBuffer): void {
    if (this.failWrite) throw new Error(this.failWrite);
    const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.written.push(...view);
  }

  complete(): void {
    if (this.failComplete) throw new Error(this.failComplete);
    this.completed = true;
  }

  cancel(): void {
    this.cancelled++;
  }

  static reset(): void {
    FakeOTA.instances = [];
    FakeOTA.failBegin = undefined;
  }
}

export class FakeFlash {
  static size = 1_966_080;
  static opened: string[] = [];
  readonly byteLength: number;
  readonly blockSize = 4096;
  constructor(partition: string) {
    FakeFlash.opened.push(partition);
    if (partition !== 'nextota') throw new Error('no such partition');
    this.byteLength = FakeFlash.size;
  }
}
