// Timers on `timer`, and the monotonic clock over a wrapping Time.ticks.
import { ModdableClock, ModdableTimers } from '../../../hal/moddable/timers';
import { makeFakes, recordingLog } from './fakes/modules';

describe('ModdableTimers', () => {
  it('set fires once after the delay (0: on the next turn, never inside set), repeat until cleared', () => {
    const f = makeFakes();
    const timers = new ModdableTimers(f.timer, recordingLog());
    const fired: string[] = [];
    timers.set(() => fired.push('now'), 0);
    const later = timers.set(() => fired.push('later'), 100);
    const every = timers.repeat(() => fired.push('tick'), 40);
    expect(fired).toEqual([]);
    f.timer.advance(0);
    expect(fired).toEqual(['now']);
    f.timer.advance(100);
    expect(fired).toEqual(['now', 'tick', 'tick', 'later']);
    timers.clear(every);
    timers.clear(later); // already fired: fine
    timers.clear(undefined);
    timers.clear({ not: 'a timer' });
    f.timer.advance(1000);
    expect(fired).toEqual(['now', 'tick', 'tick', 'later']);
  });

  it('a callback that throws is logged and does not stop other timers', () => {
    const f = makeFakes();
    const log = recordingLog();
    const timers = new ModdableTimers(f.timer, log);
    let n = 0;
    timers.repeat(() => {
      n++;
      throw new Error('bad');
    }, 10);
    expect(() => f.timer.advance(30)).not.toThrow();
    expect(n).toBe(3);
    expect(log.lines[0]).toContain('timer callback threw: Error: bad');
  });

  it('negative or fractional delays are made valid', () => {
    const f = makeFakes();
    const timers = new ModdableTimers(f.timer);
    let n = 0;
    timers.set(() => n++, -5);
    timers.repeat(() => n++, 0); // at least 1 ms
    f.timer.advance(2);
    expect(n).toBe(3);
  });
});

describe('ModdableClock', () => {
  it('keeps counting across the 32-bit wrap of Time.ticks', () => {
    const f = makeFakes();
    f.time.offset = 2 ** 31 - 1000; // 1 s before ticks wrap to negative
    const clock = new ModdableClock(f.time);
    expect(clock.now()).toBe(0);
    f.timer.advance(600);
    expect(clock.now()).toBe(600);
    f.timer.advance(600); // ticks wrapped
    expect(f.time.ticks).toBeLessThan(0);
    expect(clock.now()).toBe(1200);
    f.timer.advance(2 ** 31 - 2000); // a long quiet period, still within the 2^31 window
    expect(clock.now()).toBe(2 ** 31 - 800);
  });

  it('a slow sampling timer keeps the sum right when nobody asks for 25+ days', () => {
    const f = makeFakes();
    const clock = new ModdableClock(f.time, f.timer, 3_600_000);
    const days40 = 40 * 24 * 3_600_000;
    f.timer.advance(days40);
    expect(clock.now()).toBe(days40);
    clock.stop(f.timer);
    expect(f.timer.pending).toBe(0);
  });

  it('never goes back when the simulator wall clock steps backwards', () => {
    const f = makeFakes();
    f.time.wallClock = true;
    f.time.offset = 1_700_000_000_000;
    const clock = new ModdableClock(f.time);
    f.timer.advance(1000);
    expect(clock.now()).toBe(1000);
    f.time.offset -= 60_000; // host clock set back a minute
    expect(clock.now()).toBe(1000);
    f.timer.advance(500);
    expect(clock.now()).toBe(1500);
  });
});
