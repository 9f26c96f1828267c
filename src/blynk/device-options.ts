// The device layer's options (DeviceOptions beyond the connection): offline mode, rate limit,
// request timeout, Blynk.Air. Checked here like the connection options in config.ts: a wrong
// type or a value out of range is one CONFIG error before anything starts (C-APP-3), and an
// option given as `undefined` keeps its default.

import { BlynkError, ErrorCode, err } from '../errors';
import type { OtaOptions } from './ota';
import { DEFAULT_OTA_RULES } from './ota-policy';
import { DEFAULT_RATE, type RateOptions } from './rate';

export interface DeviceExtras {
  offline?: 'refuse' | 'keep-latest';
  maxDatastreams?: number;
  rate?: Partial<RateOptions> | false;
  requestTimeoutMs?: number;
  ota?: Partial<OtaOptions> | false;
}

export interface ResolvedExtras {
  /** How many datastreams keep-latest remembers; undefined: offline writes are refused. */
  keepLatest: number | undefined;
  rate: RateOptions | undefined;
  requestTimeoutMs: number;
  ota: OtaOptions | undefined;
}

export const DEFAULT_OTA: Readonly<OtaOptions> = Object.freeze({ disconnect: true, stallTimeoutMs: 30_000, rebootDelayMs: 500, decisionTimeoutMs: 30_000, ...DEFAULT_OTA_RULES });

function bad(message: string): BlynkError {
  return err(ErrorCode.CONFIG, message);
}

function num(v: unknown, fallback: number, min: number, max: number, name: string, integer = true): number {
  const x = v === undefined ? fallback : v;
  if (typeof x !== 'number' || !Number.isFinite(x) || x < min || x > max || (integer && !Number.isInteger(x))) {
    throw bad(`${name} must be a${integer ? 'n integer' : ' number'} from ${min} to ${max}`);
  }
  return x;
}

function flag(v: unknown, fallback: boolean, name: string): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw bad(`${name} must be true or false`);
  return v;
}

function object(v: unknown, name: string): Record<string, unknown> {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`${name} must be an object${name === 'ota' || name === 'rate' ? ' or false' : ''}`);
  return v as Record<string, unknown>;
}

/** Throws a CONFIG BlynkError (the application's own call, at construction). */
export function resolveExtras(o: DeviceExtras): ResolvedExtras {
  if (o.offline !== undefined && o.offline !== 'refuse' && o.offline !== 'keep-latest') throw bad("offline must be 'refuse' or 'keep-latest'");
  const keepLatest = o.offline === 'keep-latest' ? num(o.maxDatastreams, 64, 1, 10_000, 'maxDatastreams') : undefined;
  let rate: RateOptions | undefined;
  if (o.rate !== false) {
    const r = object(o.rate, 'rate');
    rate = { perSecond: num(r.perSecond, DEFAULT_RATE.perSecond, 0.001, 10_000, 'rate.perSecond', false), burst: num(r.burst, DEFAULT_RATE.burst, 1, 10_000, 'rate.burst') };
  }
  const requestTimeoutMs = num(o.requestTimeoutMs, 10_000, 1, 3_600_000, 'requestTimeoutMs');
  let ota: OtaOptions | undefined;
  if (o.ota !== false) {
    const a = object(o.ota, 'ota');
    const d = DEFAULT_OTA;
    ota = {
      disconnect: flag(a.disconnect, d.disconnect, 'ota.disconnect'),
      stallTimeoutMs: num(a.stallTimeoutMs, d.stallTimeoutMs, 100, 3_600_000, 'ota.stallTimeoutMs'),
      rebootDelayMs: num(a.rebootDelayMs, d.rebootDelayMs, 0, 60_000, 'ota.rebootDelayMs'),
      decisionTimeoutMs: num(a.decisionTimeoutMs, d.decisionTimeoutMs, 1, 3_600_000, 'ota.decisionTimeoutMs'),
      allowInsecure: flag(a.allowInsecure, d.allowInsecure, 'ota.allowInsecure'),
      allowAnyHost: flag(a.allowAnyHost, d.allowAnyHost, 'ota.allowAnyHost'),
      minRate: num(a.minRate, d.minRate, 1, 1 << 30, 'ota.minRate', false),
      rateWindowMs: num(a.rateWindowMs, d.rateWindowMs, 1000, 3_600_000, 'ota.rateWindowMs'),
      deadlineMs: num(a.deadlineMs, d.deadlineMs, 0, 86_400_000, 'ota.deadlineMs'),
    };
  }
  return { keepLatest, rate, requestTimeoutMs, ota };
}
