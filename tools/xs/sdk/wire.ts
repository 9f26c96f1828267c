// Shared by the stand-ins for Moddable's "socket", "timer" and "time" modules, so the SDK's own
// MQTT client (modules/network/mqtt/mqtt.js, loaded from $MODDABLE by bench:xs and bench:ram,
// never copied here) can run inside xsnap: the bench delivers bytes to the socket the client
// made and runs the timers the client set, as the device's event loop would.

export interface StandInSocket {
  callback: ((state: number, value?: number) => void) | undefined;
  /** Bytes waiting for read(): the chunk being delivered. */
  pending: ArrayBuffer | undefined;
  written: number;
}

interface Pending {
  id: number;
  fn: (t: unknown) => void;
  interval: number;
}

export const wire = {
  sockets: [] as StandInSocket[],
  timers: [] as Pending[],
  nextId: 1,
  ticks: 0,
};

/** Hand one chunk to the socket as the device would: "data received" (2), then read(). */
export function deliver(socket: StandInSocket, chunk: ArrayBuffer): void {
  socket.pending = chunk;
  socket.callback?.(2, chunk.byteLength);
  socket.pending = undefined;
}

/** Run the timers due now (Timer.set(fn) with no delay: the client's deferred dispatch). */
export function runTimers(): void {
  const due = wire.timers;
  if (due.length === 0) return;
  wire.timers = [];
  for (const t of due) {
    if (t.interval > 0) wire.timers.push(t); // repeating (keepalive): kept, not run here
    else t.fn(t);
  }
}
