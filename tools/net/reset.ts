// Sending an RST from the peers our tests and the emulator play. One home for a Node trap:
// resetAndDestroy() on a socket whose end() has begun (its shutdown still pending) fails with
// EINVAL, yet Node marks the handle as closing; the handle is then never closed and the process
// spins for ever at exit (seen on Node 20.20: the whole suite passed, then CI timed out).
// Under TLS the trap is out of the TCP socket's sight: the TLSSocket's end() shuts the TCP handle
// down while the TCP socket's own writableEnded stays false. So pass the socket you hold (the
// TLSSocket), never the TCP socket under it: only from the top can both be checked.
import { Socket } from 'node:net';

/** Reset `s` (an RST, under TLS too) where Node can; destroy it otherwise (ended, already gone). */
export function resetSocket(s: Socket): void {
  if (s.destroyed) return;
  if (s.writableEnded) {
    s.destroy();
    return;
  }
  if ((s as { encrypted?: boolean }).encrypted === true) {
    // A TLSSocket's handle is not a TCP handle (resetAndDestroy throws); the TCP socket under it is.
    const under = (s as { _parent?: unknown })._parent;
    if (under instanceof Socket && !under.destroyed && !under.writableEnded) resetTcp(under);
    else s.destroy();
    return;
  }
  resetTcp(s);
}

function resetTcp(s: Socket): void {
  try {
    s.resetAndDestroy();
  } catch {
    s.destroy();
  }
}
