import { effectivePort } from './allow-entry';
import { bareAddress, hostPort } from './ip';
import { type NetRefusal, NetRefusalError, refuse } from './types';
import { errorMessage } from '../../fs/errors';

type Describe = (host: string, hostname: string) => string;

const DNS_FAILURE: Describe = (_host, hostname) => `DNS lookup failed for ${hostname}`;
const CLOSED: Describe = (host) => `the connection to ${host} closed before the response was complete`;

const BY_CODE: Record<string, Describe> = {
  ECONNREFUSED: (host) => `connection refused by ${host}`,
  ENOTFOUND: DNS_FAILURE,
  EAI_AGAIN: DNS_FAILURE,
  EAI_FAIL: DNS_FAILURE,
  ENODATA: DNS_FAILURE,
  ECONNRESET: CLOSED,
  EPIPE: CLOSED,
  UND_ERR_SOCKET: CLOSED,
  ETIMEDOUT: (host) => `connecting to ${host} timed out`,
  UND_ERR_CONNECT_TIMEOUT: (host) => `connecting to ${host} timed out`,
  EHOSTUNREACH: (host) => `${host} is unreachable`,
  ENETUNREACH: (host) => `no network route to ${host}`,
};

/**
 * The refusal for an error thrown while talking to `url`: the policy's own refusal when the connect path raised one,
 * otherwise a network failure described by its code. undici wraps the real error in `cause` (and Happy Eyeballs in
 * an AggregateError), so the whole chain is searched.
 */
export function describeFailure(error: unknown, url: URL): NetRefusal {
  const chain = errorChain(error);
  const refusal = chain.find((link) => link instanceof NetRefusalError);
  if (refusal instanceof NetRefusalError) return refusal.refusal;
  const host = hostPort(bareAddress(url.hostname), effectivePort(url));
  for (const link of chain) {
    const code = codeOf(link);
    const describe = code === undefined ? undefined : BY_CODE[code];
    if (describe !== undefined) return refuse('network', describe(host, url.hostname));
    if (code !== undefined && /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/.test(code)) {
      return refuse('network', `TLS with ${host} failed: ${errorMessage(link)}`);
    }
  }
  return refuse('network', `request to ${host} failed: ${errorMessage(chain[chain.length - 1])}`);
}

/** The error, its causes, and the errors an AggregateError gathers, outermost first. */
function errorChain(error: unknown, depth = 0): unknown[] {
  if (depth > 8 || typeof error !== 'object' || error === null) return [error];
  const nested =
    error instanceof AggregateError ? error.errors : 'cause' in error && error.cause !== undefined ? [error.cause] : [];
  return [error, ...nested.flatMap((inner: unknown) => errorChain(inner, depth + 1))];
}

function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return typeof code === 'string' ? code : undefined;
}
