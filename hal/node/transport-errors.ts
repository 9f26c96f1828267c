// Maps Node / OpenSSL / ws errors onto the HAL's TransportFailure kinds.
import type { TransportFailure } from '../interfaces';

/** Where a stream was when it failed: the same code can mean different things. */
export type Phase = 'connecting' | 'tls-handshake' | 'ws-handshake' | 'open';

const REFUSED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EADDRNOTAVAIL']);
const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ENETDOWN', 'ENETRESET']);
// OpenSSL verification codes (CERT_HAS_EXPIRED, SELF_SIGNED_CERT_IN_CHAIN, ...) and Node's TLS codes.
const TLS = /^(ERR_TLS_|ERR_SSL_|EPROTO$)|CERT|ISSUER|VERIFY|SELF_SIGNED|HOSTNAME_MISMATCH|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH/;

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  const visit = (e: unknown): void => {
    if (typeof e !== 'object' || e === null) return;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    // Node 20 tries every address of a host name and reports an AggregateError.
    const inner = (e as { errors?: unknown }).errors;
    if (Array.isArray(inner)) inner.forEach(visit);
  };
  visit(error);
  return codes;
}

function isOpenSslError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && typeof (error as { library?: unknown }).library === 'string';
}

export function classifyError(error: unknown, phase: Phase): TransportFailure {
  const codes = codesOf(error);
  if (codes.some((c) => DNS.has(c))) return 'dns';
  if (codes.some((c) => REFUSED.has(c))) return 'refused';
  if (codes.some((c) => TLS.test(c)) || isOpenSslError(error)) return 'tls';
  if (codes.some((c) => c.startsWith('WS_ERR_'))) return 'websocket';
  // Connected but the handshake broke (peer hung up, spoke something else): a handshake failure.
  if (phase === 'tls-handshake') return 'tls';
  if (phase === 'ws-handshake') return 'websocket';
  if (codes.some((c) => RESET.has(c))) return 'reset';
  return 'error';
}

export function errorDetail(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const inner = (error as { errors?: unknown }).errors;
  let text = typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  if (text === '' && Array.isArray(inner)) text = inner.map(errorDetail).join('; ');
  return text;
}

/** WebSocket close codes that mean the peer objected to what it got. */
const WS_PROTOCOL_CLOSE = new Set([1002, 1003, 1007, 1009, 1010]);

/**
 * How a WebSocket that closed without an error ended. 1006 (no close frame) with no socket
 * error means the TCP stream ended in order: mosquitto ends WS clients that way (e.g. after
 * CONNACK 5), so it is 'closed' as on plain TCP; a real reset comes with an error first.
 */
export function wsCloseFailure(code: number): TransportFailure {
  return WS_PROTOCOL_CLOSE.has(code) ? 'websocket' : 'closed';
}
