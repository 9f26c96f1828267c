// For the XS test tier: the portable core (device API, client, codec) and the deterministic
// mock HAL, in one bundle that runs inside xsnap. Scenario and benchmark bundles import it as
// './blynk-xs-mock.mjs' (see tools/xs/build.ts), so they exercise this very file.
// Value exports only (no `export type`): the file stays valid JavaScript, whichever transform
// a build runs on it; types come from the sources.
export * from '../../src/index';
export { TOPIC_REDIRECT } from '../../src/blynk/client';
export { encodePublish, encodeConnect } from '../../src/mqtt/encode';
export { encodeSubscribe } from '../../src/mqtt/encode-subscribe';
export { Framer, FRAME_NEED_MORE, FRAME_PACKET } from '../../src/mqtt/framer';
export { utf8Decode, utf8Encode, utf8Length } from '../../src/util/utf8';
export * from '../../hal/mock/index';
// The pure policies, for the policy cases that run in jest and inside XS (test/support/policy-cases.ts).
export { ReconnectPolicy, DEFAULT_BACKOFF, DEFAULT_DUPLICATE } from '../../src/session/reconnect';
export { RedirectPolicy, DEFAULT_ALLOWED_HOSTS } from '../../src/blynk/redirect-policy';
export { checkOffer, downloadDeadlineMs, windowMinimum, DEFAULT_OTA_RULES } from '../../src/blynk/ota-policy';
export { err } from '../../src/errors';
