// The payloads of replies the cloud sends on request: time and location.

import { BlynkError, ErrorCode, err } from '../errors';
import type { Location } from './names';

/** `downlink/utc/all/json`, as the cloud sends it (offsets in minutes, time in ms). */
export interface TimeInfo {
  tz_name: string;
  tz_rule: string;
  /** Minutes east of UTC. */
  tz_offset: number;
  /** Minutes of daylight saving in effect. */
  dst_offset: number;
  /** UTC, milliseconds since the epoch. */
  time: number;
  /** Local time with its offset. */
  iso8601: string;
}

export function parseTime(text: string): TimeInfo | BlynkError {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return err(ErrorCode.BAD_PAYLOAD, 'utc/all/json is not JSON');
  }
  const o = (typeof j === 'object' && j !== null ? j : {}) as Record<string, unknown>;
  if (typeof o.time !== 'number' || !Number.isFinite(o.time)) return err(ErrorCode.BAD_PAYLOAD, 'utc/all/json has no time');
  return {
    tz_name: typeof o.tz_name === 'string' ? o.tz_name : 'UTC',
    tz_rule: typeof o.tz_rule === 'string' ? o.tz_rule : '',
    tz_offset: typeof o.tz_offset === 'number' ? o.tz_offset : 0,
    dst_offset: typeof o.dst_offset === 'number' ? o.dst_offset : 0,
    time: o.time,
    iso8601: typeof o.iso8601 === 'string' ? o.iso8601 : '',
  };
}

/** `downlink/loc/all` is `lat,lon` (the opposite order of batch_ds's [lon, lat]). */
export function parseLocation(text: string): Location | BlynkError {
  const parts = text.split(',');
  const lat = Number(parts[0]);
  const lon = Number(parts[1]);
  if (parts.length !== 2 || parts[0]!.trim() === '' || parts[1]!.trim() === '' || !Number.isFinite(lat) || !Number.isFinite(lon)) {
    return err(ErrorCode.BAD_PAYLOAD, `loc/all is not "lat,lon"`);
  }
  return { lat, lon };
}
