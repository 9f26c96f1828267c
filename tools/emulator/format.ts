// Readable one-line descriptions of emulator events, for the CLI log and timeout messages.
// Tokens are always masked (C-SECRETS applies to our own output too).
import type { EmulatorEvent } from './types';

/** All but the last 4 characters hidden. */
export function maskToken(token: string | undefined): string {
  if (token === undefined) return '(no token)';
  return `****${token.length > 4 ? token.slice(-4) : ''}`;
}

/** Payload as text: NUL shown as \0, other control bytes as \xNN, cut after `max` characters. */
export function showPayload(payload: Buffer, max = 120): string {
  let s = '';
  for (const ch of payload.toString('utf8')) {
    const c = ch.codePointAt(0) ?? 0;
    if (c === 0) s += '\\0';
    else if (c < 0x20 || c === 0x7f) s += `\\x${c.toString(16).padStart(2, '0')}`;
    else s += ch;
    if (s.length > max) return `${s.slice(0, max)}… (${payload.length} bytes)`;
  }
  return s;
}

function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 23);
}

export function describeEvent(ev: EmulatorEvent): string {
  const t = clock(ev.at);
  switch (ev.type) {
    case 'accept':
      return `${t} [${ev.region} ${ev.scheme}] #${ev.connId} socket accepted from port ${ev.remotePort}`;
    case 'connect':
      return `${t} [${ev.region} ${ev.scheme}] #${ev.connId} ${maskToken(ev.token)} connected (clientId "${ev.clientId}", keepalive ${ev.keepalive}s, clean ${ev.clean})`;
    case 'authFailed':
      return `${t} [${ev.region} ${ev.scheme}] #${ev.connId} ${maskToken(ev.token)} auth failed (user "${ev.username}"), CONNACK 4, failure #${ev.count}`;
    case 'disconnect':
      return `${t} #${ev.connId} ${maskToken(ev.token)} disconnected: ${ev.reason}${ev.detail ? ` (${ev.detail})` : ''}`;
    case 'subscribe':
      return `${t} #${ev.connId} ${maskToken(ev.token)} subscribe ${ev.filter} qos ${ev.qos} -> ${ev.granted ? 'granted' : 'refused (0x80)'}`;
    case 'uplink':
      return `${t} #${ev.connId} ${maskToken(ev.token)} ↑ ${ev.record.topic} = ${showPayload(ev.record.payload)}${ev.record.qos ? ` (qos ${ev.record.qos})` : ''}${ev.record.will ? ' [will]' : ''}`;
    case 'downlink':
      return `${t} #${ev.connId} ${maskToken(ev.token)} ↓ ${ev.record.topic} = ${showPayload(ev.record.payload)}${ev.record.qos ? ` (qos ${ev.record.qos}, id ${ev.record.messageId})` : ''}`;
    case 'downlinkDropped':
      return `${t} #${ev.connId} ${maskToken(ev.token)} ↓ ${ev.topic} dropped: ${ev.reason}`;
    case 'pingAck':
      return `${t} #${ev.connId} ${maskToken(ev.token)} ping acknowledged (id ${ev.messageId}, ${ev.rttMs} ms)`;
    case 'oversize':
      return `${t} #${ev.connId} ${maskToken(ev.token)} oversize PUBLISH ${ev.topic}: ${ev.size} > ${ev.limit} bytes, closing`;
    case 'redirect':
      return `${t} #${ev.connId} ${maskToken(ev.token)} redirected to ${ev.uri}`;
    case 'stall':
      return `${t} #${ev.connId} ${maskToken(ev.token)} ${ev.stalled ? 'stalled' : 'resumed'}`;
    case 'listener':
      return `${t} [${ev.region} ${ev.scheme}] listener ${ev.state}${ev.mode ? ` (${ev.mode})` : ''}`;
    case 'otaRequest':
      return `${t} OTA image #${ev.imageId} requested (${ev.record.method} ${ev.record.https ? 'https' : 'http'})`;
    case 'otaResult':
      return `${t} OTA image #${ev.imageId}: ${ev.record.outcome}, status ${ev.record.status}, ${ev.record.bytesSent} bytes sent`;
    case 'warning':
      return `${t} warning: ${ev.message}`;
  }
}
