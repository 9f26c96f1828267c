// For the XS test tier: the portable core (device API, client, codec) and the deterministic
// mock HAL, in one bundle that runs inside xsnap. Scenario and benchmark bundles import it as
// './blynk-xs-mock.mjs' (see tools/xs/build.ts), so they exercise this very file.
// Value exports only (no `export type`): the file stays valid JavaScript, whichever transform
// a build runs on it; types come from the sources.
export * from '../../src/index';
export { TOPIC_REDIRECT } from '../../src/blynk/client';
export { encodePublish, encodeConnect, encodeSubscribe } from '../../src/mqtt/encode';
export { Framer, FRAME_NEED_MORE, FRAME_PACKET } from '../../src/mqtt/framer';
export { utf8Decode, utf8Encode, utf8Length } from '../../src/util/utf8';
export * from '../../hal/mock/index';
