import {
  type IncomingMessage,
  type OutgoingHttpHeaders,
  STATUS_CODES,
  type ServerResponse,
  createServer,
  request as httpRequest,
} from 'node:http';
import type { Socket } from 'node:net';
import { effectivePort } from '../net/allow-entry';
import { bareAddress, hostPort } from '../net/ip';
import { type BlockedEndpoint, type LookupAll, type NetRefusal, createNetPolicy } from '../net-policy';
import { splice } from './splice';

export interface HostNetProxy {
  readonly socketPath: string;
  /** One line per refused destination, as shown to the model: `[sandbox] host:port: blocked by …`. */
  refusals(): string[];
  /** Stops listening and closes every connection, tunnels included. */
  close(): Promise<void>;
}

export interface HostNetProxyOptions {
  /** Where to listen: a path in a folder the caller created (and removes); the socket file is removed on close. */
  socketPath: string;
  policy: { allowedOutboundHosts: readonly string[]; blockNetworks: readonly string[] };
  /** This runtime's own server: always refused. */
  blockedEndpoints: readonly BlockedEndpoint[];
  /** Closes the proxy when aborted. */
  signal?: AbortSignal | undefined;
  /** Connections open at once, client and upstream each (default 64); more are turned away. */
  maxConnections?: number | undefined;
  /** A connection with no traffic either way for this long is closed (default 2 minutes). */
  idleTimeoutMs?: number | undefined;
  /** Resolver used instead of the system's, so tests can point names at loopback. */
  lookup?: LookupAll | undefined;
}

const DEFAULT_MAX_CONNECTIONS = 64;
const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
const CONNECT_TIMEOUT_MS = 30_000;
const MAX_REFUSALS = 100;

/** Failures that are the network's answer, not the policy's: a gateway status, and not recorded as refusals. */
const FAILURE_STATUS: Partial<Record<NetRefusal['rule'], number>> = { network: 502, timeout: 504, cancelled: 503 };

/** Headers that describe one hop (RFC 9110 §7.6.1), plus the proxy's own: never passed on. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * The host tier's way out: an HTTP proxy on a Unix socket that lets a sandboxed command reach exactly what the
 * sandbox's network policy allows, the policy web_fetch and the shell's curl go through. It takes `CONNECT host:port`
 * (HTTPS, git over https, npm) and plain-HTTP requests in absolute form (`GET http://host/path`); anything else is
 * answered 400. Each destination goes through `NetPolicy.connect`: the allowlist and the URL checks, then one DNS
 * lookup whose every address is checked against the blocked networks and endpoints before one of them is dialled.
 *
 * A CONNECT tunnel is opaque, so its target is checked as `https://host:port`: an `https://` or `*://` entry whose
 * port matches allows it (no port in the entry means 443), an `http://` entry never does. Nearly every client
 * tunnels TLS only, and an entry written for plain HTTP should not open a channel the proxy cannot see into; a
 * client that tunnels plain HTTP too (undici's ProxyAgent) needs an `https://host:port` or `*://host:port` entry.
 */
export async function startHostNetProxy(options: HostNetProxyOptions): Promise<HostNetProxy> {
  const policy = createNetPolicy({
    allowedOutboundHosts: options.policy.allowedOutboundHosts,
    blockNetworks: options.policy.blockNetworks,
    blockedEndpoints: options.blockedEndpoints,
    lookup: options.lookup,
  });
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const refused = new Set<string>();
  const clients = new Set<Socket>();
  const upstreams = new Set<Socket>();
  const closing = new AbortController();

  const record = (target: string, refusal: NetRefusal): string => {
    const line = `${target}: blocked by the sandbox network policy: ${refusal.reason} (rule: ${refusal.rule})`;
    if (refused.size < MAX_REFUSALS) refused.add(`[sandbox] ${line}`);
    return line;
  };

  /** The policy's connection, counted and closed with the proxy; a refusal or failure as status and body otherwise. */
  const open = async (url: string, target: string): Promise<{ socket: Socket } | { status: number; body: string }> => {
    if (upstreams.size >= maxConnections)
      return { status: 503, body: `${target}: too many connections open through the sandbox proxy` };
    const connected = await policy.connect(url, { timeoutMs: CONNECT_TIMEOUT_MS, signal: closing.signal });
    if (!connected.ok) {
      const status = FAILURE_STATUS[connected.rule];
      return status === undefined
        ? { status: 403, body: record(target, connected) }
        : { status, body: `${target}: ${connected.reason}` };
    }
    const { socket } = connected;
    if (closing.signal.aborted) {
      socket.destroy();
      return { status: 503, body: `${target}: the sandbox proxy is closing` };
    }
    upstreams.add(socket);
    socket.once('close', () => upstreams.delete(socket));
    return { socket };
  };

  // No limit on the whole request: an upload may take long, and idleness is what closes a connection.
  const server = createServer({ requestTimeout: 0 });
  server.maxConnections = maxConnections;
  server.timeout = idleTimeoutMs;
  server.on('connection', (socket: Socket) => {
    clients.add(socket);
    socket.once('close', () => clients.delete(socket));
  });
  // Neither handler should throw; if one did, the client's connection ends rather than the runtime.
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    forwardRequest(request, response, open, idleTimeoutMs).catch(() => response.destroy());
  });
  server.on('connect', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    openTunnel(request, socket, head, open, idleTimeoutMs).catch(() => socket.destroy());
  });
  server.on('upgrade', (_request: IncomingMessage, socket: Socket) => {
    rawReply(socket, 501, 'protocol upgrades over plain http are not supported by the sandbox proxy; use https/wss');
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') rawReply(socket, 408, 'the request took too long to arrive');
    else rawReply(socket, 400, 'malformed request');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      options.signal?.removeEventListener('abort', onAbort);
      closing.abort();
      server.close(() => resolve());
      for (const socket of [...clients, ...upstreams]) socket.destroy();
    }));
  const onAbort = () => void close();
  if (options.signal?.aborted) await close();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  return { socketPath: options.socketPath, refusals: () => [...refused], close };
}

