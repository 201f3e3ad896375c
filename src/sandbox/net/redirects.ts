import { type NetRefusal, refuse } from './types';

/** One request of an exchange; a redirect produces the next one. */
export interface HopRequest {
  readonly url: URL;
  readonly method: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array | undefined;
}

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Headers holding credentials meant for one origin; they must not follow a redirect to another. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/** Headers that describe a request body, dropped with the body when a redirect turns the request into a GET. */
const BODY_HEADERS = ['content-type', 'content-encoding', 'content-language', 'content-location', 'content-length'];

export function isRedirect(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

/**
 * The request a redirect asks for, as the Fetch standard builds it (method and body rewritten for 301/302/303), minus
 * credentials when it leaves the origin. Refused when the Location is unusable or would downgrade https to http.
 * The new URL still has to pass the whole policy; that is the caller's job, as for the first request.
 */
export function planRedirect(
  request: HopRequest,
  status: number,
  location: string,
): { ok: true; request: HopRequest } | NetRefusal {
  const url = resolveLocation(location, request.url);
  if (url === undefined)
    return refuse(
      'redirects',
      `${request.url.href} redirected to an invalid Location: ${JSON.stringify(location.slice(0, 200))}`,
    );
  if (request.url.protocol === 'https:' && url.protocol === 'http:') {
    return refuse('redirects', `${request.url.href} redirected to ${url.href}, which would downgrade https to http`);
  }
  const toGet = changesToGet(status, request.method);
  const kept = toGet ? withoutHeaders(request.headers, BODY_HEADERS) : request.headers;
  const headers = url.origin === request.url.origin ? kept : withoutHeaders(kept, CREDENTIAL_HEADERS);
  return {
    ok: true,
    request: { url, method: toGet ? 'GET' : request.method, headers, body: toGet ? undefined : request.body },
  };
}

/** 303 turns anything but HEAD into a GET; 301 and 302 turn a POST into a GET, as browsers do. */
function changesToGet(status: number, method: string): boolean {
  return (status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST');
}

function resolveLocation(location: string, base: URL): URL | undefined {
  try {
    return new URL(location, base);
  } catch {
    return undefined;
  }
}

function withoutHeaders(headers: Readonly<Record<string, string>>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));
}
