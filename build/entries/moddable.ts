// The device bundle: the portable core plus the HAL on Moddable's modules. The app (manifest.json
// lists this bundle as module "blynk") imports everything it needs from here.
export * from '../../src/index';
export { createModdableHal } from '../../hal/moddable/index';
export type { ModdableHal, ModdableHalOptions } from '../../hal/moddable/index';
export { moddableModules } from '../../hal/moddable/modules';
