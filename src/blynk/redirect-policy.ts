// The redirect rule, all in one place (C-REDIRECT-1..8). A policy: it is told what arrived,
// what the session uses and what time it is, and says what to do; BlynkClient carries it out
// (store, then reconnect) and endpoint-store.ts keeps the record in flash.
// - A `downlink/redirect` URI must parse (C-CONN-1 schemes, host, port 1..65535), with nothing
//   but printable ASCII, and hosts normalized (case, a trailing dot: endpoint.ts); one that
//   contains the auth token is refused (C-REDIRECT-8, C-SECRETS).
// - The endpoint already in use changes nothing (C-REDIRECT-1).
// - No downgrade from TLS to plain, measured against the endpoint in use AND the configured
//   server; the host must be on the allow-list: blynk.cloud, *.blynk.cloud and the configured
//   server's host (C-REDIRECT-2).
// - More than 3 followed within a minute are ignored (C-REDIRECT-5).
// - A followed redirect is stored before the reconnect (C-REDIRECT-3), as a record that names
//   the configured server it was learned under. At boot a record is used only under that same
//   server, and never when it is less secure than it (C-REDIRECT-7): new firmware with another
//   server, or flash written by other firmware, falls back to the configured server.
// - A stored or followed endpoint that fails N times in a row (3; auth failures excluded) is
//   set aside for this boot: back to the configured server; the record stays (C-REDIRECT-4).

import { BlynkError, ErrorCode, err } from '../errors';
import { formatEndpoint, isSecure, parseEndpoint, sameEndpoint, type Endpoint } from '../session/endpoint';
import type { EndpointRecord } from './endpoint-store';

export interface RedirectRules {
  /** Follow a redirect from mqtts/wss to mqtt/ws. Off by default. */
  allowDowngrade: boolean;
  /** Hosts a redirect may name: exact names, or ".suffix" for any host under a domain. */
  allowHosts: readonly string[];
  /** At most this many redirects are followed within `windowMs`; more are ignored. */
  maxInWindow: number;
  windowMs: number;
  /** Consecutive failures of a redirected endpoint before falling back to the configured server. */
  fallbackAfter: number;
  /** Keep followed redirects in flash. */
  persist: boolean;
}

export const DEFAULT_ALLOWED_HOSTS: readonly string[] = Object.freeze(['blynk.cloud', '.blynk.cloud']);

export function hostAllowed(host: string, allow: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  for (const a of allow) {
    const rule = a.toLowerCase();
    if (rule.startsWith('.') ? h.endsWith(rule) && h.length > rule.length : h === rule) return true;
  }
  return false;
}

export type RedirectDecision = { follow: Endpoint } | { same: Endpoint } | BlynkError;

export class RedirectPolicy {
  readonly configured: Endpoint;
  private readonly rules: RedirectRules;
  private readonly secret: string;
  /** When redirects were followed (the loop window); made by the first one. */
  private followedAt: number[] | undefined;
  /** The redirect target in use this boot (from flash at boot, or followed since). */
  private redirected: Endpoint | undefined;
  private failures = 0;

  constructor(rules: RedirectRules, configured: Endpoint, secret: string) {
    this.rules = rules;
    this.configured = configured;
    this.secret = secret.toLowerCase();
  }

  /** Where the next attempt goes. */
  target(): Endpoint {
    return this.redirected ?? this.configured;
  }

  /** The stored record at boot: use it (null), or why not (C-REDIRECT-7). */
  boot(record: EndpointRecord | undefined): string | null {
    if (!record) return null;
    const why = this.foreign(record);
    if (why) return why;
    this.redirected = this.check(record.uri) as Endpoint;
    return null;
  }

  /** Whether a stored record may be used under this configuration. */
  belongs(record: EndpointRecord): boolean {
    return this.foreign(record) === null;
  }

