// Why a connection ended, as the runtime's error codes: CONNACK refusals and transport failures.

import type { TransportFailure } from '../../hal/interfaces';
import { BlynkError, ErrorCode, err } from '../errors';

export const AUTH_CODES: readonly number[] = Object.freeze([4, 5, 0x86, 0x87]); // bad user name or password, not authorized (3.1.1 and 5)

/** The error for a CONNACK that is not 0: AUTH_FAILED for a wrong token, CONNACK_REFUSED otherwise. */
export function connackError(code: number): BlynkError {
  return AUTH_CODES.indexOf(code) >= 0
    ? err(ErrorCode.AUTH_FAILED, `the server refused the auth token (CONNACK ${code})`, { returnCode: code })
    : err(ErrorCode.CONNACK_REFUSED, `the server refused the connection (CONNACK ${code})`, { returnCode: code });
}

/** The error for a transport that ended (before it opened, or after). */
export function transportError(failure: TransportFailure, detail: string | undefined, beforeOpen: boolean): BlynkError {
  const more = detail ? `: ${detail}` : '';
  switch (failure) {
    case 'tls':
      return err(ErrorCode.TLS_FAILED, `TLS failed${more}`, { failure });
    case 'refused':
    case 'dns':
    case 'websocket':
      return err(ErrorCode.CONNECT_FAILED, `could not connect (${failure})${more}`, { failure });
    default:
      return beforeOpen
        ? err(ErrorCode.CONNECT_FAILED, `could not connect (${failure})${more}`, { failure })
        : err(ErrorCode.CONNECTION_LOST, `connection ${failure === 'closed' ? 'closed by the peer' : 'lost'}${more}`, { failure });
  }
}

/** The error for another device on the token (C-DUPLICATE): `closes` early closes in a row, then a wait of `ms`. */
export function duplicateError(closes: number, ms: number): BlynkError {
  return err(ErrorCode.DUPLICATE_TOKEN, `closed by the cloud soon after connecting, ${closes} times in a row: another device seems to use this token; next try in ${Math.round(ms / 1000)} s`, {
    closes,
    waitMs: ms,
  });
}
