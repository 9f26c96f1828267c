// What the emulated cloud remembers per token, and how it reacts to each uplink topic
// (reference blynk-mqtt.md sections 3 and 4). Pure: no sockets here.
import type { DeviceSeed, DsValue, EventRecord, DownlinkRecord, TimezoneSpec, UplinkKind, UplinkRecord } from './types';

export interface ReplyContext {
  now(): number;
  timezone: TimezoneSpec;
  location: { lat: number; lon: number };
}

export interface Reply {
  topic: string;
  payload: string;
}

/** Text as the wire carries it: arrays NUL-separated (C-API write). */
export function dsText(v: DsValue | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(String).join('\0');
  return String(v);
}

export class DeviceState {
  /** Accepted at CONNECT (configured or added with addToken). */
  known = false;
  infoMcu?: { raw: string; json?: Record<string, unknown>; error?: string; at: number };
  /** Current values as text (multi-value items NUL-separated). */
  readonly datastreams = new Map<string, string>();
  /** name -> property -> value. */
  readonly properties = new Map<string, Map<string, string>>();
  readonly meta = new Map<string, string>();
  readonly events: EventRecord[] = [];
  /** ds/<name>/timestamped_batch points, as parsed. */
  readonly timestamped = new Map<string, Array<[number, unknown]>>();
  /** The last batch_ds object as parsed. */
  lastBatch?: Record<string, unknown>;
  /** Every uplink in order, exact bytes. */
  readonly uplinks: UplinkRecord[] = [];
  /** Every downlink as written to the wire. */
  readonly downlinks: DownlinkRecord[] = [];
  authFailures = 0;
  readonly authFailureTimes: number[] = [];
  pingsAcked = 0;
  /** Highest number of this token's connections open at once (1 for a well-behaved device). */
  maxConcurrent = 0;
  readonly oversize: Array<{ at: number; connId: number; topic: string; size: number; limit: number }> = [];

  constructor(readonly token: string) {}

  seed(seed: DeviceSeed): void {
    for (const [k, v] of Object.entries(seed.datastreams ?? {})) this.datastreams.set(k, dsText(v));
    for (const [k, v] of Object.entries(seed.meta ?? {})) this.meta.set(k, v);
  }

  /** Value split at NUL (multi-value datastreams). */
  dsValues(name: string): string[] | undefined {
    return this.datastreams.get(name)?.split('\0');
  }

  uplinksTo(topic: string): UplinkRecord[] {
    return this.uplinks.filter((u) => u.topic === topic);
  }
}

function two(n: number): string {
  return String(Math.trunc(Math.abs(n))).padStart(2, '0');
}

/** `downlink/utc/all/json` body: offsets in minutes, time in ms, iso8601 in local time with offset. */
export function utcJson(ctx: ReplyContext): string {
  const time = ctx.now();
  const tz = ctx.timezone;
  const total = tz.offset + tz.dstOffset;
  const local = new Date(time + total * 60_000).toISOString().slice(0, 19);
  const sign = total < 0 ? '-' : '+';
  const iso8601 = `${local}${sign}${two(total / 60)}:${two(total % 60)}`;
  return JSON.stringify({ tz_name: tz.name, tz_rule: tz.rule, tz_offset: tz.offset, dst_offset: tz.dstOffset, time, iso8601 });
}

function parseJson(text: string): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Batch values as text: strings as-is, numbers/booleans via String(), arrays NUL-joined, objects as JSON. */
function batchText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\0');
  if (isObject(v)) return JSON.stringify(v);
  return String(v);
}

/** Update `st` for one uplink; returns its kind and the downlinks the cloud answers with. */
export function applyUplink(st: DeviceState, topic: string, payload: Buffer, ctx: ReplyContext): { kind: UplinkKind; replies: Reply[] } {
  const text = payload.toString('utf8');
  const parts = topic.split('/');
  const replies: Reply[] = [];
  const [head, a, b, c, d] = parts;
  const n = parts.length;

  if (topic === 'info/mcu') {
    const { value, error } = parseJson(text);
    st.infoMcu = { raw: text, at: Date.now(), ...(isObject(value) ? { json: value } : { error: error ?? 'not a JSON object' }) };
    return { kind: 'info-mcu', replies };
  }
  if (topic === 'batch_ds') {
    const { value } = parseJson(text);
    if (!isObject(value)) return { kind: 'unknown', replies };
    st.lastBatch = value;
    for (const [k, v] of Object.entries(value)) st.datastreams.set(k, batchText(v));
    return { kind: 'batch-ds', replies };
  }
  if (head === 'ds' && a) {
    if (n === 2) {
      st.datastreams.set(a, text);
      return { kind: 'ds', replies };
    }
    if (n === 3 && b === 'erase') {
      st.datastreams.delete(a);
      return { kind: 'ds-erase', replies };
    }
    if (n === 3 && b === 'timestamped_batch') {
      const { value } = parseJson(text);
      if (!Array.isArray(value)) return { kind: 'unknown', replies };
      const points = value.filter((p): p is [number, unknown] => Array.isArray(p) && typeof p[0] === 'number');
      st.timestamped.set(a, [...(st.timestamped.get(a) ?? []), ...points]);
      const last = points.at(-1);
      if (last) st.datastreams.set(a, batchText(last[1]));
      return { kind: 'timestamped-batch', replies };
    }
    if (b === 'prop' && c && (n === 4 || (n === 5 && d === 'erase'))) {
      const props = st.properties.get(a) ?? new Map<string, string>();
      st.properties.set(a, props);
      if (n === 4) props.set(c, text);
      else props.delete(c);
      return { kind: n === 4 ? 'prop' : 'prop-erase', replies };
    }
    return { kind: 'unknown', replies };
  }
  if (head === 'event' && a && n === 2) {
    st.events.push({ at: Date.now(), code: a, description: text });
    return { kind: 'event', replies };
  }
  if (head === 'meta' && a && n === 2) {
    st.meta.set(a, text);
    return { kind: 'meta', replies };
  }
  if (topic === 'get/ds') {
    for (const name of text.split(',')) {
      const v = st.datastreams.get(name);
      if (v !== undefined) replies.push({ topic: `downlink/ds/${name}`, payload: v });
    }
    return { kind: 'get-ds', replies };
  }
  if (topic === 'get/ds/all') {
    for (const [name, v] of st.datastreams) replies.push({ topic: `downlink/ds/${name}`, payload: v });
    return { kind: 'get-ds-all', replies };
  }
  if (topic === 'get/meta') {
    for (const name of text.split(',')) {
      const v = st.meta.get(name);
      if (v !== undefined) replies.push({ topic: `downlink/meta/${name}`, payload: v });
    }
    return { kind: 'get-meta', replies };
  }
  if (topic === 'get/utc/all/json') {
    replies.push({ topic: 'downlink/utc/all/json', payload: utcJson(ctx) });
    return { kind: 'get-utc', replies };
  }
  if (topic === 'get/loc/all') {
    replies.push({ topic: 'downlink/loc/all', payload: `${ctx.location.lat},${ctx.location.lon}` });
    return { kind: 'get-loc', replies };
  }
  return { kind: 'unknown', replies };
}
