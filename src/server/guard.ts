import { createHash, timingSafeEqual } from 'node:crypto';
import { networkInterfaces, hostname as machineHostname } from 'node:os';
import type { Context, MiddlewareHandler } from 'hono';
import { SITE_HEADERS, isSitePath } from '../sites/headers';
import { ApiError } from './errors';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * The names a request's Host header may carry. On loopback only loopback names, so a DNS-rebinding page
 * (evil.example → 127.0.0.1) is refused. On another address, also this machine's own name and addresses.
 */
export function allowedHostNames(bindHost: string, extra: readonly string[]): Set<string> {
  const names = new Set([...LOOPBACK_NAMES, ...extra].map((n) => n.toLowerCase()));
  if (!isLoopbackHost(bindHost)) {
    names.add(bindHost.toLowerCase().replace(/^\[|\]$/g, ''));
    names.add(machineHostname().toLowerCase());
    for (const addresses of Object.values(networkInterfaces()))
      for (const a of addresses ?? []) names.add(a.address.toLowerCase());
  }
  return names;
}

/** Host name of a Host header value (`[::1]:30001` → `::1`), or undefined when it is malformed. */
export function hostNameOf(header: string): string | undefined {
  const match = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9._-]+))(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!match) return undefined;
  return (match[1] ?? match[2])!.toLowerCase();
}

/** Refuses requests whose Host header names anything but this server (DNS-rebinding defence). */
export function hostGuard(allowed: () => ReadonlySet<string>): MiddlewareHandler {
  return async function hostGuard(c, next) {
    const header = c.req.header('host');
    const name = header ? hostNameOf(header) : undefined;
    if (!name || !allowed().has(name)) {
      throw new ApiError(
        421,
        'misdirected_request',
        `This server does not answer to the host "${header ?? ''}". Open it through http://127.0.0.1 or localhost.`,
      );
    }
    await next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Requires a state-changing request to come from the dashboard's own origin (see `assertSameOrigin`). Event streams
 * are GETs that carry session history; `eventStream` (sse.ts) makes the same check for every one, since whether a
 * request is a stream is decided by its route, not by the Accept header the client chooses.
 */
export function originGuard(): MiddlewareHandler {
  return async function originGuard(c, next) {
    if (!SAFE_METHODS.has(c.req.method)) assertRequestSameOrigin(c);
    await next();
  };
}

/** `assertSameOrigin` over a request's headers. */
export function assertRequestSameOrigin(c: Context): void {
  assertSameOrigin(c.req.header('origin'), c.req.header('sec-fetch-site'), c.req.header('host') ?? '');
}

/**
 * Passes only a request from the dashboard's own origin: an `Origin` header equal to this server's, or, where
 * browsers send none (a same-origin EventSource), `Sec-Fetch-Site: same-origin`. Scripts must send the Origin header
 * themselves.
 */
export function assertSameOrigin(origin: string | undefined, fetchSite: string | undefined, host: string): void {
  if (origin !== undefined) {
    if (origin === `http://${host}` || origin === `https://${host}`) return;
    throw new ApiError(
      403,
      'forbidden_origin',
      `Requests from ${origin} are not allowed; use the dashboard at http://${host}.`,
    );
  }
  if (fetchSite === 'same-origin') return;
  throw new ApiError(
    403,
    'origin_required',
    `This request must carry an Origin header naming this server (Origin: http://${host}).`,
  );
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** HTTP Basic on everything but the public `/sites/` folders; user and password are compared in constant time. */
export function basicAuthGuard(admin: { user: string; pass: string }): MiddlewareHandler {
  const expectedUser = digest(admin.user);
  const expectedPass = digest(admin.pass);
  return async function basicAuthGuard(c, next) {
    if (isSitePath(c.req.path)) return next();
    const [scheme, encoded] = (c.req.header('authorization') ?? '').split(' ', 2);
    const decoded = scheme?.toLowerCase() === 'basic' && encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const user = colon >= 0 ? decoded.slice(0, colon) : '';
    const pass = colon >= 0 ? decoded.slice(colon + 1) : '';
    const userOk = timingSafeEqual(digest(user), expectedUser);
    const passOk = timingSafeEqual(digest(pass), expectedPass);
    if (!(userOk && passOk)) {
      throw new ApiError(
        401,
        'unauthorized',
        'Sign in with the admin user and password given to --admin-user/--admin-pass.',
        {},
        {
          'WWW-Authenticate': 'Basic realm="boxagnts", charset="UTF-8"',
        },
      );
    }
    await next();
  };
}

/** Headers that keep the dashboard from being framed, sniffed or made to load anything from elsewhere. */
export function securityHeaders(): MiddlewareHandler {
  return async function securityHeaders(c, next) {
    await next();
    // A published site's page, whatever the answer (an error of the Host check too), runs in its own sandbox.
    if (isSitePath(c.req.path)) {
      for (const [name, value] of Object.entries(SITE_HEADERS)) c.header(name, value);
      return;
    }
    // A route may set a stricter policy of its own (a user's file shown inline).
    if (!c.res.headers.has('Content-Security-Policy')) {
      c.header(
        'Content-Security-Policy',
        "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      );
    }
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
  };
}
