// The app's settings, from the manifest's "config" (mcconfig's key=value arguments land there as
// strings). Pure: it gets the config object, so test/moddable runs it under Node.
//
// Read one property at a time: the simulator's config object is frozen in a way that makes
// JSON.stringify(config) throw.

/** The CA certificates blynk.cloud chains to (certs/*.der, listed under "data" in the library manifest, manifest.json). */
// Frozen: in a preloaded module an unfrozen object would be copied into RAM on first use.
export const ROOT_CAS = Object.freeze(['isrg-root-x1.der', 'amazon-root-ca-1.der', 'digicert-global-root-g2.der']);

/** Every config key this app reads (test/moddable checks that examples/thermostat/manifest.json declares them). */
export const CONFIG_KEYS = Object.freeze(['token', 'template', 'server', 'version', 'ca', 'period', 'ssid', 'password']);

const text = (config, key) => {
  const v = config[key];
  return typeof v === 'string' ? v.trim() : '';
};

/**
 * Throws an Error whose message says what to pass to mcconfig when a required setting is
 * missing or malformed. The message never contains the token.
 */
export function readSettings(config) {
  const token = text(config, 'token');
  const template = text(config, 'template');
  const missing = [];
  if (!token) missing.push('token=<device auth token>');
  if (!template) missing.push('template=<template id, e.g. TMPL1234abcd>');
  if (missing.length) throw new Error(`missing settings: add ${missing.join(' ')} to the mcconfig command`);
  const period = Number(text(config, 'period') || '5');
  if (!Number.isInteger(period) || period < 1 || period > 3600) throw new Error('period must be a whole number of seconds from 1 to 3600');
  const ca = text(config, 'ca');
  return {
    token,
    template,
    server: text(config, 'server') || undefined, // undefined: the runtime's default, mqtts://blynk.cloud:8883
    version: text(config, 'version') || '1.0.0',
    // A private CA replaces the public roots (a local emulator, a private server).
    certificates: ca ? [ca] : ROOT_CAS,
    period,
    ssid: text(config, 'ssid') || undefined,
    password: text(config, 'password') || undefined,
  };
}

/** One line for the log. `mask` is the runtime's maskToken: only the last 4 characters show. */
export function summary(s, mask) {
  return `firmware ${s.version}, template ${s.template}, token ${mask(s.token)}, server ${s.server ?? 'default'}, CAs ${s.certificates.join(' ')}, every ${s.period} s`;
}
