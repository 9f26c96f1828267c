// The two XS extensions the SDK's MQTT client calls that xsnap lacks (the device has them
// natively): String.fromArrayBuffer and ArrayBuffer.fromString, here on xsnap's native
// TextDecoder/TextEncoder (one native call and one string or buffer each, as on the device),
// and `trace`. Installed only where absent.
const S = String as unknown as { fromArrayBuffer?: (b: ArrayBuffer) => string };
const A = ArrayBuffer as unknown as { fromString?: (s: string) => ArrayBuffer };
const g = globalThis as unknown as { trace?: (...a: unknown[]) => void };

if (typeof S.fromArrayBuffer !== 'function') {
  const dec = new TextDecoder();
  S.fromArrayBuffer = (b) => dec.decode(b);
}
if (typeof A.fromString !== 'function') {
  const enc = new TextEncoder();
  A.fromString = (s) => enc.encode(s).buffer as ArrayBuffer;
}
if (typeof g.trace !== 'function') g.trace = () => undefined;
