// The configuration config mode hands the device (Wi-Fi, token, host), Edgent's error codes, and
// the checks every field passes before anything is kept (docs/provisioning.md, /config).
// Lengths are byte lengths of the UTF-8 the fields arrived as.

import { BlynkError, ErrorCode, err } from '../errors';
import { parseEndpoint } from '../session/endpoint';
import { utf8Length } from '../util/utf8';

/** Edgent's last_error values (ConfigStore.h, BLYNK_PROV_ERR_*). */
export const ProvisionError = Object.freeze({
  NONE: 0,
  CONFIG: 700,
  NETWORK: 701,
  CLOUD: 702,
  TOKEN: 703,
  INTERNAL: 704,
} as const);
export type ProvisionError = (typeof ProvisionError)[keyof typeof ProvisionError];

export const DEFAULT_HOST = 'blynk.cloud';
export const DEFAULT_PORT = 443;
/** MQTT over TLS on the configured host (the native protocol's port_ssl does not apply). */
export const MQTT_TLS_PORT = 8883;

export const LIMITS = Object.freeze({ ssid: 32, pass: 63, token: 32, host: 255 });

export interface WifiConfig {
  readonly ssid: string;
  readonly pass: string;
}

export interface ProvisionConfig extends WifiConfig {
  readonly token: string;
  /** As given: a bare host name / IPv4 address, or a URI with a scheme. */
  readonly host: string;
  /** port_ssl: validated and kept; not used for MQTT. */
  readonly port: number;
}

/** What one HTTP /config request carries once it has been decoded. */
export type ConfigArgs = ReadonlyMap<string, string>;

export interface AcceptedConfig {
  readonly config: ProvisionConfig;
  /** save=1: valid at once (Edgent's forceSave). */
  readonly save: boolean;
}

function invalid(reason: string): BlynkError {
  return err(ErrorCode.PROVISION_INVALID, `Configuration invalid: ${reason}`);
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

const TOKEN_RE = /^[-_A-Za-z0-9]{32}$/;
const LABEL_RE = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isTokenShape(token: string): boolean {
  return TOKEN_RE.test(token);
}

/** A bare RFC 1123 host name or dotted IPv4 address (a trailing dot allowed). */
export function isHostName(host: string): boolean {
  const h = host.endsWith('.') ? host.slice(0, -1) : host;
  if (h.length === 0 || h.length > 253) return false;
  if (IPV4_RE.test(h)) return true;
  const labels = h.split('.');
  // An all-numeric last label is a malformed address, not a name.
  if (/^\d+$/.test(labels[labels.length - 1]!)) return false;
  for (const l of labels) if (!LABEL_RE.test(l)) return false;
  return true;
}

/** The BlynkDevice `server` option for a configured host (docs/provisioning.md, Host). */
export function serverFor(host: string): string {
  return host.indexOf('://') >= 0 ? host : `mqtts://${host}:${MQTT_TLS_PORT}`;
}

function checkHost(host: string): BlynkError | null {
  if (utf8Length(host) > LIMITS.host) return invalid(`the host is longer than ${LIMITS.host} bytes`);
  if (host.indexOf('://') >= 0) {
    const ep = parseEndpoint(host);
    return ep instanceof BlynkError ? invalid(`the host is not a usable server URI (${ep.message})`) : null;
  }
  return isHostName(host) ? null : invalid('the host is not a host name or IPv4 address');
}

function checkPass(pass: string): BlynkError | null {
  if (hasControl(pass)) return invalid('the password contains control characters');
  const n = utf8Length(pass);
  if (n <= LIMITS.pass) return null;
  return n === 64 && /^[0-9A-Fa-f]{64}$/.test(pass) ? null : invalid(`the password is longer than ${LIMITS.pass} bytes`);
}

/** Check the arguments of a /config request. Nothing is kept when this returns an error. */
export function acceptConfig(args: ConfigArgs): AcceptedConfig | BlynkError {
  const manual = args.get('ssidManual') ?? '';
  const ssid = manual !== '' ? manual : (args.get('ssid') ?? '');
  if (ssid === '') return invalid('the Wi-Fi network (ssid) is missing');
  if (utf8Length(ssid) > LIMITS.ssid) return invalid(`the Wi-Fi network name is longer than ${LIMITS.ssid} bytes`);
  if (hasControl(ssid)) return invalid('the Wi-Fi network name contains control characters');
  const pass = args.get('pass') ?? '';
  const badPass = checkPass(pass);
  if (badPass) return badPass;
  const token = args.get('blynk') ?? '';
  if (token === '') return invalid('the auth token (blynk) is missing');
  if (!isTokenShape(token)) return invalid('the auth token must be 32 characters of A-Z a-z 0-9 - _');
  const host = (args.get('host') ?? '').trim() || DEFAULT_HOST;
  const badHost = checkHost(host);
  if (badHost) return badHost;
  const portText = (args.get('port_ssl') ?? '').trim();
  let port = DEFAULT_PORT;
  if (portText !== '') {
    if (!/^\d{1,5}$/.test(portText) || +portText < 1 || +portText > 65535) return invalid('port_ssl must be a number from 1 to 65535');
    port = +portText;
  }
  const saveText = args.get('save') ?? '';
  return { config: Object.freeze({ ssid, pass, token, host, port }), save: /^0*[1-9]\d{0,8}$/.test(saveText) };
}

/** A record from flash passes the same checks as a request (flash may be old or foreign). */
export function recheck(c: ProvisionConfig): ProvisionConfig | undefined {
  const a = acceptConfig(new Map([['ssid', c.ssid], ['pass', c.pass], ['blynk', c.token], ['host', c.host], ['port_ssl', String(c.port)]]));
  return a instanceof BlynkError ? undefined : a.config;
}
