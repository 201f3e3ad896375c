import { lookup as dnsLookup } from 'node:dns';
import type { Socket } from 'node:net';
import { Agent, type Headers, Request, type Response, fetch } from 'undici';
import { type AllowEntry, allowEntryMatches, effectivePort, hostForMatching, parseAllowEntry } from './net/allow-entry';
import { type BlockEntry, networkRefusal, parseBlockEntry } from './net/block-networks';
import { readCapped } from './net/body';
import { type AddressCheck, guardedConnector, guardedSocket } from './net/connector';
import { Deadline } from './net/deadline';
import {
  type BlockedEndpoint,
  type EndpointRule,
  endpointRefusal,
  localMachineCidrs,
  parseEndpoints,
  resolveEndpointRules,
} from './net/endpoints';
import { describeFailure } from './net/failure';
import { bareAddress, ipFamily } from './net/ip';
import { type HopRequest, isRedirect, planRedirect } from './net/redirects';
import { type LookupAll, type NetRefusal, refuse } from './net/types';

export {
  type AllowEntry,
  type AllowHost,
  type AllowPort,
  type AllowScheme,
  allowEntryMatches,
  parseAllowEntry,
} from './net/allow-entry';
export { type BlockEntry, parseBlockEntry } from './net/block-networks';
export type { BlockedEndpoint } from './net/endpoints';
export { type LookupAll, NetPolicyConfigError, type NetRefusal, type NetRule } from './net/types';

export interface NetPolicyOptions {
  allowedOutboundHosts: readonly string[];
  blockNetworks: readonly string[];
  /** Always refused, whatever the lists say: this runtime's own server on every address it answers on. */
  blockedEndpoints?: readonly BlockedEndpoint[] | undefined;
  /** Resolver used instead of the system's `dns.lookup`, so tests can point a name at 127.0.0.1. */
  lookup?: LookupAll | undefined;
}

export type UrlCheck = { ok: true; url: URL } | NetRefusal;

export interface NetFetchOptions {
  method?: string | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
  body?: string | Uint8Array | undefined;
  /** Bytes of response body kept; reading stops there and `truncated` is set. */
  maxBytes: number;
  /** One limit for the whole exchange: connecting, every redirect, headers and body. */
  timeoutMs: number;
  /** Redirects followed before giving up (default 5). */
  maxRedirects?: number | undefined;
  signal?: AbortSignal | undefined;
}

export type NetFetchResult =
  | {
      ok: true;
      status: number;
      statusText: string;
      /** Lower-case names; repeated headers joined with ", ". */
      headers: Record<string, string>;
      finalUrl: string;
      body: Uint8Array;
      truncated: boolean;
      /** Each URL a redirect led to, in order; the last is `finalUrl`. */
      redirects: string[];
    }
  | NetRefusal;

export interface NetConnectOptions {
  /** One limit for resolving and connecting; the open connection has none (its user sets its own). */
  timeoutMs: number;
  /** Cancels connecting; it does not close a connection already made. */
  signal?: AbortSignal | undefined;
}

export type NetConnectResult = { ok: true; socket: Socket } | NetRefusal;

export interface NetPolicy {
  readonly allowedOutboundHosts: readonly AllowEntry[];
  readonly blockNetworks: readonly BlockEntry[];
  readonly blockedEndpoints: readonly BlockedEndpoint[];
  /** The checks that need no DNS: scheme, credentials, allowlist, and literal IPs against the blocks. */
  checkUrl(url: string): UrlCheck;
  /** The request under the whole policy; every refusal and failure is returned as `{ ok: false }`, never thrown. */
  fetch(url: string, options: NetFetchOptions): Promise<NetFetchResult>;
  /**
   * A TCP connection to the URL's host and port under the whole policy (the URL checks, then every address the host
   * resolves to), for callers that speak the protocol themselves: the host tier's proxy. The path is not used.
   */
  connect(url: string, options: NetConnectOptions): Promise<NetConnectResult>;
}

interface Rules {
  readonly allow: readonly AllowEntry[];
  readonly block: readonly BlockEntry[];
  /** Name endpoints not resolved yet; each fetch resolves them afresh. */
  readonly endpoints: readonly EndpointRule[];
  readonly localCidrs: readonly string[];
  readonly lookup: LookupAll;
}

/** One fetch in progress: its rules, connection pool and deadline, and where it has got to. */
interface Exchange {
  readonly rules: Rules;
  readonly endpoints: readonly EndpointRule[];
  readonly agent: Agent;
  readonly deadline: Deadline;
  readonly maxBytes: number;
  readonly maxRedirects: number;
  readonly progress: Progress;
}

/** The URL being requested and the redirects that led to it, so a failure can say where it happened. */
interface Progress {
  url: URL;
  readonly redirects: string[];
}

const DEFAULT_MAX_REDIRECTS = 5;

const systemLookup: LookupAll = (hostname, options, callback) => dnsLookup(hostname, options, callback);

