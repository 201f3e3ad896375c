/**
 * The policy of every response under `/sites/`, errors and redirects included. A published page runs in a sandbox
 * without `allow-same-origin`: its origin is opaque, so the browser sends no cookies or credentials of the dashboard's
 * origin for it, its requests to `/api/` carry `Origin: null` (refused by the origin guard for anything that changes
 * state) and their answers cannot be read (no CORS header is ever sent). The dashboard may frame it for the preview.
 */
export const SITE_CSP = [
  'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads',
  "default-src 'self' data: blob: 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

/**
 * Header name → value. Cross-origin resource and opener policies are left out on purpose: the sandboxed page's own
 * origin is opaque, so `Cross-Origin-Resource-Policy: same-origin` would block its own images and scripts, and a
 * sandboxed document with an opener policy is refused by browsers.
 */
export const SITE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': SITE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'SAMEORIGIN',
};

export const SITES_PREFIX = '/sites/';

/** Whether a request path is a site's (the dashboard's own Sites page is `/sites`, without the slash). */
export function isSitePath(path: string): boolean {
  return path.startsWith(SITES_PREFIX);
}
