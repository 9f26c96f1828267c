// Module "blynk/firmware" (manifest.json): this firmware's identity and its Blynk.Air info tag.
// Preloaded, so this body runs once, on the build machine, when mcconfig links the app: the build
// time is the link time, and the tag's ArrayBuffer is frozen into the image as one run of bytes
// ("blnkinf\0mcu\0<version>\0fw-type\0<type>\0build\0<time>\0\0"), where Blynk.Air finds it.
//
// The values come from mcconfig's settings: `version` (default 0.0.1, the runtime's default) and
// `template` (the firmware type, unless `firmwareType` is given). The app passes the default
// export as `firmware` to BlynkDevice, so info/mcu sends exactly what the tag says:
//   import firmware from 'blynk/firmware';
//   new BlynkDevice({ hal, token, templateId: config.template, firmware });
import config from 'mc/config';
import { firmwareTag } from 'blynk';

// One property at a time: the simulator's config object does not survive JSON.stringify.
const text = (key) => (typeof config[key] === 'string' ? config[key].trim() : '');

const version = text('version') || '0.0.1';
const type = text('firmwareType') || text('template');
if (!type) {
  // A tag without a type would never match a Blynk.Air shipment: stop the build and say why.
  throw new Error('blynk/firmware: add template=<template id, e.g. TMPL1234abcd> to the mcconfig command (or "template" to the app manifest\'s "config")');
}

export default firmwareTag({ version, type });
