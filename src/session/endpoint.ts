// Endpoint URIs (C-CONN-1): mqtt://host:port (TCP), mqtts:// (TLS), ws:// and wss:// with a
// path (MQTT over WebSocket). Legacy aliases tcp = mqtt, tls = mqtts. Missing ports default to
// 1883, 8883, 80 and 443; a missing WebSocket path defaults to /mqtt.

import { BlynkError, ErrorCode, err } from '../errors';
import type { Scheme, TransportTarget } from '../../hal/interfaces';

export interface Endpoint extends TransportTarget {}

export const DEFAULT_PORTS: Readonly<Record<Scheme, number>> = Object.freeze({ mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 });
export const DEFAULT_WS_PATH = '/mqtt';

const SCHEMES: Readonly<Record<string, Scheme>> = Object.freeze({
  mqtt: 'mqtt',
  tcp: 'mqtt',
  mqtts: 'mqtts',
  tls: 'mqtts',
  ssl: 'mqtts',
  ws: 'ws',
  wss: 'wss',
});

/** True for transports that run over TLS. */
export function isSecure(scheme: Scheme): boolean {
  return scheme === 'mqtts' || scheme === 'wss';
}

function invalid(why: string): BlynkError {
  return err(ErrorCode.REDIRECT_INVALID, `invalid endpoint URI: ${why}`);
}

// Letters, digits, '-' and '.', as DNS names and IPv4 literals need; IPv6 literals come in brackets.
function isHostName(h: string): boolean {
  if (h.length === 0 || h.length > 253) return false;
  for (let i = 0; i < h.length; i++) {
    const c = h.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2e;
    if (!ok) return false;
  }
  return h.charCodeAt(0) !== 0x2e && h.charCodeAt(h.length - 1) !== 0x2e && h.indexOf('..') < 0;
}

function isIPv6(h: string): boolean {
  if (h.length < 2 || h.length > 45) return false;
  for (let i = 0; i < h.length; i++) {
    const c = h.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) || c === 0x3a || c === 0x2e;
    if (!ok) return false;
  }
  return h.indexOf(':') >= 0;
}

/**
 * Parse an endpoint URI. Validation (C-REDIRECT-1): known scheme, non-empty host, port 1..65535.
 * Credentials in the URI are refused (they would end up in logs), and so are paths on plain
 * MQTT transports, which could not carry them.
 */
export function parseEndpoint(uri: string): Endpoint | BlynkError {
  if (typeof uri !== 'string') return invalid('not a string');
  const s = uri.trim();
  // C-REDIRECT-8: no control or non-ASCII characters (a NUL or a control character would be stored
  // verbatim and reach logs and the HAL's socket calls).
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f) return invalid('control or non-ASCII characters');
  }
  const sep = s.indexOf('://');
  if (sep <= 0) return invalid('no scheme');
  const scheme = SCHEMES[s.slice(0, sep).toLowerCase()];
  if (!scheme) return invalid('unknown scheme');
  let rest = s.slice(sep + 3);
  let path = '';
  const slash = rest.search(/[/?#]/);
  if (slash >= 0) {
    path = rest.slice(slash);
    rest = rest.slice(0, slash);
  }
  if (rest.indexOf('@') >= 0) return invalid('credentials are not allowed in the URI');
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return invalid('unclosed IPv6 literal');
    host = rest.slice(1, close);
    if (!isIPv6(host)) return invalid('bad IPv6 literal');
    const after = rest.slice(close + 1);
    if (after.length > 0) {
      if (!after.startsWith(':')) return invalid('junk after the host');
      portText = after.slice(1);
    }
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      host = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
    } else {
      host = rest;
    }
    // A trailing dot names the same host (the DNS root): normalized away, so that
    // fra1.blynk.cloud. is not a new endpoint (C-REDIRECT-8).
    if (host.length > 1 && host.charCodeAt(host.length - 1) === 0x2e) host = host.slice(0, -1);
    if (!isHostName(host)) return invalid(host.length === 0 ? 'empty host' : 'bad host name');
  }
  let port = DEFAULT_PORTS[scheme];
  if (portText !== undefined) {
    if (!/^[0-9]{1,5}$/.test(portText)) return invalid('bad port');
    port = Number(portText);
    if (port < 1 || port > 65535) return invalid('port out of range');
  }
  if (scheme === 'ws' || scheme === 'wss') {
    if (path.length === 0) path = DEFAULT_WS_PATH;
    if (!path.startsWith('/')) path = '/' + path;
    if (!/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%?]*$/.test(path)) return invalid('bad path');
  } else {
    if (path.length > 0 && path !== '/') return invalid('a path needs a WebSocket scheme');
    path = '';
  }
  return { scheme, host: host.toLowerCase(), port, path };
}

/** The canonical URI of an endpoint (what is stored in flash and shown in logs). */
export function formatEndpoint(e: Endpoint): string {
  const host = e.host.indexOf(':') >= 0 ? `[${e.host}]` : e.host;
  return `${e.scheme}://${host}:${e.port}${e.scheme === 'ws' || e.scheme === 'wss' ? e.path : ''}`;
}

export function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return a.scheme === b.scheme && a.host === b.host && a.port === b.port && a.path === b.path;
}
