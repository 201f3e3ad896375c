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
 * Why a failed fetch found no network (offline, a proxy-less sandbox, a firewall): the code, or `TimeoutError`;
 * undefined when the failure is of another kind, such as a server that answered wrongly. The first is the normal
 * state of an offline machine, the second worth a look.
 */
export function networkAbsence(error: unknown, depth = 0): string | undefined {
  if (!(error instanceof Error) || depth > 5) return undefined;
  if (error.name === 'TimeoutError') return error.name;
  if ('code' in error && typeof error.code === 'string' && ABSENT_CODES.has(error.code)) return error.code;
  // Happy eyeballs tries each address and reports all of their failures together.
  if (error instanceof AggregateError)
    for (const inner of error.errors) {
      const code = networkAbsence(inner, depth + 1);
      if (code !== undefined) return code;
    }
  return networkAbsence(error.cause, depth + 1);
}