/** Builds a policy from settings; throws NetPolicyConfigError for an entry that is not valid, never ignores it. */
export function createNetPolicy(options: NetPolicyOptions): NetPolicy {
  const localCidrs = localMachineCidrs();
  const blockedEndpoints = [...(options.blockedEndpoints ?? [])];
  const rules: Rules = {
    allow: options.allowedOutboundHosts.map((text) => parseAllowEntry(text)),
    block: options.blockNetworks.map((text) => parseBlockEntry(text)),
    endpoints: parseEndpoints(blockedEndpoints, localCidrs),
    localCidrs,
    lookup: options.lookup ?? systemLookup,
  };
  return {
    allowedOutboundHosts: rules.allow,
    blockNetworks: rules.block,
    blockedEndpoints,
    checkUrl: (url) => {
      const parsed = parseUrl(url);
      return parsed.ok ? checkParsedUrl(parsed.url, rules, rules.endpoints) : parsed;
    },
    fetch: (url, fetchOptions) => policyFetch(rules, url, fetchOptions),
    connect: (url, connectOptions) => policyConnect(rules, url, connectOptions),
  };
}

/** One line for messages: what the policy lets through and what it blocks. */
export function describeNetPolicy(policy: NetPolicy): string {
  const allowed = policy.allowedOutboundHosts.map((entry) => entry.text).join(', ') || 'no hosts';
  const blocked = policy.blockNetworks.map((entry) => entry.text).join(', ') || 'no networks';
  const count = policy.blockedEndpoints.length;
  const endpoints = count === 0 ? '' : `, and this runtime's own server (${count} endpoint${count === 1 ? '' : 's'})`;
  return `network allowed to ${allowed}; blocked for ${blocked}${endpoints}`;
}

function parseUrl(raw: string): UrlCheck {
  try {
    return { ok: true, url: new URL(raw) };
  } catch {
    return refuse('url', `not a valid absolute URL: ${JSON.stringify(raw.slice(0, 200))}`);
  }
}

/**
 * Every check that needs no DNS. Literal IPs are checked against the blocks here because net.connect never looks
 * them up; WHATWG URL has already turned shorthands such as `2130706433` or `0x7f.1` into dotted form. Blocks are
 * checked before the allowlist so a blocked address is reported as blocked, not as missing from the allowlist.
 */
function checkParsedUrl(url: URL, rules: Rules, endpoints: readonly EndpointRule[]): UrlCheck {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return refuse('scheme', `only http and https URLs are allowed, not ${url.protocol}`);
  if (url.username !== '' || url.password !== '')
    return refuse('url', 'URLs with a user name or password are refused; send credentials in a header');
  const port = effectivePort(url);
  const host = hostForMatching(url);
  const address = bareAddress(host);
  const blocked =
    ipFamily(address) === undefined
      ? endpointRefusal(endpoints, { name: host, port })
      : (endpointRefusal(endpoints, { address, port }) ?? networkRefusal(rules.block, address));
  if (blocked !== undefined) return blocked;
  if (!rules.allow.some((entry) => allowEntryMatches(entry, url)))
    return refuse('allowedOutboundHosts', notAllowedReason(rules.allow, url, port));
  return { ok: true, url };
}

function notAllowedReason(allow: readonly AllowEntry[], url: URL, port: number): string {
  const origin = `${url.protocol}//${url.hostname}:${port}`;
  if (allow.length === 0)
    return `allowedOutboundHosts is empty, so no outbound request is allowed (${origin} was asked for)`;
  return `allowedOutboundHosts has no entry matching ${origin}`;
}

async function policyFetch(rules: Rules, rawUrl: string, options: NetFetchOptions): Promise<NetFetchResult> {
  const invalid = invalidLimits(options);
  if (invalid !== undefined) return invalid;
  const parsed = parseUrl(rawUrl);
  if (!parsed.ok) return parsed;
  const deadline = new Deadline(options.timeoutMs, options.signal);
  const progress: Progress = { url: parsed.url, redirects: [] };
  let agent: Agent | undefined;
  try {
    const endpoints = await deadline.race(resolveEndpointRules(rules.endpoints, rules.lookup, rules.localCidrs));
    if (!Array.isArray(endpoints)) return endpoints;
    agent = new Agent({ connect: guardedConnector(addressCheck(rules.block, endpoints), rules.lookup) });
    const exchange: Exchange = {
      rules,
      endpoints,
      agent,
      deadline,
      maxBytes: options.maxBytes,
      maxRedirects: options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
      progress,
    };
    return await follow(firstRequest(parsed.url, options), exchange);
  } catch (error) {
    return deadline.stopped() ?? atHop(describeFailure(error, progress.url), progress);
  } finally {
    deadline.clear();
    // Not awaited: destroying sockets is immediate, and waiting on a peer that stalls would outlast the deadline.
    agent?.destroy().catch(() => undefined);
  }
}

