// All fakes as one ModdableModules object, plus the captured trace output.
import { createHash } from 'node:crypto';
import type { DigestLike, ModdableModules } from '../../../../hal/moddable/types';
import { FakeRequest } from './http';
import { FakePreference } from './preference';
import { FakeSecureSocket, FakeSocket, resetSockets } from './socket';
import { FakeTime, FakeTimer } from './timer';

/** crypt's Digest on Node's hashes. */
export class FakeDigest implements DigestLike {
  private readonly hash;
  constructor(type: 'MD5' | 'SHA1' | 'SHA256') {
    const name = { MD5: 'md5', SHA1: 'sha1', SHA256: 'sha256' }[type];
    if (!name) throw new Error('crypt: unsupported digest');
    this.hash = createHash(name);
  }
  write(data: ArrayBufferView | ArrayBuffer | string): void {
    if (typeof data === 'string') this.hash.update(data);
    else if (data instanceof ArrayBuffer) this.hash.update(new Uint8Array(data));
    else this.hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  close(): ArrayBuffer {
    const out = this.hash.digest();
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
  }
}

export class FakeResource {
  static files = new Map<string, Uint8Array>();
  readonly byteLength: number;
  constructor(readonly path: string) {
    const f = FakeResource.files.get(path);
    if (!f) throw new Error('Resource not found');
    this.byteLength = f.byteLength;
  }
  static exists(path: string): boolean {
    return FakeResource.files.has(path);
  }
}

export interface Fakes {
  modules: ModdableModules;
  timer: FakeTimer;
  time: FakeTime;
  preference: FakePreference;
  traces: string[];
  net: { ip: string | undefined };
}

export function makeFakes(): Fakes {
  resetSockets();
  FakeRequest.reset();
  const timer = new FakeTimer();
  const time = new FakeTime(timer);
  const preference = new FakePreference();
  const traces: string[] = [];
  const net = { ip: '192.168.1.20' as string | undefined };
  const modules: ModdableModules = {
    Socket: FakeSocket,
    SecureSocket: FakeSecureSocket,
    Timer: timer,
    Time: time,
    Preference: preference,
    Net: { get: () => net.ip },
    Request: FakeRequest,
    Digest: FakeDigest,
    Resource: FakeResource,
    trace: (text: string) => traces.push(text),
  };
  return { modules, timer, time, preference, traces, net };
}

/** A log that records what it is given. */
export function recordingLog(): { write(level: string, message: string): void; lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (level, message) => lines.push(`${level}: ${message}`) };
}
