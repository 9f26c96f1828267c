// How Node / OpenSSL / ws errors map onto TransportFailure (cases no local server can stage,
// such as DNS failures, are covered here by their error codes).
import { classifyError } from '../../../hal/node';
import type { Phase } from '../../../hal/node/transport-errors';
import { wsCloseFailure } from '../../../hal/node/transport-errors';

function err(code: string, extra: object = {}): Error {
  return Object.assign(new Error(code), { code }, extra);
}

it.each([
  ['ECONNREFUSED', 'connecting', 'refused'],
  ['EHOSTUNREACH', 'connecting', 'refused'],
  ['ENETUNREACH', 'connecting', 'refused'],
  ['ENOTFOUND', 'connecting', 'dns'],
  ['EAI_AGAIN', 'connecting', 'dns'],
  ['SELF_SIGNED_CERT_IN_CHAIN', 'tls-handshake', 'tls'],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls-handshake', 'tls'],
  ['CERT_HAS_EXPIRED', 'tls-handshake', 'tls'],
  ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls-handshake', 'tls'],
  ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls-handshake', 'tls'],
  ['ECONNRESET', 'tls-handshake', 'tls'], // the peer hung up mid-handshake
  ['ECONNRESET', 'ws-handshake', 'websocket'],
  ['ECONNRESET', 'open', 'reset'],
  ['EPIPE', 'open', 'reset'],
  ['ETIMEDOUT', 'open', 'reset'],
  ['WS_ERR_INVALID_OPCODE', 'open', 'websocket'],
  ['EWHATEVER', 'open', 'error'],
] as const)('%s while %s -> %s', (code, phase, failure) => {
  expect(classifyError(err(code), phase as Phase)).toBe(failure);
});

it('looks inside the AggregateError Node reports after trying every address', () => {
  const aggregate = new AggregateError([err('ECONNREFUSED'), err('ECONNREFUSED')], '');
  expect(classifyError(aggregate, 'connecting')).toBe('refused');
});

it('treats any OpenSSL error as tls', () => {
  expect(classifyError(Object.assign(new Error('bad record mac'), { library: 'SSL routines' }), 'open')).toBe('tls');
});

it('maps WebSocket close codes', () => {
  expect(wsCloseFailure(1000)).toBe('closed');
  expect(wsCloseFailure(1006)).toBe('closed'); // TCP ended in order, no close frame
  expect(wsCloseFailure(1002)).toBe('websocket');
  expect(wsCloseFailure(1009)).toBe('websocket');
});
