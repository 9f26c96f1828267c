// The device bundle: the portable core plus the HAL on Moddable's modules. The app (manifest.json
// lists this bundle as module "blynk") imports everything it needs from here.
export * from '../../src/index';
export { createModdableHal } from '../../hal/moddable/index';
export type { ModdableHal, ModdableHalOptions } from '../../hal/moddable/index';
export { moddableModules } from '../../hal/moddable/modules';
// The firmware's identity and Blynk.Air info tag (blynk/firmware, build/moddable/firmware.js, makes
// one at link time from mcconfig's settings).
export { encodeFirmwareTag, firmwareTag, formatBuildTime } from '../../src/blynk/firmware-tag';
export type { FirmwareTagValues, TaggedFirmware } from '../../src/blynk/firmware-tag';
