import { APICallError } from 'ai';
import { errorMessage } from '../fs/errors';
import type { Redactor } from './redaction';

export type ModelFailureCode =
  'auth' | 'model_not_found' | 'context_overflow' | 'rate_limited' | 'provider_error' | 'provider_down' | 'stalled';

export interface ModelFailure {
  code: ModelFailureCode;
  /** A sentence for the user that keeps the provider's own words, with any key they quote taken out. */
  message: string;
  retryable: boolean;
  /** From a Retry-After header, when the provider sent one. */
  retryAfterMs?: number;
}

const CONTEXT_OVERFLOW =
  /context.{0,20}(length|window|limit)|too many tokens|maximum.{0,30}tokens|prompt is too long|input is too long|reduce the length/i;
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** A network failure's system code, found on the error or down its chain of causes (fetch wraps undici's). */
function networkCode(error: unknown): string | undefined {
  let e = error;
  for (let depth = 0; e instanceof Object && depth < 5; depth++) {
    const code: unknown = Reflect.get(e, 'code');
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    e = Reflect.get(e, 'cause');
  }
  return undefined;
}

function retryAfter(headers: Record<string, string> | undefined): number | undefined {
  const value = headers?.['retry-after'] ?? headers?.['Retry-After'];
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The provider's own explanation: the parsed error message, else the raw body. */
function providerText(error: APICallError): string {
  const text = unreadMessage(error) ?? (error.message?.trim() || error.responseBody?.trim() || 'no details');
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/**
 * Ollama's `{ "error": "…" }`, which ollama-ai-provider-v2 does not read (it expects OpenAI's shape, and keeps only the
 * status text as the message): the words are still in the body.
 */
function unreadMessage(error: APICallError): string | undefined {
  if (error.data !== undefined || !error.responseBody) return undefined;
  try {
    const body: unknown = JSON.parse(error.responseBody);
    const message = typeof body === 'object' && body !== null && 'error' in body ? body.error : undefined;
    return typeof message === 'string' && message.trim() ? message.trim() : undefined;
  } catch {
    // Not JSON: the message the SDK made stands.
    return undefined;
  }
}

interface FailedCall {
  providerId: string;
  modelId: string;
  baseURL: string;
}

/**
 * Sorts a failed model call into what the user must do about it, and whether trying again can help. Some providers
 * quote the key they were sent in their error, so the message is redacted before it goes anywhere.
 */
export function classifyModelError(error: unknown, where: FailedCall, redactor: Redactor): ModelFailure {
  const failure = classify(error, where);
  return { ...failure, message: redactor.redact(failure.message) };
}

function classify(error: unknown, where: FailedCall): ModelFailure {
  const who = `provider "${where.providerId}"`;
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    const text = providerText(error);
    if (status === undefined) {
      // The SDK's own text ("Cannot connect to API: connect ECONNREFUSED …") says again what the code says.
      return {
        code: 'provider_down',
        message: `Cannot reach the ${who} at ${where.baseURL} (${networkCode(error) ?? text}).`,
        retryable: true,
      };
    }
    if (status < 400) {
      // The request was accepted and the answer then broke off (the connection closed mid-stream).
      return {
        code: 'provider_down',
        message: `The connection to the ${who} broke while it was answering (${networkCode(error) ?? text}).`,
        retryable: true,
      };
    }
    if (status === 401 || status === 403) {
      return {
        code: 'auth',
        message: `The ${who} rejected the API key (${status}): ${text}. Check the key in Settings → Models.`,
        retryable: false,
      };
    }
    if (status === 404) {
      return {
        code: 'model_not_found',
        message: `The ${who} does not know the model "${where.modelId}" or its address is wrong (404): ${text}`,
        retryable: false,
      };
    }
    if ((status === 400 || status === 413 || status === 422) && CONTEXT_OVERFLOW.test(text)) {
      return {
        code: 'context_overflow',
        message: `The conversation is longer than the model "${where.modelId}" accepts (${status}): ${text}`,
        retryable: false,
      };
    }
    const after = retryAfter(error.responseHeaders);
    const wait = after !== undefined ? { retryAfterMs: after } : {};
    if (status === 429)
      return {
        code: 'rate_limited',
        message: `The ${who} is rate-limiting requests (429): ${text}`,
        retryable: true,
        ...wait,
      };
    if (status >= 500)
      return { code: 'provider_error', message: `The ${who} failed (${status}): ${text}`, retryable: true, ...wait };
    return { code: 'provider_error', message: `The ${who} refused the request (${status}): ${text}`, retryable: false };
  }
  const code = networkCode(error);
  if (code || (error instanceof TypeError && /terminated|fetch failed|socket/i.test(error.message))) {
    return {
      code: 'provider_down',
      message: `The connection to the ${who} broke (${code ?? errorMessage(error)}).`,
      retryable: true,
    };
  }
  return {
    code: 'provider_error',
    message: `The ${who} failed: ${errorMessage(error)}`,
    retryable: false,
  };
}
