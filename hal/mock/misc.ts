// The small mock services: network status, captured log, seeded random, device control.
import type { DeviceControl, Log, LogLevel, Network } from '../interfaces';

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

export { SeededRandom } from '../random';

export class MockDevice implements DeviceControl {
  reboots = 0;
  onReboot: (() => void) | undefined;

  reboot(): void {
    this.reboots++;
    this.onReboot?.();
  }
}
