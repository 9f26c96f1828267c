// Sending an RST from the peers our tests and the emulator play. One home for a Node trap:
// resetAndDestroy() on a socket whose end() has begun (its shutdown still pending) fails with
// EINVAL, yet Node marks the handle as closing; the handle is then never closed and the process
// spins for ever at exit (seen on Node 20.20: the whole suite passed, then CI timed out).
import type { Socket } from 'node:net';

/** Reset `s` (an RST) where Node can; destroy it otherwise (TLS, ended, already gone). */
export function resetSocket(s: Socket): void {
  if (s.destroyed) return;
  // A TLSSocket's handle is not a TCP handle (resetAndDestroy throws); an ended one is the trap.
  if (s.writableEnded || (s as { encrypted?: boolean }).encrypted === true) {
    s.destroy();
    return;
  }
  try {
    s.resetAndDestroy();
  } catch {
    s.destroy();
  }
}
