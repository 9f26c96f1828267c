// The access point's name, as Edgent makes it (ConfigMode.h getWiFiName): vendor prefix,
// template name, and 4 characters derived from the chip's MAC so that two boards on one desk
// differ: "Blynk Thermostat-4Y1H".

import { crc32 } from '../util/crc32';

const ALPHABET = '0W8N4Y1HP5DF9K6JM3C2UA7R';

/** Base 24, least significant digit first; a digit equal to the one before is replaced by the next one. */
export function uniquePart(n: number, len = 4): string {
  let out = '';
  let prev = '';
  let v = n >>> 0;
  for (let i = 0; i < len; i++) {
    let c = ALPHABET[v % ALPHABET.length]!;
    if (c === prev) c = ALPHABET[(v + 1) % ALPHABET.length]!;
    out += c;
    prev = c;
    v = Math.floor(v / ALPHABET.length);
  }
  return out;
}

/** Bytes of "aa:bb:cc:dd:ee:ff"; zeros for anything else. */
export function macBytes(mac: string): Uint8Array {
  const out = new Uint8Array(6);
  const parts = mac.split(/[:-]/);
  if (parts.length !== 6) return out;
  for (let i = 0; i < 6; i++) {
    const v = parseInt(parts[i]!, 16);
    out[i] = /^[0-9a-fA-F]{1,2}$/.test(parts[i]!) ? v : 0;
  }
  return out;
}

/**
 * `<prefix> <template name>-<4 chars>`, the name cut so that the whole fits the 31 characters
 * Edgent allows. The chip id Edgent hashes is the 64-bit eFuse MAC: the 6 MAC bytes, then 2 zeros.
 */
export function accessPointName(templateName: string, mac: string, prefix = 'Blynk'): string {
  const id = new Uint8Array(8);
  id.set(macBytes(mac), 0);
  let unique = 0;
  for (let i = 0; i < 4; i++) unique = crc32(id, 0, 8, unique);
  const room = Math.max(0, 31 - 6 - prefix.length);
  const name = Array.from(templateName).slice(0, room).join('');
  return `${prefix} ${name}-${uniquePart(unique)}`;
}