type Open = (url: string, target: string) => Promise<{ socket: Socket } | { status: number; body: string }>;

async function openTunnel(request: IncomingMessage, client: Socket, head: Buffer, open: Open, idleTimeoutMs: number) {
  // The server let go of the socket: until splice takes it, an error (a reset while connecting) is ours to catch.
  client.on('error', () => client.destroy());
  const authority = request.url ?? '';
  // Authority form only, port required: `github.com:443`, `[2001:db8::1]:443`.
  const destination = /^(\[[0-9A-Fa-f:.]+\]|[^\s/?#@[\]:]+):\d{1,5}$/.test(authority)
    ? parseDestination(`https://${authority}/`)
    : undefined;
  if (destination === undefined)
    return rawReply(client, 400, `CONNECT needs host:port, not ${JSON.stringify(authority.slice(0, 200))}`);
  const opened = await open(destination.url.href, destination.target);
  if ('status' in opened) return rawReply(client, opened.status, opened.body);
  if (client.destroyed) return opened.socket.destroy();
  client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  if (head.length > 0) opened.socket.write(head);
  splice(client, opened.socket, idleTimeoutMs);
}

async function forwardRequest(request: IncomingMessage, response: ServerResponse, open: Open, idleTimeoutMs: number) {
  const reply = (status: number, body: string) => {
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
    response.end(`${body}\n`);
  };
  const raw = request.url ?? '';
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw))
    return reply(400, `the sandbox proxy takes absolute URLs (GET http://host/path) and CONNECT, not ${raw}`);
  if (/^https:/i.test(raw)) return reply(400, 'send https requests through CONNECT');
  const destination = parseDestination(raw);
  if (destination === undefined) return reply(400, `not a valid URL: ${JSON.stringify(raw.slice(0, 200))}`);
  const { url, target } = destination;
  const opened = await open(raw, target);
  if ('status' in opened) return reply(opened.status, opened.body);
  const { socket } = opened;
  if (request.socket.destroyed) return socket.destroy();
  socket.setTimeout(idleTimeoutMs, () => socket.destroy());
  const upstream = httpRequest({
    method: request.method,
    path: url.pathname + url.search,
    // The request-target names the host (RFC 9112 §3.2.2): its Host header replaces whatever the client sent.
    headers: { ...endToEndHeaders(request.rawHeaders), host: url.host },
    // No agent: the request goes over this connection, and with `connection: close` (one request, then closed).
    createConnection: () => socket,
  });
  upstream.on('response', (answer) => {
    response.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEndHeaders(answer.rawHeaders));
    answer.pipe(response);
  });
  upstream.on('error', (error) => {
    if (!response.headersSent) reply(502, `${target}: ${error.message}`);
    else response.destroy();
  });
  response.on('close', () => upstream.destroy());
  request.pipe(upstream);
}

/** The URL, and its `host:port` as refusals name it; undefined when it does not parse. */
function parseDestination(text: string): { url: URL; target: string } | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const host = bareAddress(url.hostname);
  // Port 0: a scheme without a known default (ftp: and the like, which the policy refuses anyway).
  const port = effectivePort(url);
  return { url, target: port === 0 ? host : hostPort(host, port) };
}

/** The headers worth passing on: hop-by-hop ones dropped, and any the Connection header names. */
function endToEndHeaders(raw: readonly string[]): OutgoingHttpHeaders {
  const named = new Set<string>(HOP_BY_HOP);
  for (let i = 0; i < raw.length; i += 2)
    if (raw[i]?.toLowerCase() === 'connection')
      for (const token of (raw[i + 1] ?? '').split(',')) named.add(token.trim().toLowerCase());
  const headers: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] ?? '').toLowerCase();
    const value = raw[i + 1] ?? '';
    if (named.has(name)) continue;
    const previous = headers[name];
    headers[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return headers;
}

/** An answer written straight to a socket the HTTP server has let go of (CONNECT, upgrades, unparsable input). */
function rawReply(socket: Socket, status: number, body: string): void {
  if (socket.destroyed || !socket.writable) return void socket.destroy();
  const text = `${body}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}
