import { isIPv4, isIPv6 } from 'node:net';
import { NetPolicyConfigError } from './types';

export type AllowScheme = 'http' | 'https' | '*';

export type AllowHost =
  | { kind: 'any' }
  /** A DNS name, an IPv4 address, or a bracketed IPv6 address, in the form WHATWG URL gives `hostname`. */
  | { kind: 'exact'; host: string }
  /** `*.github.com`: any name with at least one label in front of `suffix`, never `suffix` itself. */
  | { kind: 'subdomains'; suffix: string };

/** `default` means the scheme's own default port: 80 for http, 443 for https (so `*://x` allows both). */
export type AllowPort = number | '*' | 'default';

export interface AllowEntry {
  readonly text: string;
  readonly scheme: AllowScheme;
  readonly host: AllowHost;
  readonly port: AllowPort;
}

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };

/**
 * Parses one `allowedOutboundHosts` entry (`scheme://host[:port]`, Spin-style wildcards). Throws NetPolicyConfigError
 * naming the entry and the problem for anything that is not exactly one of the documented forms: a lenient parse
 * could turn a typo into "allow everything" or "allow nothing" without the user ever noticing.
 */
export function parseAllowEntry(text: string): AllowEntry {
  const fail = (why: string) => new NetPolicyConfigError(`${JSON.stringify(text)}: ${why}`);
  if (text.trim() === '') throw fail('an entry cannot be empty');
  if (/\s/.test(text)) throw fail('an entry cannot contain spaces');
  const schemeEnd = text.indexOf('://');
  if (schemeEnd < 0) throw fail(`an entry needs a scheme, e.g. https://${text}`);
  const scheme = parseScheme(text.slice(0, schemeEnd).toLowerCase(), fail);
  const authority = withoutRootSlash(text.slice(schemeEnd + 3));
  if (/[/?#]/.test(authority)) throw fail('entries name a host, not a path');
  if (authority.includes('@')) throw fail('entries cannot contain a user name or password');
  const { host, port } = splitHostPort(authority, fail);
  return { text, scheme, host: parseHost(host, fail), port: port === undefined ? 'default' : parsePort(port, fail) };
}

/** Whether `url` (already parsed by WHATWG URL) is one this entry allows: scheme, host and effective port all match. */
export function allowEntryMatches(entry: AllowEntry, url: URL): boolean {
  const scheme = url.protocol.slice(0, -1);
  if (entry.scheme !== '*' && entry.scheme !== scheme) return false;
  const port = effectivePort(url);
  if (entry.port === 'default' ? port !== DEFAULT_PORTS[scheme] : entry.port !== '*' && entry.port !== port)
    return false;
  return hostMatches(entry.host, hostForMatching(url));
}

export function effectivePort(url: URL): number {
  return url.port === '' ? (DEFAULT_PORTS[url.protocol.slice(0, -1)] ?? 0) : Number(url.port);
}

/** The URL's host as entries spell it: a name's optional final dot (`github.com.`, the same host) dropped. */
export function hostForMatching(url: URL): string {
  return url.hostname.endsWith('.') ? url.hostname.slice(0, -1) : url.hostname;
}

function hostMatches(pattern: AllowHost, host: string): boolean {
  if (pattern.kind === 'any') return true;
  if (pattern.kind === 'exact') return host === pattern.host;
  return host.endsWith(`.${pattern.suffix}`);
}

type Fail = (why: string) => NetPolicyConfigError;

function parseScheme(scheme: string, fail: Fail): AllowScheme {
  if (scheme === 'http' || scheme === 'https' || scheme === '*') return scheme;
  throw fail(`the scheme must be http, https or *, not ${JSON.stringify(scheme)}`);
}

/** `https://api.github.com/` is how browsers show an origin; the lone slash names no path, so it is accepted. */
function withoutRootSlash(authority: string): string {
  return authority.endsWith('/') && authority.indexOf('/') === authority.length - 1
    ? authority.slice(0, -1)
    : authority;
}

function splitHostPort(authority: string, fail: Fail): { host: string; port: string | undefined } {
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) throw fail('an IPv6 address needs its closing ], as in http://[::1]:8080');
    const rest = authority.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw fail('only :port may follow an IPv6 address');
    return { host: authority.slice(0, close + 1), port: rest === '' ? undefined : rest.slice(1) };
  }
  const parts = authority.split(':');
  if (parts.length > 2) throw fail('write IPv6 addresses in brackets, as in http://[::1]:8080');
  return { host: parts[0] ?? '', port: parts[1] };
}

function parsePort(port: string, fail: Fail): AllowPort {
  if (port === '*') return '*';
  const number = /^\d{1,5}$/.test(port) ? Number(port) : Number.NaN;
  if (number >= 1 && number <= 65535) return number;
  throw fail(`${JSON.stringify(port)} is not a port: use a number from 1 to 65535, or *`);
}

function parseHost(host: string, fail: Fail): AllowHost {
  if (host === '') throw fail('the host is missing');
  if (host === '*') return { kind: 'any' };
  if (host.startsWith('[')) return { kind: 'exact', host: parseBracketedIPv6(host, fail) };
  if (host.startsWith('*.')) return { kind: 'subdomains', suffix: parseWildcardSuffix(host.slice(2), fail) };
  if (host.includes('*')) {
    const wholeLabel = host.split('.').includes('*');
    throw fail(
      wholeLabel
        ? 'a wildcard can only be the first label, as in *.github.com'
        : 'a wildcard must be a whole label, as in *.github.com',
    );
  }
  return { kind: 'exact', host: parseNameOrIPv4(host, fail) };
}

function parseWildcardSuffix(suffix: string, fail: Fail): string {
  if (suffix.includes('*')) throw fail('only one wildcard is allowed, as the first label: *.github.com');
  const canonical = parseNameOrIPv4(suffix, fail);
  if (isIPv4(canonical)) throw fail('a wildcard goes in front of a domain name, not an IP address');
  return canonical;
}

function parseBracketedIPv6(host: string, fail: Fail): string {
  const inner = host.slice(1, -1);
  if (inner.includes('%') || !isIPv6(inner)) throw fail(`${inner} is not an IPv6 address`);
  return new URL(`http://${host}`).hostname;
}

/**
 * A DNS name or dotted-decimal IPv4 address, in the canonical form URL gives it (lower case, IDNs in punycode), so it
 * compares equal to a request's `url.hostname`. Numeric shorthands such as `2130706433` or `0x7f.1` are refused:
 * they do mean an IPv4 address, but nobody should have to decode one to review a setting.
 */
function parseNameOrIPv4(host: string, fail: Fail): string {
  if (host.endsWith('.')) throw fail('drop the final dot from the host name');
  // URL would quietly reinterpret some characters (a backslash ends the host, %41 decodes), so allow only name characters.
  if (/[^\w.\-\u0080-\uffff]/.test(host)) throw fail(`${JSON.stringify(host)} is not a valid host name`);
  const canonical = urlHostname(host);
  if (canonical === undefined) throw fail(`${JSON.stringify(host)} is not a valid host name`);
  if (isIPv4(canonical)) {
    if (canonical !== host) throw fail(`write the IPv4 address as four decimal numbers: ${canonical}`);
    return canonical;
  }
  const labels = canonical.split('.');
  if (labels.some((label) => label === '')) throw fail('the host name has an empty label');
  if (canonical.length > 253 || labels.some((label) => !/^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/.test(label))) {
    throw fail(`${JSON.stringify(host)} is not a valid host name`);
  }
  return canonical;
}

function urlHostname(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
}
