// Stand-in for Moddable's "time" module (see wire.ts).
import { wire } from './wire';

const Time = {
  get ticks(): number {
    return wire.ticks;
  },
  delta(a: number, b: number): number {
    return b - a;
  },
};

export default Time;
