import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { RunConflictError } from '../agent/runner';
import { ForkPointError, ImportError } from '../agent/transfer';
import type { Logger } from '../log';
import { ModelConfigError } from '../models/providers';
import { UnknownAgentTypeError } from '../runtime/run-specs';
import { InvalidSettingsError } from '../workspace/settings';
import type { Redactor } from '../models/redaction';
import { SessionNotFoundError } from '../workspace/sessions';

/** The one error shape every route returns: `{ error: { code, message, ...details } }` with a real status. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}) {
  return { error: { code, message, ...details } };
}

/** The errors of lower layers that mean something to a client, as API errors. */
function fromDomain(error: Error): ApiError | undefined {
  if (error instanceof SessionNotFoundError)
    return new ApiError(404, 'session_not_found', `There is no session ${error.id}.`);
  if (error instanceof RunConflictError) return new ApiError(409, 'run_in_progress', error.message);
  if (error instanceof ModelConfigError) return new ApiError(400, `model_${error.code}`, error.message);
  if (error instanceof UnknownAgentTypeError) return new ApiError(400, 'unknown_agent_type', error.message);
  if (error instanceof ForkPointError)
    return new ApiError(400, 'invalid_fork_point', `Cannot fork there: ${error.message}.`);
  if (error instanceof ImportError) return new ApiError(400, 'invalid_import', `Cannot import: ${error.message}.`);
  // A change a route made to the settings that they refuse: nothing was written.
  if (error instanceof InvalidSettingsError)
    return new ApiError(400, 'invalid_settings', error.message, error.field ? { field: error.field } : {});
  return undefined;
}

/**
 * Maps anything a route throws to the JSON error shape; unexpected errors are logged and answered without detail.
 * Messages worded below may quote a provider; redacting here is the last line before a client sees one.
 */
export function handleError(logger: Logger, redactor: Redactor) {
  return (error: Error, c: Context): Response => {
    const known = error instanceof ApiError ? error : fromDomain(error);
    if (known)
      return c.json(
        redactor.redactValue(errorBody(known.code, known.message, known.details)),
        known.status,
        known.headers,
      );
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      return c.json(
        redactor.redactValue(
          errorBody(status === 413 ? 'payload_too_large' : 'http_error', error.message || 'Request failed'),
        ),
        status,
      );
    }
    logger.error({ err: error, method: c.req.method, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal_error', 'Internal server error; the server log has the details'), 500);
  };
}
