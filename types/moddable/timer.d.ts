// The SDK's timer module (modules/base/timer).
declare module 'timer' {
  export interface TimerId {
    readonly __timer: unique symbol;
  }
  /** Callbacks get the timer; one-shot timers are cleared automatically after they fire. */
  export type TimerCallback = (timer: TimerId) => void;
  const Timer: {
    /** Without `interval` (or 0): runs on the next turn, never inside this call. */
    set(callback: TimerCallback, interval?: number, repeat?: number): TimerId;
    repeat(callback: TimerCallback, interval: number): TimerId;
    /** Accepts undefined and timers that already fired. */
    clear(timer: TimerId | undefined): void;
  };
  export default Timer;
}
