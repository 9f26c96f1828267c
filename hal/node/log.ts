// Logging for the Node HAL, and the one guard every callback into the core goes through.
import type { Log, LogLevel } from '../interfaces';

/** Where log lines go: `(level, message)`. */
export type LogSink = (level: LogLevel, message: string) => void;

const CONSOLE: Record<LogLevel, (line: string) => void> = {
  debug: (line) => console.debug(line),
  info: (line) => console.info(line),
  warn: (line) => console.warn(line),
  error: (line) => console.error(line),
};

export function consoleSink(level: LogLevel, message: string): void {
  CONSOLE[level](`[${level}] ${message}`);
}

/** A Log that never throws, whatever the sink does. */
export function makeLog(sink: LogSink = consoleSink): Log {
  return {
    write(level, message) {
      try {
        sink(level, message);
      } catch {
        // A broken sink must not take the caller down; there is nowhere left to report it.
      }
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * Run a callback into the core. A throw there is a core bug; letting it escape would crash
 * the Node process from inside a socket or timer event, so it is logged instead.
 */
export function guard(log: Log, what: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    log.write('error', `${what} threw: ${describe(error)}`);
  }
}
