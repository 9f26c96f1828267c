// The keepalive rule (C-KEEPALIVE-1), all in one place:
// - send PINGREQ when nothing was sent for the keepalive interval K, or when nothing was
//   received for K (so a device that only publishes still hears back), at most one ping
//   outstanding per silence;
// - if nothing at all was received for 1.5 x K, the link is dead.
// Sends and receives only record a timestamp; one HAL timer is armed for the earliest deadline
// and re-armed when it fires, so there is no timer work per message.

import type { Clock, TimerHandle, Timers } from '../../hal/interfaces';

export interface KeepaliveActions {
  sendPing(): void;
  dead(): void;
}

export class Keepalive {
  private readonly timers: Timers;
  private readonly clock: Clock;
  private readonly actions: KeepaliveActions;
  private intervalMs = 0;
  private lastSent = 0;
  private lastReceived = 0;
  private pingOutstanding = false;
  private timer: TimerHandle | undefined;
  private armedFor = Infinity;
  private armedAtClock = 0;

  constructor(timers: Timers, clock: Clock, actions: KeepaliveActions) {
    this.timers = timers;
    this.clock = clock;
    this.actions = actions;
  }

  /** Start watching a connection; `now` is when it came up (CONNECT was sent, CONNACK received). */
  start(intervalMs: number): void {
    this.stop();
    this.intervalMs = intervalMs;
    const now = this.clock.now();
    this.lastSent = now;
    this.lastReceived = now;
    this.pingOutstanding = false;
    this.arm();
  }

  stop(): void {
    this.timers.clear(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
    this.intervalMs = 0;
  }

  noteSent(): void {
    this.lastSent = this.clock.now();
  }

  noteReceived(): void {
    this.lastReceived = this.clock.now();
    this.pingOutstanding = false;
  }

  get running(): boolean {
    return this.intervalMs > 0;
  }

  private nextDeadline(): number {
    const k = this.intervalMs;
    let d = Math.min(this.lastSent + k, this.lastReceived + 1.5 * k);
    if (!this.pingOutstanding) d = Math.min(d, this.lastReceived + k);
    return d;
  }

  private arm(): void {
    const due = this.nextDeadline();
    if (this.timer !== undefined && due >= this.armedFor) return;
    this.timers.clear(this.timer);
    this.armedFor = due;
    this.armedAtClock = this.clock.now();
    this.timer = this.timers.set(() => this.check(), Math.max(0, due - this.armedAtClock));
  }

  private check(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    if (!this.running) return;
    const now = this.clock.now();
    const k = this.intervalMs;
    // The HAL's clock is monotonic by contract. One that stepped back since the timer was armed
    // must not make a silent link look fresh: the timer says how long really passed, so the
    // timestamps move back with the clock.
    if (now < this.armedAtClock) {
      // Only stamps made before the step (still ahead of the clock) are in the old timebase.
      const shift = now - this.armedFor;
      if (this.lastReceived > now) this.lastReceived += shift;
      if (this.lastSent > now) this.lastSent += shift;
    }
    if (now - this.lastReceived >= 1.5 * k) {
      this.stop();
      this.actions.dead();
      return;
    }
    if (now - this.lastSent >= k || (!this.pingOutstanding && now - this.lastReceived >= k)) {
      this.pingOutstanding = true;
      // Counted as sent even if the transport's queue is full: then bytes are still going out,
      // and re-trying at once would spin.
      this.lastSent = now;
      this.actions.sendPing();
    }
    if (this.running) this.arm();
  }
}
