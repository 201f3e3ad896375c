/**
 * Codes of a request that never reached a server because this machine has no way there: no DNS, no route, nothing
 * listening, or no answer before the timeout. Node puts them on the `cause` of fetch's "fetch failed".
 */
const ABSENT_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * Whether a failed fetch failed for want of a network (offline, a proxy-less sandbox, a firewall) rather than because
 * the server answered wrongly: the first is the normal state of an offline machine, the second worth a look.
 */
export function isNetworkAbsent(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  if (error.name === 'TimeoutError') return true;
  if ('code' in error && typeof error.code === 'string' && ABSENT_CODES.has(error.code)) return true;
  // Happy eyeballs tries each address and reports all of their failures together.
  if (error instanceof AggregateError && error.errors.some((e) => isNetworkAbsent(e, depth + 1))) return true;
  return isNetworkAbsent(error.cause, depth + 1);
}
