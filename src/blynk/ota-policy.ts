// The Blynk.Air rule, all in one place (C-OTA-1/2): which offers to take, and how long a
// download may keep the device off MQTT. A pure policy: ota.ts (the driver) asks and obeys.
// - The image must be for this firmware type and fit the OTA partition (C-OTA-1).
// - While MQTT runs over TLS, an image over plain http:// or from a host outside the redirect
//   allow-list is refused, unless the application allows it (`allowInsecure`, `allowAnyHost`):
//   the digest headers come in the same unauthenticated response as the image, so they prove
//   nothing against whoever is on the path (C-OTA-2).
// - A download has an overall deadline and a minimum rate (C-OTA-2): MQTT is paused while it
//   runs, so a server that trickles bytes just under the stall timeout would otherwise keep the
//   device away from the cloud for months. The deadline is 2 minutes plus the image at the
//   minimum rate (1 KiB/s: a 1.5 MB ESP32 image gets 27 minutes; a bad Wi-Fi link still does
//   tens of KiB/s); and every minute must bring at least a quarter of the minimum rate's bytes,
//   so a trickle is cut after a minute, not after the deadline.

import { BlynkError, ErrorCode, err } from '../errors';
import { hostAllowed } from './redirect-policy';

export interface OtaOffer {
  url: string;
  size: number;
  type?: string;
  ver?: string;
  build?: string;
}

export interface OtaRules {
  /** Allow http:// images while MQTT runs over TLS. Default false. */
  allowInsecure: boolean;
  /** Allow images from hosts outside the redirect allow-list while MQTT runs over TLS. Default false. */
  allowAnyHost: boolean;
  /** Slowest average download accepted, bytes per second. Default 1024. */
  minRate: number;
  /** The rate is checked over windows this long. Default 60 s. */
  rateWindowMs: number;
  /** An overall deadline instead of the one computed from the size (0: computed). */
  deadlineMs: number;
}

export const DEFAULT_OTA_RULES: Readonly<OtaRules> = Object.freeze({ allowInsecure: false, allowAnyHost: false, minRate: 1024, rateWindowMs: 60_000, deadlineMs: 0 });

export interface OtaFacts {
  firmwareType: string;
  capacity: number;
  /** MQTT runs over TLS (mqtts or wss). */
  secure: boolean;
  allowHosts: readonly string[];
}

function urlParts(url: string): { scheme: string; host: string } | undefined {
  // Printable ASCII only, and no backslash: an HTTP client that reads `\\` as `/` would connect to
  // another host than the one checked here.
  if (/[^\x21-\x7e]|\\/.test(url)) return undefined;
  const m = /^([a-z]+):\/\/([^/?#:@\s]+|\[[0-9a-f:.]+\])(:[0-9]{1,5})?([/?#]|$)/i.exec(url);
  return m ? { scheme: m[1]!.toLowerCase(), host: m[2]!.toLowerCase().replace(/^\[|\]$/g, '') } : undefined;
}

/** Parse and check the `downlink/ota/json` payload. */
export function parseOffer(text: string): OtaOffer | BlynkError {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return err(ErrorCode.BAD_PAYLOAD, 'ota/json is not JSON');
  }
  if (typeof j !== 'object' || j === null) return err(ErrorCode.BAD_PAYLOAD, 'ota/json is not an object');
  const o = j as Record<string, unknown>;
  if (typeof o.url !== 'string' || !/^https?:\/\/[^\s/]+/i.test(o.url)) return err(ErrorCode.BAD_PAYLOAD, 'ota/json needs an http(s) url');
  if (typeof o.size !== 'number' || !Number.isInteger(o.size) || o.size <= 0) return err(ErrorCode.BAD_PAYLOAD, 'ota/json needs a positive size');
  const offer: OtaOffer = { url: o.url, size: o.size };
  for (const k of ['type', 'ver', 'build'] as const) if (typeof o[k] === 'string') offer[k] = o[k] as string;
  return offer;
}

/** The URL without its query: the query carries a download token, which stays out of logs. */
export function safeUrl(url: string): string {
  const q = url.search(/[?#]/);
  return q < 0 ? url : url.slice(0, q) + '?…';
}

/** Null if the offer may be downloaded, else why not. */
export function checkOffer(offer: OtaOffer, facts: OtaFacts, rules: OtaRules): BlynkError | null {
  if (offer.type !== undefined && offer.type !== facts.firmwareType) {
    return err(ErrorCode.OTA_REJECTED, `firmware type ${offer.type} is not ours (${facts.firmwareType})`, { type: offer.type });
  }
  if (offer.size > facts.capacity) {
    return err(ErrorCode.OTA_REJECTED, `image of ${offer.size} bytes does not fit the ${facts.capacity}-byte OTA partition`, { size: offer.size, limit: facts.capacity });
  }
  const u = urlParts(offer.url);
  if (!u || (u.scheme !== 'http' && u.scheme !== 'https')) return err(ErrorCode.OTA_REJECTED, 'the image URL is not http(s)');
  if (facts.secure && u.scheme === 'http' && !rules.allowInsecure) {
    return err(ErrorCode.OTA_REJECTED, 'an image over plain http:// while MQTT runs over TLS (set ota.allowInsecure to allow it)');
  }
  if (facts.secure && !rules.allowAnyHost && !hostAllowed(u.host, facts.allowHosts)) {
    return err(ErrorCode.OTA_REJECTED, `image host ${u.host} is not on the allow-list (set ota.allowAnyHost to allow it)`, { host: u.host });
  }
  return null;
}

/** How long a download of `size` bytes may take in all. */
export function downloadDeadlineMs(size: number, rules: OtaRules): number {
  return rules.deadlineMs > 0 ? rules.deadlineMs : 120_000 + Math.ceil((size / rules.minRate) * 1000);
}

/** The fewest bytes one rate window must bring. */
export function windowMinimum(rules: OtaRules): number {
  return Math.floor((rules.minRate * rules.rateWindowMs) / 1000 / 4);
}
