// The runtime's logger: levels, the token scrubbed out of every line (C-SECRETS), and a HAL
// log that throws can never break the caller.

import type { Log, LogLevel } from '../../hal/interfaces';
import type { Scrubber } from './secrets';

const RANK: Readonly<Record<LogLevel, number>> = Object.freeze({ debug: 0, info: 1, warn: 2, error: 3 });

export class Logger {
  private readonly sink: Log;
  private readonly scrubber: Scrubber | undefined;
  private readonly min: number;

  constructor(sink: Log, level: LogLevel = 'info', scrubber?: Scrubber) {
    this.sink = sink;
    this.min = RANK[level];
    this.scrubber = scrubber;
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] >= this.min;
  }

  write(level: LogLevel, message: string): void {
    if (RANK[level] < this.min) return;
    try {
      this.sink.write(level, this.scrubber ? this.scrubber.scrub(message) : message);
    } catch {
      // logging must never take the runtime down
    }
  }

  debug(message: string): void {
    this.write('debug', message);
  }
  info(message: string): void {
    this.write('info', message);
  }
  warn(message: string): void {
    this.write('warn', message);
  }
  error(message: string): void {
    this.write('error', message);
  }
}
