// The core plus the bridged HAL (hal/xs): the runtime inside xsnap, with sockets, timers and
// flash served by the Node parent (tools/xs/bridge.ts). Apps run with runBridged() import it as
// './blynk-xs-bridge.mjs'. Plain ES exports only (see xs-mock.ts).
export * from '../../src/index';
export { utf8Decode, utf8Encode } from '../../src/util/utf8';
export { createBridgeHal } from '../../hal/xs/index';
