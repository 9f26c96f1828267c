// The SDK's time module (modules/base/time).
declare module 'time' {
  const Time: {
    /** Milliseconds. On MCUs a signed 32-bit counter that wraps; on the Linux simulator it is
     *  wall-clock time (gettimeofday). Compare values only through `delta`. */
    readonly ticks: number;
    /** end - start with 32-bit wrap-around (end defaults to now). */
    delta(start: number, end?: number): number;
  };
  export default Time;
}
