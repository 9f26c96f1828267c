// Log on trace, random, reboot and digests.
import type { DeviceControl, Digest, Log, LogLevel, Random } from '../interfaces';
import type { DigestConstructor } from './types';

export class TraceLog implements Log {
  constructor(
    private readonly trace: (text: string) => void,
    private readonly minLevel: LogLevel = 'info',
  ) {}

  write(level: LogLevel, message: string): void {
    if (RANK[level] < RANK[this.minLevel]) return;
    try {
      this.trace(`[blynk ${level}] ${message}\n`);
    } catch {
      // logging must never fail the caller
    }
  }
}

// Frozen: in the preloaded bundle an unfrozen module-level object is copied into RAM when first
// used (xsl warns "not frozen").
const RANK: Readonly<Record<LogLevel, number>> = Object.freeze({ debug: 0, info: 1, warn: 2, error: 3 });

export const mathRandom: Random = Object.freeze({ next: () => Math.random() });

export class ModdableDevice implements DeviceControl {
  constructor(
    private readonly log: Log,
    private readonly restart?: () => void,
  ) {}

  reboot(): void {
    if (!this.restart) {
      // The simulator has no restart (the io System.restart() would hang it).
      this.log.write('warn', 'reboot requested, but this platform has no restart (simulator?): ignored');
      return;
    }
    this.log.write('info', 'rebooting');
    this.restart();
  }
}

/** Native digests from the SDK's crypt module; undefined when the name is not supported. */
export function cryptDigest(Digest: DigestConstructor, algorithm: 'md5' | 'sha256'): Digest | undefined {
  let d;
  try {
    d = new Digest(algorithm === 'md5' ? 'MD5' : 'SHA256');
  } catch {
    return undefined;
  }
  const digest = d;
  return {
    update(bytes: Uint8Array) {
      digest.write(bytes);
    },
    finish() {
      return new Uint8Array(digest.close());
    },
  };
}

/** SHA-1 for the WebSocket handshake check. */
export function sha1With(Digest: DigestConstructor): (bytes: Uint8Array) => Uint8Array {
  return (bytes) => {
    const d = new Digest('SHA1');
    d.write(bytes);
    return new Uint8Array(d.close());
  };
}
