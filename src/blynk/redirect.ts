// Whether to follow a `downlink/redirect` (C-REDIRECT-1, 2, 5): the URI must parse, must not
// downgrade from TLS to plain, must name an allowed host, and redirects must not loop.

import { BlynkError, ErrorCode, err } from '../errors';
import { isSecure, parseEndpoint, sameEndpoint, type Endpoint } from '../session/endpoint';

export interface RedirectPolicy {
  /** Follow a redirect from mqtts/wss to mqtt/ws. Off by default. */
  allowDowngrade: boolean;
  /** Hosts a redirect may name: exact names, or ".suffix" for any host under a domain. */
  allowHosts: readonly string[];
  /** At most this many redirects are followed within `windowMs`; more are ignored. */
  maxInWindow: number;
  windowMs: number;
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

export class RedirectGuard {
  private readonly policy: RedirectPolicy;
  private readonly followed: number[] = [];

  constructor(policy: RedirectPolicy) {
    this.policy = policy;
  }

  /** Decide about `uri` while connected to `current`, at time `now` (ms). */
  decide(uri: string, current: Endpoint | undefined, now: number): RedirectDecision {
    const target = parseEndpoint(uri);
    if (target instanceof BlynkError) return target;
    if (current && sameEndpoint(target, current)) return { same: target };
    if (current && isSecure(current.scheme) && !isSecure(target.scheme) && !this.policy.allowDowngrade) {
      return err(ErrorCode.REDIRECT_REJECTED, `redirect to ${target.scheme} would drop TLS`, { scheme: target.scheme });
    }
    if (!hostAllowed(target.host, this.policy.allowHosts)) {
      return err(ErrorCode.REDIRECT_REJECTED, `redirect host ${target.host} is not allowed`, { host: target.host });
    }
    const recent = this.followed.filter((t) => now - t < this.policy.windowMs);
    if (recent.length >= this.policy.maxInWindow) {
      return err(ErrorCode.REDIRECT_LOOP, `more than ${this.policy.maxInWindow} redirects within ${this.policy.windowMs / 1000} s`);
    }
    return { follow: target };
  }

  /** Record a followed redirect (for the loop guard). */
  noteFollowed(now: number): void {
    this.followed.push(now);
    while (this.followed.length > this.policy.maxInWindow) this.followed.shift();
  }
}
