// Local Blynk.Cloud emulator (aedes on 127.0.0.1) for tests and the CLI.
export { Emulator, startEmulator, type OtaPush, type PauseOptions } from './emulator';
export type { SendOptions, SendResult } from './broker';
export { publishSize } from './broker';
export type { HostedImage, OtaFailure, OtaImageSpec } from './ota-server';
export { DeviceState, dsText, utcJson } from './state';
export { maskToken, describeEvent, showPayload } from './format';
export * from './types';
