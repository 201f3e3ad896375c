import type { LookupAddress, LookupAllOptions } from 'node:dns';

/** Which setting or limit refused a request; `url` and `request` cover malformed input, `network` real failures. */
export type NetRule =
  | 'url'
  | 'scheme'
  | 'request'
  | 'allowedOutboundHosts'
  | 'blockNetworks'
  | 'blockedEndpoints'
  | 'redirects'
  | 'timeout'
  | 'cancelled'
  | 'network';

export interface NetRefusal {
  ok: false;
  reason: string;
  rule: NetRule;
}

export function refuse(rule: NetRule, reason: string): NetRefusal {
  return { ok: false, reason, rule };
}

/** The resolver shape the policy needs: `dns.lookup` with `{ all: true }`. Tests pass their own to fake DNS. */
export type LookupAll = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** A setting the user wrote that means nothing precise; the message starts with the entry and says what is wrong. */
export class NetPolicyConfigError extends Error {
  override readonly name = 'NetPolicyConfigError';
}

/** Carries a refusal out of the connect path (lookup and connector callbacks), which can only report an Error. */
export class NetRefusalError extends Error {
  override readonly name = 'NetRefusalError';
  constructor(readonly refusal: NetRefusal) {
    super(refusal.reason);
  }
}
