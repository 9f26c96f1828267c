// Device configuration: the options an application passes, their defaults (from the contract),
// and validation. Everything wrong with the configuration is found here, before any connection
// attempt, as one CONFIG error.

import type { LogLevel } from '../../hal/interfaces';
import { BlynkError, ErrorCode, err } from '../errors';
import { DEFAULT_BACKOFF, DEFAULT_DUPLICATE, type BackoffOptions, type DuplicateOptions } from '../session/reconnect';
import { formatEndpoint, parseEndpoint, type Endpoint } from '../session/endpoint';
import type { SessionConfig } from '../session/types';
import { formatBuildTime } from './firmware-tag';
import { utf8Encode } from '../util/utf8';
import { DEFAULT_ALLOWED_HOSTS, type RedirectRules } from './redirect-policy';

export const DEFAULT_SERVER = 'mqtts://blynk.cloud:8883';

export interface FirmwareInfo {
  /** Firmware version, e.g. "1.2.0" (info/mcu `ver`). Default "0.0.1". */
  version?: string;
  /** Build time as `Mmm dd yyyy hh:mm:ss` (info/mcu `build`). Default: when the bundle was built. */
  build?: string;
  /** Firmware type Blynk.Air matches OTA packages against (info/mcu `type`). Default: the template id. */
  type?: string;
}

export interface ConnectionOptions {
  /** The device auth token (the MQTT password). Never logged. */
  token: string;
  /** Template id, e.g. "TMPL1234" (info/mcu `tmpl`). */
  templateId: string;
  firmware?: FirmwareInfo;
  /** The default endpoint. Default mqtts://blynk.cloud:8883. */
  server?: string;
  /** MQTT client id: empty (the default) or at most 64 characters. */
  clientId?: string;
  /** Keepalive in seconds. Default 45. */
  keepalive?: number;
  /** Receive buffer capacity in bytes (announced as `rxbuff`). Default 1024. */
  rxbuff?: number;
  /** Largest outgoing packet (variable header + payload). Default 1024. */
  maxPacket?: number;
  connectTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  stableAfterMs?: number;
  /** Wait after the token was refused (CONNACK 4/5). Default 15 minutes. */
  authRetryMs?: number;
  /** Another device on the token (C-DUPLICATE): early closes in a row (3), first wait (5 min), longest wait (30 min). */
  duplicate?: Partial<DuplicateOptions>;
  /** The largest incoming PUBLISH that is drained and dropped; larger is a protocol error. Default 16 KiB (at least rxbuff). */
  drainLimit?: number;
  redirect?: {
    allowDowngrade?: boolean;
    /** Extra allowed hosts (exact, or ".domain"); blynk.cloud, *.blynk.cloud and the server's host are always allowed. */
    allowHosts?: readonly string[];
    /** Consecutive failures of a stored endpoint before falling back to the server. Default 3. */
    fallbackAfter?: number;
    /** Keep followed redirects in flash. Default true. */
    persist?: boolean;
  };
  /** QoS of the `downlink/#` subscription. Default 0, as Blynk's samples; downlink/ping comes at QoS 1 regardless. */
  subscribeQos?: 0 | 1;
  /** Storage key prefix (at most 13 characters). Default "blynk.ep". */
  storageKey?: string;
  logLevel?: LogLevel;
}

/** One object for the whole runtime: the session reads it as its SessionConfig (no copies kept). */
export interface ResolvedConfig extends SessionConfig {
  token: string;
  templateId: string;
  firmware: Required<FirmwareInfo>;
  server: Endpoint;
  clientId: string;
  keepalive: number;
  rxbuff: number;
  maxPacket: number;
  connectTimeoutMs: number;
  backoff: BackoffOptions;
  stableAfterMs: number;
  authRetryMs: number;
  duplicate: DuplicateOptions;
  drainLimit: number;
  closeTimeoutMs: number;
  redirect: RedirectRules;
  subscribeQos: 0 | 1;
  storageKey: string;
  logLevel: LogLevel;
}

/** Replaced with the bundle's build time by the bundler (build/rollup.config.mjs); undefined when not bundled. */
declare const __BLYNK_BUILD_TIME__: string | undefined;

// Taken once, when this module is evaluated, if no bundler wrote it: in a bundle preloaded by
// mcconfig that is when the app was linked; unbundled (tsx, tests) it is when the process loaded it.
const BUILD_TIME = typeof __BLYNK_BUILD_TIME__ === 'string' ? __BLYNK_BUILD_TIME__ : formatBuildTime(new Date());

function bundleBuildTime(): string {
  return BUILD_TIME;
}

/** Count characters (code points) the same way on engines with UTF-16 or code-point strings. */
function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function bad(message: string): BlynkError {
  return err(ErrorCode.CONFIG, message);
}

function int(value: number | undefined, fallback: number, min: number, max: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw bad(`${name} must be an integer from ${min} to ${max}`);
  return v;
}

function text(value: string | undefined, fallback: string, name: string, max = 64): string {
  const v = value ?? fallback;
  if (typeof v !== 'string' || v.length === 0 || codePoints(v) > max || v.indexOf('\u0000') >= 0) {
    throw bad(`${name} must be a non-empty string of at most ${max} characters`);
  }
  return v;
}

