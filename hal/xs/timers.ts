// Timers inside XS, kept by the Node parent (xsnap has no setTimeout): XS names each timer, the
// parent arms a real one and sends FIRED when it goes off. XS keeps the callbacks, so a timer
// cleared while its FIRED event was already on the way never runs.
import type { Clock, TimerHandle, Timers } from '../interfaces';
import { type Channel } from './channel';
import { Call, Event } from './protocol';

interface Entry {
  readonly ref: number;
  readonly fn: () => void;
  readonly repeat: boolean;
}

export class BridgeTimers implements Timers, Clock {
  private readonly live = new Map<number, Entry>();
  private nextRef = 1;

  constructor(private readonly channel: Channel) {
    channel.on(Event.FIRED, (ref) => {
      const e = this.live.get(ref);
      if (!e) return;
      if (!e.repeat) this.live.delete(ref);
      e.fn();
    });
  }

  now(): number {
    return this.channel.now();
  }

  set(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, false);
  }

  repeat(fn: () => void, ms: number): TimerHandle {
    return this.add(fn, ms, true);
  }

  clear(handle: TimerHandle | undefined): void {
    const e = handle as Entry | undefined;
    if (!e || this.live.get(e.ref) !== e) return;
    this.live.delete(e.ref);
    this.channel.call(Call.CLEAR, e.ref);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.live.size;
  }

  private add(fn: () => void, ms: number, repeat: boolean): Entry {
    const e: Entry = { ref: this.nextRef++, fn, repeat };
    this.live.set(e.ref, e);
    const delay = Number.isFinite(ms) && ms > 0 ? Math.round(ms) : 0;
    this.channel.callText(repeat ? Call.REPEAT : Call.TIMER, e.ref, String(delay));
    return e;
  }
}
