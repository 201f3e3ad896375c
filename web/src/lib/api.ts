import { z } from 'zod';

/** An error answer from the server, carrying its `{error:{code,message}}` body. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** What an error answer may carry; every part is optional so a proxy's or an older server's answer still reads. */
const ErrorBodySchema = z.object({
  error: z
    .object({ code: z.string().optional(), message: z.string().optional(), field: z.string().optional() })
    .optional(),
});

interface ApiInit {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
}

/**
 * Calls the server and checks its answer against `schema` (the contract's shape of this route's answer). An answer
 * that does not fit (a server of another version, a proxy's page) is an ApiError naming the route and the field,
 * which the page shows like any other failed request.
 */
export async function api<S extends z.ZodType>(path: string, schema: S, init: ApiInit = {}): Promise<z.output<S>> {
  const method = init.method ?? 'GET';
  const { status, data } = await request(path, method, init);
  if (data === NOT_JSON)
    throw new ApiError(status, 'bad_response', `The server's answer to ${method} ${path} is not JSON.`);
  return readAnswer(schema, data, `${method} ${path}`, status);
}

/** `data`, the answer to `request` (e.g. "GET /api/x"), checked against its schema; see `api`. */
export function readAnswer<S extends z.ZodType>(
  schema: S,
  data: unknown,
  request: string,
  status: number,
): z.output<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw malformedAnswer(request, status, result.error);
  return result.data;
}

/** The ApiError an error answer (status not 2xx) stands for; `fallback` when its body says nothing. */
export function errorFromAnswer(status: number, data: unknown, fallback: string): ApiError {
  const body = ErrorBodySchema.safeParse(data);
  const error = body.success ? body.data.error : undefined;
  return new ApiError(status, error?.code ?? 'http_error', error?.message ?? fallback, error?.field);
}

/** Calls the server for a route whose answer the caller does not read; only a failure matters. */
export async function apiSend(path: string, init: ApiInit = {}): Promise<void> {
  await request(path, init.method ?? 'GET', init);
}

async function request(path: string, method: string, init: ApiInit): Promise<{ status: number; data: unknown }> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: init.body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: init.body === undefined ? null : JSON.stringify(init.body),
      signal: init.signal ?? null,
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', 'Cannot reach the boxagnts server. Is it still running?');
  }
  const text = await response.text();
  const data = parseJson(text);
  if (!response.ok) throw errorFromAnswer(response.status, data, `Request failed (${response.status})`);
  return { status: response.status, data };
}

const NOT_JSON = Symbol('not JSON');

/** The JSON in an answer's text: undefined for an empty one, NOT_JSON for one that is not JSON. */
export function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: an error page of a proxy, say. The caller reports it with the request's status.
    return NOT_JSON;
  }
}

function malformedAnswer(request: string, status: number, error: z.ZodError): ApiError {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  const where = field ? ` at ${field}` : '';
  return new ApiError(
    status,
    'bad_response',
    `The server's answer to ${request} has an unexpected shape${where}: ${issue?.message ?? 'invalid'}. ` +
      'Is the dashboard from the same version as the server? Try reloading the page.',
    field || undefined,
  );
}

/** The message to show for a failure caught from any call (an ApiError, a network failure, a bug). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
