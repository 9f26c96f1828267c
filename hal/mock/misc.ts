// The small mock services: network status, captured log, seeded random, device control.
import type { DeviceControl, Log, LogLevel, Network, Random } from '../interfaces';

export class MockNetwork implements Network {
  private up: boolean;
  private listener: ((up: boolean) => void) | undefined;

  constructor(up = true) {
    this.up = up;
  }

  isUp(): boolean {
    return this.up;
  }

  onChange(listener: (up: boolean) => void): void {
    this.listener = listener;
  }

  /** The test flips the network; the listener hears it only on a real change. */
  set(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    this.listener?.(up);
  }
}

export class MockLog implements Log {
  readonly lines: { level: LogLevel; message: string }[] = [];
  /** Also pass lines on (e.g. to print them while debugging a test). */
  echo: ((level: LogLevel, message: string) => void) | undefined;
  /** Keep at most this many lines (a soak test logs a lot). */
  limit = 10_000;
  /** Every line ever written, counted even when not kept. */
  total = 0;
  /** Called with every line (for checks over a whole run, such as "the token never appears"). */
  onLine: ((level: LogLevel, message: string) => void) | undefined;

  write(level: LogLevel, message: string): void {
    this.total++;
    this.onLine?.(level, message);
    this.echo?.(level, message);
    if (this.lines.length >= this.limit) this.lines.shift();
    this.lines.push({ level, message });
  }

  text(): string {
    return this.lines.map((l) => `${l.level} ${l.message}`).join('\n');
  }
}

/** mulberry32: small, fast, good enough for jitter and fault schedules; same seed, same run. */
export class SeededRandom implements Random {
  private s: number;
  readonly seed: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.s = this.seed;
  }

  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

export class MockDevice implements DeviceControl {
  reboots = 0;
  onReboot: (() => void) | undefined;

  reboot(): void {
    this.reboots++;
    this.onReboot?.();
  }
}
