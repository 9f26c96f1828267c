// Public surface of the portable core.
export { BlynkDevice } from './blynk/device';
export type { DeviceOptions, DeviceEvents } from './blynk/device';
export { BlynkClient } from './blynk/client';
export type { ClientEvents, RedirectEvent } from './blynk/client';
export type { ConnectionOptions, FirmwareInfo } from './blynk/config';
export { DEFAULT_SERVER } from './blynk/config';
export { asBoolean, asList, asNumber } from './blynk/names';
export type { BatchValue, DatastreamValue, Location, Scalar } from './blynk/names';
export type { TimeInfo } from './blynk/replies';
export type { OtaOffer, OtaProgress, OtaPhase } from './blynk/ota';
export { BlynkError, ErrorCode, isError } from './errors';
export { State } from './session/state';
export type { StateChange } from './session/session';
export type { Counters } from './session/counters';
export { parseEndpoint, formatEndpoint } from './session/endpoint';
export type { Endpoint } from './session/endpoint';
export { maskToken } from './util/secrets';
