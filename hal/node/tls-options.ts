// TLS settings shared by mqtts, wss and https: which CAs to trust, SNI, verification.
import { isIP } from 'node:net';

/** Trusted CA certificates: PEM text or DER bytes (PEM bytes work too), one or many. */
export type CaOption = string | Uint8Array | ReadonlyArray<string | Uint8Array>;

export interface TlsSettings {
  /** undefined: Node's built-in root store. */
  readonly ca: string[] | undefined;
  /** Only true when the user opted out explicitly (local debugging). */
  readonly insecure: boolean;
}

const PEM_START = '-----BEGIN';

function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

function toPem(cert: string | Uint8Array): string {
  if (typeof cert === 'string') return cert;
  const head = Buffer.from(cert.buffer, cert.byteOffset, Math.min(cert.byteLength, 64)).toString('latin1');
  return head.trimStart().startsWith(PEM_START) ? Buffer.from(cert).toString('utf8') : derToPem(cert);
}

export function tlsSettings(ca: CaOption | undefined, insecure: boolean | undefined): TlsSettings {
  let list: string[] | undefined;
  if (ca !== undefined) list = (typeof ca === 'string' || ca instanceof Uint8Array ? [ca] : [...ca]).map(toPem);
  return { ca: list, insecure: insecure === true };
}

/** Options for tls.connect / https.request to `host`. SNI only for DNS names (never for IPs). */
export function tlsConnectOptions(settings: TlsSettings, host: string): {
  ca?: string[];
  rejectUnauthorized: boolean;
  servername?: string;
} {
  const options: { ca?: string[]; rejectUnauthorized: boolean; servername?: string } = {
    rejectUnauthorized: !settings.insecure,
  };
  if (settings.ca) options.ca = settings.ca;
  if (isIP(host) === 0) options.servername = host;
  return options;
}