/** Validate options and fill in defaults. Throws a CONFIG BlynkError (the application's own call, not a callback). */
export function resolveConfig(o: ConnectionOptions): ResolvedConfig {
  if (typeof o.token !== 'string' || o.token.length === 0 || o.token.length > 256 || /[\s\u0000]/.test(o.token)) {
    throw bad('token must be a non-empty string without spaces');
  }
  const templateId = text(o.templateId, '', 'templateId');
  const clientId = o.clientId ?? '';
  if (typeof clientId !== 'string' || codePoints(clientId) > 64 || clientId.indexOf('\u0000') >= 0) {
    throw bad('clientId must be empty or at most 64 characters (C-CONN-3)');
  }
  const server = parseEndpoint(o.server ?? DEFAULT_SERVER);
  if (server instanceof BlynkError) throw bad(`server: ${server.message}`);
  // The server URI is stored with every redirect record and shown in logs: never the token (C-SECRETS).
  if (formatEndpoint(server).toLowerCase().indexOf(o.token.toLowerCase()) >= 0) throw bad('the server URI must not contain the auth token');
  const maxPacket = int(o.maxPacket, 1024, 64, 268_435_455, 'maxPacket');
  const rxbuff = int(o.rxbuff, 1024, 64, 1 << 20, 'rxbuff');
  // The frozen defaults themselves when nothing is changed: in flash on a device, not a RAM copy.
  const backoff: BackoffOptions = o.backoff ? { ...DEFAULT_BACKOFF, ...o.backoff } : DEFAULT_BACKOFF;
  if (!(backoff.baseMs > 0 && backoff.factor >= 1 && backoff.capMs >= backoff.baseMs)) {
    throw bad('backoff needs baseMs > 0, factor >= 1 and capMs >= baseMs');
  }
  const storageKey = o.storageKey ?? 'blynk.ep';
  if (storageKey.length === 0 || storageKey.length > 13) throw bad('storageKey must be 1 to 13 characters');
  const allowHosts = [...DEFAULT_ALLOWED_HOSTS, server.host, ...(o.redirect?.allowHosts ?? [])];
  const firmware = {
    version: text(o.firmware?.version, '0.0.1', 'firmware.version'),
    build: text(o.firmware?.build, bundleBuildTime(), 'firmware.build'),
    type: text(o.firmware?.type, templateId, 'firmware.type'),
  };
  // info/mcu must fit the outgoing limit, or the device would be online without ever announcing itself (C-SESSION-2).
  const info = JSON.stringify({ tmpl: templateId, ver: firmware.version, build: firmware.build, type: firmware.type, rxbuff });
  if (2 + 8 + utf8Encode(info).length > maxPacket) throw bad(`maxPacket ${maxPacket} is too small for info/mcu (${2 + 8 + utf8Encode(info).length} bytes)`);
  return {
    token: o.token,
    // The MQTT credentials Blynk asks for: user `device`, the token as the password.
    username: 'device',
    password: o.token,
    templateId,
    firmware,
    server,
    clientId,
    keepalive: int(o.keepalive, 45, 1, 65535, 'keepalive'),
    rxbuff,
    maxPacket,
    connectTimeoutMs: int(o.connectTimeoutMs, 10_000, 100, 600_000, 'connectTimeoutMs'),
    backoff,
    stableAfterMs: int(o.stableAfterMs, 60_000, 0, 86_400_000, 'stableAfterMs'),
    authRetryMs: int(o.authRetryMs, 15 * 60_000, 1000, 86_400_000, 'authRetryMs'),
    duplicate: o.duplicate
      ? {
          after: int(o.duplicate.after, DEFAULT_DUPLICATE.after, 2, 100, 'duplicate.after'),
          waitMs: int(o.duplicate.waitMs, DEFAULT_DUPLICATE.waitMs, 1000, 86_400_000, 'duplicate.waitMs'),
          capMs: int(o.duplicate.capMs, Math.max(DEFAULT_DUPLICATE.capMs, o.duplicate.waitMs ?? 0), 1000, 86_400_000, 'duplicate.capMs'),
        }
      : DEFAULT_DUPLICATE,
    // 16 KiB drains in 16 s even at 1 KB/s, well inside the 67.5 s a keepalive allows; a cloud set
    // up for larger messages than this device takes stays connected, and a length beyond it is an attack or a bug.
    drainLimit: int(o.drainLimit, Math.max(16_384, rxbuff), rxbuff, 1 << 24, 'drainLimit'),
    closeTimeoutMs: 5000,
    redirect: {
      allowDowngrade: o.redirect?.allowDowngrade ?? false,
      allowHosts,
      maxInWindow: 3,
      windowMs: 60_000,
      fallbackAfter: int(o.redirect?.fallbackAfter, 3, 1, 1000, 'redirect.fallbackAfter'),
      persist: o.redirect?.persist ?? true,
    },
    subscribeQos: o.subscribeQos === 1 ? 1 : 0,
    storageKey,
    logLevel: o.logLevel ?? 'info',
  };
}

