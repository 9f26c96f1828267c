// The bridge protocol between the HAL inside XS (hal/xs) and its Node parent (tools/xs/bridge.ts).
// This file is its one description; both sides import the constants and helpers below.
//
// Transport: xsnap-worker's two channels.
//   XS -> parent: issueCommand(call) blocks XS until the parent answers (the HAL's synchronous
//                 calls: open, write, set a timer, read flash...).
//   parent -> XS: worker.command(batch) runs globalThis.handleCommand(batch) in a new crank
//                 (events: bytes arrived, a timer fired...). Never while XS is inside a call, so
//                 no callback into the core happens inside a HAL call (the HAL's no-reentrancy rule).
//
// A call (XS -> parent):   op u8 | ref u32 BE | body
// Its answer:              status u8 | parent time f64 BE | body
//                          status 0 ok / true, 1 false / absent, 2 error (body: UTF-8 message)
// An event batch:          parent time f64 BE | (length u32 BE | op u8 | ref u32 BE | body)*
// The batch's answer:      UTF-8 JSON for a query event ('q'), else empty.
//
// `ref` names the transport, timer or HTTP request (ids chosen by XS), 0 when unused. Bodies
// are raw bytes for data (write, data, HTTP body, OTA write) and UTF-8 text or JSON for the
// control ops. Everything in one batch happens at the batch's time.
//
// Clock: the parent's performance.now() (monotonic), stamped on every answer and every batch.
// XS's clock.now() is the newest stamp it has seen: time as of the event being handled or the
// last call made, the way an event loop on a device sees it; it never goes back.

/** Calls, XS -> parent. */
export const Call = {
  HELLO: 0x49, // 'I'  -> JSON { params, networkUp, http, ota, seed }
  OPEN: 0x4f, // 'O'   ref transport, JSON { scheme, host, port, path }
  WRITE: 0x57, // 'W'  ref transport, bytes -> 0 taken / 1 refused (queue full)
  CLOSE: 0x43, // 'C'  ref transport
  TIMER: 0x54, // 'T'  ref timer, decimal ms: one-shot
  REPEAT: 0x50, // 'P' ref timer, decimal ms: repeating
  CLEAR: 0x58, // 'X'  ref timer
  GET: 0x47, // 'G'    key -> 0 + value / 1 absent
  SET: 0x53, // 'S'    key length u8 | key | value -> 0 written / 1 failed
  DELETE: 0x44, // 'D' key
  LOG: 0x4c, // 'L'    level index u8 (LEVELS) | message
  REBOOT: 0x42, // 'B'
  HTTP_GET: 0x48, // 'H' ref request, URL
  HTTP_ABORT: 0x41, // 'A' ref request
  OTA: 0x55, // 'U'    JSON { op: capacity | begin | complete | abort, size? } -> 0 + JSON result / 2 error
  OTA_WRITE: 0x56, // 'V' bytes -> 0 / 2 error
  POST: 0x4d, // 'M'   JSON: a message from the app to the host (runBridged's onMessage)
} as const;

/** Events, parent -> XS. */
export const Event = {
  OPENED: 0x6f, // 'o' ref transport
  DATA: 0x64, // 'd'   ref transport, bytes
  DRAIN: 0x72, // 'r'  ref transport
  CLOSED: 0x63, // 'c' ref transport, JSON { failure, detail? }
  FIRED: 0x74, // 't'  ref timer
  NETWORK: 0x6e, // 'n' body byte 1 up / 0 down
  RESPONSE: 0x68, // 'h' ref request, JSON { status, length?, headers }
  BODY: 0x62, // 'b'   ref request, bytes
  DONE: 0x65, // 'e'   ref request
  FAILED: 0x78, // 'x' ref request, detail text
  STOP: 0x73, // 's'   the host asks the app to stop
  QUERY: 0x71, // 'q'  JSON from the host; the app's answer is the batch's answer
} as const;

export const Status = { OK: 0, NO: 1, ERROR: 2 } as const;

export const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export const CALL_HEADER = 5;
export const ANSWER_HEADER = 9;
export const BATCH_HEADER = 8;

/** A call or event frame: op | ref | body. */
export function frame(op: number, ref: number, body: Uint8Array | undefined): Uint8Array {
  const n = body ? body.length : 0;
  const out = new Uint8Array(CALL_HEADER + n);
  out[0] = op;
  writeU32(out, 1, ref);
  if (body) out.set(body, CALL_HEADER);
  return out;
}

export function writeU32(b: Uint8Array, pos: number, v: number): void {
  b[pos] = (v >>> 24) & 255;
  b[pos + 1] = (v >>> 16) & 255;
  b[pos + 2] = (v >>> 8) & 255;
  b[pos + 3] = v & 255;
}

export function readU32(b: Uint8Array, pos: number): number {
  return ((b[pos]! << 24) | (b[pos + 1]! << 16) | (b[pos + 2]! << 8) | b[pos + 3]!) >>> 0;
}

export function writeF64(b: Uint8Array, pos: number, v: number): void {
  new DataView(b.buffer, b.byteOffset + pos, 8).setFloat64(0, v);
}

export function readF64(b: Uint8Array, pos: number): number {
  return new DataView(b.buffer, b.byteOffset + pos, 8).getFloat64(0);
}
