// Public surface of the portable core.
export { BlynkError, ErrorCode, isError } from './errors';
export * from './mqtt/packets';
export * from './mqtt/encode';
export * from './mqtt/decode';
export { Ring } from './mqtt/ring';
export * from './mqtt/framer';
