// Opens transports by scheme: mqtt (Socket), mqtts (SecureSocket), ws / wss (our WebSocket codec
// over either). Also the trusted-CA choice shared by mqtts, wss and https.
import type { Log, Transport, TransportConnector, TransportEvents, TransportFailure, TransportTarget } from '../interfaces';
import { ModdableTransport, type TransportSettings } from './transport';
import type { DerBuffer, ModdableModules, SecureOptions } from './types';
import type { WsDeps } from './websocket';
import { sha1With } from './misc';

export interface TlsOptions {
  /**
   * Trusted CA certificates in DER: buffers (ArrayBuffer, view, Resource) or resource names
   * (looked up with the Resource module when the first TLS connection is made). With the
   * modules' registerCA (ssl/cert) all of them are trusted at once. Without it SecureSocket
   * takes ONE CA per connection: the one that worked last, after a TLS failure the next one.
   * Empty: only the SDK's built-in CA store (resources ca.ski + caNN.der in the manifest).
   */
  readonly certificates?: readonly (DerBuffer | string)[];
  /** Default true. false turns all server verification off: local debugging only. */
  readonly verify?: boolean;
  /** Default 0x303 (TLS 1.2, the highest the SDK has). */
  readonly protocolVersion?: number;
}

/** Which CAs to trust: all registered globally, or one per connection. Shared by mqtts, wss, https. */
export class CaChooser {
  private index = 0;
  private resolved: (DerBuffer | undefined)[] | undefined;
  private global = false;

  constructor(
    private readonly options: TlsOptions,
    private readonly m: Pick<ModdableModules, 'Resource' | 'registerCA'>,
    private readonly log: Log,
  ) {
    if (options.verify === false) log.write('warn', 'TLS certificate verification is OFF (verify: false): local debugging only');
  }

  /** The SecureSocket `secure` dictionary for the next connection. */
  secure(): SecureOptions {
    const secure: SecureOptions = { protocolVersion: this.options.protocolVersion ?? 0x303, verify: this.options.verify !== false };
    const list = this.list();
    if (this.global) return secure;
    if (list.length > 0) {
      const cert = list[this.index % list.length];
      if (cert !== undefined) secure.certificate = cert;
    }
    return secure;
  }

  /** A TLS connection failed its handshake: offer the next CA next time. */
  rejected(): void {
    if (this.global) return;
    const n = this.list().length;
    if (n > 1) {
      this.index = (this.index + 1) % n;
      this.log.write('info', `TLS: trying CA certificate ${this.index + 1} of ${n} next`);
    }
  }

  private list(): (DerBuffer | undefined)[] {
    if (this.resolved) return this.resolved;
    const resolved: (DerBuffer | undefined)[] = [];
    for (const cert of this.options.certificates ?? []) {
      if (typeof cert !== 'string') resolved.push(cert);
      else resolved.push(this.load(cert));
    }
    this.resolved = resolved;
    const register = this.m.registerCA;
    if (register && resolved.length > 1) {
      try {
        for (const cert of resolved) if (cert !== undefined) register(cert);
        this.global = true;
      } catch (e) {
        this.log.write('warn', `TLS: cannot register the CAs globally (${String(e)}): one per connection instead`);
      }
    }
    return resolved;
  }

  private load(name: string): DerBuffer | undefined {
    const Resource = this.m.Resource;
    try {
      if (Resource && Resource.exists(name)) return new Resource(name);
    } catch {
      // reported below
    }
    this.log.write('error', `TLS: certificate resource "${name}" not found (list it under the manifest's "resources")`);
    return undefined;
  }
}

/** A transport that could not start: onClose on a later turn. */
class FailedTransport implements Transport {
  private done = false;
  private closed = false;

  constructor(m: Pick<ModdableModules, 'Timer'>, events: TransportEvents, failure: TransportFailure, detail: string, log: Log) {
    m.Timer.set(() => {
      if (this.done) return;
      this.done = true;
      try {
        events.onClose(this.closed ? 'closed' : failure, this.closed ? 'closed by the device' : detail);
      } catch (e) {
        log.write('error', `transport onClose threw: ${String(e)}`);
      }
    }, 0);
  }

  write(): boolean {
    return false;
  }

  close(): void {
    this.closed = true;
  }
}

export class ModdableConnector implements TransportConnector {
  constructor(
    private readonly m: ModdableModules,
    private readonly cas: CaChooser,
    private readonly settings: TransportSettings,
    /** Default: made by the first ws/wss connection from the modules (Math.random, SHA-1 from Digest). */
    private wsDeps?: WsDeps,
  ) {}

  open(target: TransportTarget, events: TransportEvents): Transport {
    const { scheme, host, port } = target;
    if (scheme !== 'mqtt' && scheme !== 'mqtts' && scheme !== 'ws' && scheme !== 'wss') {
      return new FailedTransport(this.m, events, 'error', `unsupported scheme "${String(scheme)}"`, this.settings.log);
    }
    const tls = scheme === 'mqtts' || scheme === 'wss';
    const ws = scheme === 'ws' || scheme === 'wss' ? { host, port, path: target.path || '/', deps: (this.wsDeps ??= wsDepsOf(this.m)) } : undefined;
    const onEnd = tls
      ? (failure: TransportFailure) => {
          if (failure === 'tls') this.cas.rejected();
        }
      : undefined;
    try {
      return new ModdableTransport(this.m, { host, port, secure: tls ? this.cas.secure() : undefined }, ws, events, this.settings, onEnd);
    } catch (e) {
      return new FailedTransport(this.m, events, 'error', `cannot open: ${String(e)}`, this.settings.log);
    }
  }
}

function wsDepsOf(m: ModdableModules): WsDeps {
  const Digest = m.Digest;
  return Digest ? { random: Math.random, sha1: sha1With(Digest) } : { random: Math.random };
}
