// The bundle of bench:ram's parts probe (tools/bench/ram-parts.ts; a tool's bundle, never shipped): the device bundle plus the
// internals it builds, so the probe can make them one at a time and read what each keeps.
export * from './moddable';
export { Emitter } from '../../src/util/emitter';
export { Framer } from '../../src/mqtt/framer';
export { TopicCache } from '../../src/mqtt/topics';
export { Ring } from '../../src/mqtt/ring';
export { PacketWriter } from '../../src/mqtt/writer';
export { encodeConnect } from '../../src/mqtt/encode';
export { Keepalive } from '../../src/session/keepalive';
export { newCounters } from '../../src/session/counters';
export { resolveConfig } from '../../src/blynk/config';
export { Scrubber } from '../../src/util/secrets';
export { Logger } from '../../src/util/log';
export { MqttSession } from '../../src/session/session';
export { Link } from '../../src/session/link';
export { Uplink } from '../../src/blynk/uplink';
export { Requests } from '../../src/blynk/requests';
export { Downlinks } from '../../src/blynk/downlink';
export { RedirectPolicy } from '../../src/blynk/redirect-policy';
export { EndpointStore } from '../../src/blynk/endpoint-store';