  private foreign(record: EndpointRecord): string | null {
    const server = parseEndpoint(record.server);
    if (server instanceof BlynkError || !sameEndpoint(server, this.configured)) {
      return `it was learned under ${server instanceof BlynkError ? 'another configuration' : formatEndpoint(server)}, not ${formatEndpoint(this.configured)}`;
    }
    const ep = this.check(record.uri);
    return ep instanceof BlynkError ? ep.message : null;
  }

  /** Decide about a `downlink/redirect` payload while connected to `current`, at `now` (ms). */
  decide(uri: string, current: Endpoint | undefined, now: number): RedirectDecision {
    const target = this.check(uri);
    if (target instanceof BlynkError) return target;
    if (current && sameEndpoint(target, current)) return { same: target };
    const recent = (this.followedAt ?? []).filter((t) => now - t < this.rules.windowMs);
    if (recent.length >= this.rules.maxInWindow) {
      return err(ErrorCode.REDIRECT_LOOP, `more than ${this.rules.maxInWindow} redirects within ${this.rules.windowMs / 1000} s`);
    }
    if (current && isSecure(current.scheme) && !isSecure(target.scheme) && !this.rules.allowDowngrade) {
      return err(ErrorCode.REDIRECT_REJECTED, `redirect to ${target.scheme} would drop TLS`, { scheme: target.scheme });
    }
    return { follow: target };
  }

  /** The redirect to `target` is being followed (stored or not). */
  followed(target: Endpoint, now: number): void {
    const at = (this.followedAt ??= []);
    at.push(now);
    while (at.length > this.rules.maxInWindow) at.shift();
    this.redirected = target;
    this.failures = 0;
  }

  /** What to keep in flash for a followed redirect. */
  record(target: Endpoint): EndpointRecord {
    return { uri: formatEndpoint(target), server: formatEndpoint(this.configured) };
  }

  /** Stop using a redirected endpoint (the user cleared it). */
  forget(): void {
    this.redirected = undefined;
    this.failures = 0;
  }

  /** An attempt at `ep` ended. Returns the fallback to report when the redirected endpoint is set aside (C-REDIRECT-4). */
  attemptEnded(ep: Endpoint, ok: boolean, error: BlynkError | undefined): { from: string; to: string; failures: number } | null {
    const r = this.redirected;
    if (!r || !sameEndpoint(ep, r)) return null;
    if (ok) {
      this.failures = 0;
      return null;
    }
    if (error?.code === ErrorCode.AUTH_FAILED) return null; // a wrong token is not the endpoint's fault
    if (++this.failures < this.rules.fallbackAfter) return null;
    const failures = this.failures;
    this.forget();
    return { from: formatEndpoint(r), to: formatEndpoint(this.configured), failures };
  }

  /** Parse and vet a URI from the cloud or from flash: the token, TLS against the configured server, the allow-list. */
  private check(uri: string): Endpoint | BlynkError {
    // The token, also percent-encoded (a path may carry %XX escapes).
    if (typeof uri === 'string' && this.secret.length > 0 && (uri.toLowerCase().indexOf(this.secret) >= 0 || percentDecoded(uri).toLowerCase().indexOf(this.secret) >= 0)) {
      return err(ErrorCode.REDIRECT_REJECTED, 'the redirect URI contains the auth token');
    }
    const target = parseEndpoint(uri);
    if (target instanceof BlynkError) return target;
    if (isSecure(this.configured.scheme) && !isSecure(target.scheme) && !this.rules.allowDowngrade) {
      return err(ErrorCode.REDIRECT_REJECTED, `${target.scheme} would drop TLS (the configured server uses ${this.configured.scheme})`, { scheme: target.scheme });
    }
    if (!hostAllowed(target.host, this.rules.allowHosts)) {
      return err(ErrorCode.REDIRECT_REJECTED, `redirect host ${target.host} is not allowed`, { host: target.host });
    }
    return target;
  }
}

/** `s` with its %XX escapes decoded (bytes as Latin-1: enough to find an ASCII token). */
export function percentDecoded(s: string): string {
  if (s.indexOf('%') < 0) return s;
  return s.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}
