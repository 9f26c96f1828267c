// Config mode's HTTP API: what the Blynk app expects from Edgent (board_info.json,
// wifi_scan.json, config, reset, reboot) and the page for a browser. Pure: a request in, one
// response out through `respond`; what the requests do goes through `ConfigModeActions`.
// Exact paths, fields and texts: docs/provisioning.md.

import type { HttpServerRequest, HttpServerResponse, WifiControl, WifiNetworkInfo } from '../../hal/interfaces';
import type { FirmwareInfo } from '../blynk/config';
import { BlynkError } from '../errors';
import { utf8Encode } from '../util/utf8';
import { acceptConfig, type AcceptedConfig } from './config';
import { parseForm, splitTarget } from './query';

export const MAX_SCAN_RESULTS = 15;

export interface BoardInfo {
  board: string;
  tmpl_id: string;
  fw_type: string;
  fw_ver: string;
  ssid: string;
  bssid: string;
  mac: string;
  last_error: number;
  wifi_scan: boolean;
  static_ip: boolean;
}

/** board_info.json (Edgent ConfigMode.h); static_ip is false: the static IP fields are not taken. */
export function boardInfo(o: { templateId: string; templateName: string; firmware?: FirmwareInfo }, apName: string, wifi: WifiControl | undefined, lastError: number): BoardInfo {
  const fw = o.firmware ?? {};
  return {
    board: o.templateName, tmpl_id: o.templateId, fw_type: fw.type ?? o.templateId, fw_ver: fw.version ?? '0.0.1',
    ssid: apName, bssid: wifi?.apMac ?? '', mac: wifi?.mac ?? '', last_error: lastError, wifi_scan: true, static_ip: false,
  };
}

export type ApplyResult = 'ok' | 'busy' | BlynkError;

export interface ConfigModeActions {
  /** The app's first request: board info (and the device is now "configuring"). */
  boardInfo(): BoardInfo;
  /** The networks around, in any order; `done` once. */
  scan(done: (networks: readonly WifiNetworkInfo[]) => void): void;
  /** Take a checked configuration; 'busy' while an earlier one is being applied. */
  apply(accepted: AcceptedConfig): ApplyResult;
  /** Forget the configuration; false if flash could not be written. */
  reset(): boolean;
  /** Reboot after the answer went out. */
  reboot(): void;
  /** The web page (src/provision/page.ts). */
  readonly page: Uint8Array;
}

export function jsonResponse(status: number, value: unknown): HttpServerResponse {
  return { status, contentType: 'application/json', body: utf8Encode(JSON.stringify(value)) };
}

function message(status: number, state: 'ok' | 'error', msg: string): HttpServerResponse {
  return jsonResponse(status, { status: state, msg });
}

/** Strongest first, named ones only, at most 15 (Edgent's sort and cut). */
export function scanResult(networks: readonly WifiNetworkInfo[]): { ssid: string; bssid: string; rssi: number; sec: string; ch: number }[] {
  return networks
    .filter((n) => typeof n.ssid === 'string' && n.ssid !== '')
    .slice()
    .sort((a, b) => b.rssi - a.rssi)
    .slice(0, MAX_SCAN_RESULTS)
    .map((n) => ({ ssid: n.ssid, bssid: n.bssid, rssi: n.rssi | 0, sec: n.security, ch: n.channel | 0 }));
}

const SIDE_EFFECTS: readonly string[] = ['/config', '/reset', '/reboot'];

/** Arguments of a request: the query, and for POST the urlencoded body too (Edgent's server.arg sees both). */
function requestArgs(req: HttpServerRequest, query: string): Map<string, string> | HttpServerResponse {
  const fromQuery = parseForm(query);
  if (fromQuery instanceof BlynkError) return message(400, 'error', fromQuery.message);
  if (req.method !== 'POST' || req.body.length === 0) return fromQuery;
  if (req.contentType !== 'application/x-www-form-urlencoded') return message(415, 'error', 'the body must be application/x-www-form-urlencoded');
  let text = '';
  for (let i = 0; i < req.body.length; i++) {
    const c = req.body[i]!;
    // The urlencoded form is ASCII; anything else would be decoded wrongly, so refuse it here.
    if (c < 0x20 || c > 0x7e) return message(400, 'error', 'a raw character that must be percent-encoded in the body');
    text += String.fromCharCode(c);
  }
  const fromBody = parseForm(text.trim());
  if (fromBody instanceof BlynkError) return message(400, 'error', fromBody.message);
  for (const [k, v] of fromBody) {
    if (fromQuery.has(k)) return message(400, 'error', `the argument '${k.slice(0, 16)}' is given twice`);
    fromQuery.set(k, v);
  }
  return fromQuery;
}

/** Handle one request; `respond` is called exactly once (maybe later, for a scan). Never throws. */
export function handleRequest(actions: ConfigModeActions, req: HttpServerRequest, respond: (r: HttpServerResponse) => void): void {
  let answered = false;
  const once = (r: HttpServerResponse) => {
    if (answered) return;
    answered = true;
    respond(r);
  };
  try {
    route(actions, req, once);
  } catch (e) {
    once(message(500, 'error', 'internal error'));
  }
}

function route(actions: ConfigModeActions, req: HttpServerRequest, respond: (r: HttpServerResponse) => void): void {
  const t = splitTarget(req.target);
  if (t instanceof BlynkError) return respond(message(400, 'error', t.message));
  const { path, query } = t;
  const post = req.method === 'POST';
  if (path === '/update') return respond(message(501, 'error', 'Firmware upload is not supported here; use Blynk.Air'));
  if (req.method !== 'GET' && !(post && SIDE_EFFECTS.indexOf(path) >= 0)) {
    const known = path === '/' || path === '/board_info.json' || path === '/wifi_scan.json' || SIDE_EFFECTS.indexOf(path) >= 0;
    return respond(known ? message(405, 'error', `method ${req.method.slice(0, 16)} not allowed here`) : message(404, 'error', 'Not found'));
  }
  switch (path) {
    case '/':
    case '/index.html':
      return respond({ status: 200, contentType: 'text/html; charset=utf-8', body: actions.page });
    case '/board_info.json':
      return respond(jsonResponse(200, actions.boardInfo()));
    case '/wifi_scan.json':
      return actions.scan((nets) => respond(jsonResponse(200, scanResult(nets))));
    case '/config': {
      const args = requestArgs(req, query);
      if (!(args instanceof Map)) return respond(args);
      const accepted = acceptConfig(args);
      // Edgent answers an invalid config with 500 and this JSON; the reason is appended.
      if (accepted instanceof BlynkError) return respond(message(500, 'error', accepted.message));
      const r = actions.apply(accepted);
      if (r === 'busy') return respond(message(409, 'error', 'A configuration is already being applied'));
      if (r instanceof BlynkError) return respond(message(500, 'error', r.message));
      return respond(message(200, 'ok', accepted.save ? 'Configuration saved' : 'Trying to connect...'));
    }
    case '/reset':
      return respond(actions.reset() ? message(200, 'ok', 'Configuration reset') : message(500, 'error', 'Could not write the flash'));
    case '/reboot':
      respond(message(200, 'ok', 'Rebooting'));
      return actions.reboot();
    default:
      return respond(message(404, 'error', 'Not found'));
  }
}

/** The path of a request target, cut short, for log lines (never the query: it holds the token). */
export function pathOf(target: string): string {
  const q = String(target).indexOf('?');
  return (q < 0 ? String(target) : String(target).slice(0, q)).slice(0, 64);
}
