// Stand-in for Moddable's "timer" module (see wire.ts): timers run when the bench says.
import { wire } from './wire';

function add(fn: (t: unknown) => void, interval: number): { id: number } {
  const t = { id: wire.nextId++, fn, interval };
  wire.timers.push(t);
  return t;
}

const Timer = {
  set(fn: (t: unknown) => void, _ms = 0): unknown {
    return add(fn, 0);
  },
  repeat(fn: (t: unknown) => void, ms: number): unknown {
    return add(fn, Math.max(1, ms));
  },
  clear(t: unknown): void {
    if (t === undefined) return;
    const i = wire.timers.indexOf(t as never);
    if (i >= 0) wire.timers.splice(i, 1);
  },
};

export default Timer;
