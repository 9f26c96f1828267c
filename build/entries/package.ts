// The npm package's main export ("blynk-mqtt-xs"): the portable core, plus the firmware identity
// and info tag helpers. The Node HAL is "blynk-mqtt-xs/node", the emulator "blynk-mqtt-xs/emulator"
// (build/package.config.mjs).
export * from '../../src/index';
export { encodeFirmwareTag, firmwareTag, formatBuildTime } from '../../src/blynk/firmware-tag';
export type { FirmwareTagValues, TaggedFirmware } from '../../src/blynk/firmware-tag';