async function policyConnect(rules: Rules, rawUrl: string, options: NetConnectOptions): Promise<NetConnectResult> {
  const { timeoutMs } = options;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0))
    return refuse('request', `timeoutMs must be a positive number of milliseconds, not ${timeoutMs}`);
  const parsed = parseUrl(rawUrl);
  if (!parsed.ok) return parsed;
  const { url } = parsed;
  const deadline = new Deadline(timeoutMs, options.signal);
  try {
    const endpoints = await deadline.race(resolveEndpointRules(rules.endpoints, rules.lookup, rules.localCidrs));
    if (!Array.isArray(endpoints)) return endpoints;
    const checked = checkParsedUrl(url, rules, endpoints);
    if (!checked.ok) return checked;
    const socket = await guardedSocket(addressCheck(rules.block, endpoints), rules.lookup, {
      host: bareAddress(url.hostname),
      port: effectivePort(url),
      signal: deadline.signal,
    });
    return { ok: true, socket };
  } catch (error) {
    return deadline.stopped() ?? describeFailure(error, url);
  } finally {
    deadline.clear();
  }
}

function invalidLimits(options: NetFetchOptions): NetRefusal | undefined {
  const { maxBytes, timeoutMs, maxRedirects = DEFAULT_MAX_REDIRECTS } = options;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0)
    return refuse('request', `maxBytes must be a whole number of bytes, not ${maxBytes}`);
  if (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs))
    return refuse('request', 'timeoutMs must be a number of milliseconds');
  if (timeoutMs <= 0) return refuse('timeout', `no time left for the request (timeoutMs is ${timeoutMs})`);
  if (!Number.isSafeInteger(maxRedirects) || maxRedirects < 0)
    return refuse('request', `maxRedirects must be a whole number, not ${maxRedirects}`);
  return undefined;
}

/** The check for an address about to be connected to. Anything but an IP address is refused: it cannot be checked. */
function addressCheck(block: readonly BlockEntry[], endpoints: readonly EndpointRule[]): AddressCheck {
  return (address, port, via) => {
    if (ipFamily(bareAddress(address)) === undefined)
      return refuse(
        'network',
        `${via ?? 'the connection'} resolved to ${JSON.stringify(address)}, which is not an IP address`,
      );
    return endpointRefusal(endpoints, { address, port, via }) ?? networkRefusal(block, address, via);
  };
}

function firstRequest(url: URL, options: NetFetchOptions): HopRequest {
  const headers = Object.fromEntries(
    Object.entries(options.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return { url, method: normaliseMethod(options.method ?? 'GET'), headers, body: options.body };
}

/** Upper-cases the standard methods as fetch does, so redirect rules that compare methods see `POST`, not `post`. */
function normaliseMethod(method: string): string {
  const upper = method.toUpperCase();
  return ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'].includes(upper) ? upper : method;
}

/** Sends the request and each redirect it leads to, checking every hop against the whole policy first. */
async function follow(first: HopRequest, exchange: Exchange): Promise<NetFetchResult> {
  const { progress } = exchange;
  let request = first;
  for (;;) {
    progress.url = request.url;
    const checked = checkParsedUrl(request.url, exchange.rules, exchange.endpoints);
    if (!checked.ok) return atHop(checked, progress);
    const sent = await send(request, exchange);
    if (!sent.ok) return sent;
    const location = isRedirect(sent.response.status) ? sent.response.headers.get('location') : null;
    if (location === null) return await toResult(sent.response, exchange);
    // Best effort: the redirect's body is never read; cancelling only frees the connection sooner.
    sent.response.body?.cancel().catch(() => undefined);
    if (progress.redirects.length >= exchange.maxRedirects)
      return refuse(
        'redirects',
        `stopped after ${exchange.maxRedirects} redirects (${request.url.href} redirects again)`,
      );
    const next = planRedirect(request, sent.response.status, location);
    if (!next.ok) return next;
    request = next.request;
    progress.redirects.push(request.url.href);
  }
}

async function send(request: HopRequest, exchange: Exchange): Promise<{ ok: true; response: Response } | NetRefusal> {
  let prepared: Request;
  try {
    // redirect 'manual' hands every redirect back here, to be checked before it is followed.
    prepared = new Request(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: exchange.deadline.signal,
    });
  } catch (error) {
    return refuse('request', `invalid request: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { ok: true, response: await exchange.deadline.race(fetch(prepared, { dispatcher: exchange.agent })) };
}

async function toResult(response: Response, exchange: Exchange): Promise<NetFetchResult> {
  const { body, truncated } = await readCapped(response.body, exchange.maxBytes, exchange.deadline);
  const { url, redirects } = exchange.progress;
  return {
    ok: true,
    status: response.status,
    statusText: response.statusText,
    headers: headerRecord(response.headers),
    finalUrl: url.href,
    body,
    truncated,
    redirects: [...redirects],
  };
}

function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name] = record[name] === undefined ? value : `${record[name]}, ${value}`;
  });
  return record;
}

/** A refusal after a redirect says which URL it concerns; the caller only asked for the first. */
function atHop(refusal: NetRefusal, progress: Progress): NetRefusal {
  return progress.redirects.length === 0
    ? refusal
    : { ...refusal, reason: `redirect to ${progress.url.href}: ${refusal.reason}` };
}
