import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type IncomingHttpHeaders, type Server, createServer, request } from 'node:http';
import { type Socket, connect, isIPv4 } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { forwarderLaunch } from '../../src/sandbox/host/net-forwarder';
import { type HostNetProxy, type HostNetProxyOptions, startHostNetProxy } from '../../src/sandbox/host/net-proxy';
import type { LookupAll } from '../../src/sandbox/net-policy';
import { freePort } from '../helpers/ports';
import { tempDir } from '../helpers/workspace';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const FORWARDER = join(REPO_ROOT, 'dist', 'host-net-forwarder.js');
const BWRAP = '/usr/bin/bwrap';

/** Names the tests use, all on loopback; `mixed.test` also has a public address, listed first. */
const fakeDns: LookupAll = (hostname, _options, callback) => {
  const names: Record<string, string[]> = {
    'allowed.test': ['127.0.0.1'],
    'other.test': ['127.0.0.1'],
    'intranet.test': ['127.0.0.1'],
    'mixed.test': ['93.184.216.34', '127.0.0.1'],
    localhost: ['127.0.0.1'],
  };
  const addresses = names[hostname];
  if (addresses === undefined)
    return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
  callback(
    null,
    addresses.map((address) => ({ address, family: isIPv4(address) ? 4 : 6 })),
  );
};

interface WebServer {
  readonly port: number;
  /** Every request it answered: method, path and headers. */
  readonly seen: { method: string; url: string; headers: IncomingHttpHeaders }[];
}

const servers: Server[] = [];
const proxies: HostNetProxy[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

/** A loopback web server that answers `hello from NAME: METHOD PATH`. */
async function startWebServer(name: string): Promise<WebServer> {
  const seen: WebServer['seen'] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
    res.end(`hello from ${name}: ${req.method} ${req.url}\n`);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, seen };
}

async function startProxy(
  policy: HostNetProxyOptions['policy'],
  more: Partial<HostNetProxyOptions> = {},
): Promise<HostNetProxy> {
  const proxy = await startHostNetProxy({
    socketPath: join(await tempDir('boxagnts-net-'), 'net.sock'),
    policy,
    blockedEndpoints: [],
    lookup: fakeDns,
    ...more,
  });
  proxies.push(proxy);
  return proxy;
}

/** A plain-HTTP request in absolute form through the proxy's socket. */
function proxyGet(proxy: HostNetProxy, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: proxy.socketPath, path: url, headers: { 'proxy-connection': 'keep-alive' } });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Everything a raw connection to the proxy receives after sending `text`, until the proxy or the server closes. */
function rawExchange(proxy: HostNetProxy, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxy.socketPath);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(text);
  });
}

/** `CONNECT authority`, then (sent at once, before the tunnel is confirmed) a GET for `/tunnelled` through it. */
const tunnelGet = (proxy: HostNetProxy, authority: string) =>
  rawExchange(
    proxy,
    `CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n\r\n` +
      `GET /tunnelled HTTP/1.1\r\nhost: ${authority}\r\nconnection: close\r\n\r\n`,
  );

/** A CONNECT tunnel left open, resolved once the proxy has confirmed it. */
function openTunnel(proxy: HostNetProxy, authority: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxy.socketPath);
    socket.once('data', (chunk) =>
      String(chunk).startsWith('HTTP/1.1 200') ? resolve(socket) : reject(new Error(String(chunk))),
    );
    socket.on('error', reject);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n\r\n`);
  });
}

const closed = (socket: Socket) =>
  new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));

const blockedLine = (target: string, reason: string, rule: string) =>
  `[sandbox] ${target}: blocked by the sandbox network policy: ${reason} (rule: ${rule})`;

describe('host network proxy', () => {
  it('forwards an allowlisted plain-HTTP request, with its own hop headers dropped', async () => {
    const web = await startWebServer('web');
    const proxy = await startProxy({ allowedOutboundHosts: [`http://allowed.test:${web.port}`], blockNetworks: [] });
    const reply = await proxyGet(proxy, `http://allowed.test:${web.port}/path?q=1`);
    expect(reply).toEqual({ status: 200, body: 'hello from web: GET /path?q=1\n' });
    expect(web.seen[0]?.headers.host).toBe(`allowed.test:${web.port}`);
    expect(web.seen[0]?.headers['proxy-connection']).toBeUndefined();
    expect(web.seen[0]?.headers.connection).toBe('close');
    expect(proxy.refusals()).toEqual([]);
  });

  it('tunnels CONNECT to a destination an https entry allows', async () => {
    const web = await startWebServer('web');
    const proxy = await startProxy({ allowedOutboundHosts: [`https://allowed.test:${web.port}`], blockNetworks: [] });
    const received = await tunnelGet(proxy, `allowed.test:${web.port}`);
    expect(received).toMatch(/^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(received).toContain('hello from web: GET /tunnelled\n');
    expect(proxy.refusals()).toEqual([]);
  });

  it('checks a CONNECT target as https: an http entry does not open a tunnel', async () => {
    const web = await startWebServer('web');
    const proxy = await startProxy({ allowedOutboundHosts: [`http://allowed.test:${web.port}`], blockNetworks: [] });
    const received = await tunnelGet(proxy, `allowed.test:${web.port}`);
    const reason = `allowedOutboundHosts has no entry matching https://allowed.test:${web.port}`;
    expect(received).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(received).toContain(`allowed.test:${web.port}: blocked by the sandbox network policy: ${reason}`);
    expect(proxy.refusals()).toEqual([blockedLine(`allowed.test:${web.port}`, reason, 'allowedOutboundHosts')]);
    expect(web.seen).toEqual([]);
  });

  it('refuses a destination the allowlist does not name, with 403 and a recorded refusal', async () => {
    const web = await startWebServer('web');
    const proxy = await startProxy({ allowedOutboundHosts: [`http://allowed.test:${web.port}`], blockNetworks: [] });
    const target = `other.test:${web.port}`;
    const reason = `allowedOutboundHosts has no entry matching http://${target}`;
    expect(await proxyGet(proxy, `http://${target}/`)).toEqual({
      status: 403,
      body: `${target}: blocked by the sandbox network policy: ${reason} (rule: allowedOutboundHosts)\n`,
    });
    expect(await tunnelGet(proxy, target)).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(proxy.refusals()).toEqual([
      blockedLine(target, reason, 'allowedOutboundHosts'),
      blockedLine(target, `allowedOutboundHosts has no entry matching https://${target}`, 'allowedOutboundHosts'),
    ]);
    expect(web.seen).toEqual([]);
  });

  it('refuses an allowlisted destination that is in a blocked network, checking every address it resolves to', async () => {
    const web = await startWebServer('web');
    const proxy = await startProxy({
      allowedOutboundHosts: [
        `*://intranet.test:${web.port}`,
        `*://127.0.0.1:${web.port}`,
        `*://mixed.test:${web.port}`,
      ],
      blockNetworks: ['private'],
    });
    expect((await proxyGet(proxy, `http://intranet.test:${web.port}/`)).status).toBe(403);
    expect((await proxyGet(proxy, `http://127.0.0.1:${web.port}/`)).status).toBe(403);
    expect(await tunnelGet(proxy, `mixed.test:${web.port}`)).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(await tunnelGet(proxy, `[::1]:${web.port}`)).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(proxy.refusals()).toEqual([
      blockedLine(
        `intranet.test:${web.port}`,
        'blockNetworks: private (intranet.test resolves to 127.0.0.1, which is loopback)',
        'blockNetworks',
      ),
      blockedLine(`127.0.0.1:${web.port}`, 'blockNetworks: private (127.0.0.1 is loopback)', 'blockNetworks'),
      blockedLine(
        `mixed.test:${web.port}`,
        'blockNetworks: private (mixed.test resolves to 127.0.0.1, which is loopback)',
        'blockNetworks',
      ),
      blockedLine(`[::1]:${web.port}`, 'blockNetworks: private (::1 is loopback)', 'blockNetworks'),
    ]);
    expect(web.seen).toEqual([]);
  });

  it("always refuses the dashboard's own endpoint, under any name that reaches it", async () => {
    const dashboard = await startWebServer('dashboard');
    const proxy = await startProxy(
      { allowedOutboundHosts: ['*://*:*'], blockNetworks: [] },
      { blockedEndpoints: [{ host: '127.0.0.1', port: dashboard.port }] },
    );
    expect(await proxyGet(proxy, `http://127.0.0.1:${dashboard.port}/api/sessions`)).toMatchObject({ status: 403 });
    expect(await tunnelGet(proxy, `localhost:${dashboard.port}`)).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(proxy.refusals()).toEqual([
      blockedLine(
        `127.0.0.1:${dashboard.port}`,
        `blockedEndpoints: 127.0.0.1:${dashboard.port} is always refused`,
        'blockedEndpoints',
      ),
      blockedLine(
        `localhost:${dashboard.port}`,
        `blockedEndpoints: localhost:${dashboard.port} reaches 127.0.0.1:${dashboard.port}, which is always refused`,
        'blockedEndpoints',
      ),
    ]);
    expect(dashboard.seen).toEqual([]);
  });

  it('answers a failure of the network with 502, not as a refusal of the policy', async () => {
    const port = await freePort();
    const proxy = await startProxy({ allowedOutboundHosts: [`*://allowed.test:${port}`], blockNetworks: [] });
    expect(await proxyGet(proxy, `http://allowed.test:${port}/`)).toEqual({
      status: 502,
      body: `allowed.test:${port}: connection refused by allowed.test:${port}\n`,
    });
    expect(proxy.refusals()).toEqual([]);
  });

  it('answers 400 to what is not a proxy request, 403 to a scheme other than http', async () => {
    const proxy = await startProxy({ allowedOutboundHosts: ['*://*:*'], blockNetworks: [] });
    expect(await proxyGet(proxy, '/just/a/path')).toMatchObject({ status: 400 });
    expect(await proxyGet(proxy, 'https://allowed.test/')).toEqual({
      status: 400,
      body: 'send https requests through CONNECT\n',
    });
    for (const target of ['allowed.test', 'user@allowed.test:443', 'a%zz:443'])
      expect(await rawExchange(proxy, `CONNECT ${target} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(proxy.refusals()).toEqual([]);
    // A scheme the policy does not allow is the policy's refusal.
    expect(await proxyGet(proxy, 'ftp://allowed.test:21/')).toMatchObject({ status: 403 });
    expect(proxy.refusals()).toEqual([
      blockedLine('allowed.test', 'only http and https URLs are allowed, not ftp:', 'scheme'),
    ]);
  });

  it('turns away connections beyond its cap', async () => {
    const web = await startWebServer('web');
    const proxy = await startProxy(
      { allowedOutboundHosts: [`*://allowed.test:${web.port}`], blockNetworks: [] },
      { maxConnections: 1 },
    );
    const first = await openTunnel(proxy, `allowed.test:${web.port}`);
    const second = connect(proxy.socketPath);
    let received = '';
    second.on('data', (chunk) => (received += String(chunk)));
    second.on('error', () => undefined);
    await closed(second);
    expect(received).toBe('');
    first.destroy();
  });

  it('closes a tunnel that stays idle', async () => {
    const web = await startWebServer('web');
    const proxy = await startProxy(
      { allowedOutboundHosts: [`*://allowed.test:${web.port}`], blockNetworks: [] },
      { idleTimeoutMs: 50 },
    );
    await closed(await openTunnel(proxy, `allowed.test:${web.port}`));
  });

  it('closes every connection, and stops listening, on close() and when its signal aborts', async () => {
    const web = await startWebServer('web');
    const controller = new AbortController();
    const proxy = await startProxy(
      { allowedOutboundHosts: [`*://allowed.test:${web.port}`], blockNetworks: [] },
      { signal: controller.signal },
    );
    const tunnel = await openTunnel(proxy, `allowed.test:${web.port}`);
    controller.abort();
    await proxy.close();
    await closed(tunnel);
    expect(existsSync(proxy.socketPath)).toBe(false);
  });
});

describe('forwarderLaunch', () => {
  it('binds the socket and the script, and a Node binary outside the system folders', () => {
    const launch = forwarderLaunch({
      socketPath: '/tmp/x/net.sock',
      forwarderScript: '/opt/boxagnts/dist/host-net-forwarder.js',
      nodeBinary: '/home/me/.nvm/versions/node/v22/bin/node',
      port: 8080,
    });
    expect(launch.bwrapArgs).toEqual([
      '--ro-bind',
      '/tmp/x/net.sock',
      '/run/boxagnts/net.sock',
      '--ro-bind',
      '/opt/boxagnts/dist/host-net-forwarder.js',
      '/run/boxagnts/forwarder.mjs',
      '--ro-bind',
      '/home/me/.nvm/versions/node/v22/bin/node',
      '/home/me/.nvm/versions/node/v22/bin/node',
    ]);
    expect(launch.argvPrefix).toEqual([
      '/home/me/.nvm/versions/node/v22/bin/node',
      '/run/boxagnts/forwarder.mjs',
      '--socket',
      '/run/boxagnts/net.sock',
      '--port',
      '8080',
      '--',
    ]);
    expect(launch.env).toMatchObject({ http_proxy: 'http://127.0.0.1:8080', HTTPS_PROXY: 'http://127.0.0.1:8080' });
    expect(launch.env.NO_PROXY).toBe('localhost,127.0.0.1,::1');
  });

  it('does not bind a Node binary the system folders already hold', () => {
    const launch = forwarderLaunch({ socketPath: '/s', forwarderScript: '/f', nodeBinary: '/usr/bin/node' });
    expect(launch.bwrapArgs).toEqual([
      '--ro-bind',
      '/s',
      '/run/boxagnts/net.sock',
      '--ro-bind',
      '/f',
      '/run/boxagnts/forwarder.mjs',
    ]);
    expect(launch.argvPrefix).toContain('3128');
  });
});

describe.skipIf(!existsSync(BWRAP))('host network through bubblewrap', () => {
  beforeAll(() => {
    if (!existsSync(FORWARDER)) throw new Error(`${FORWARDER} is missing: run npm run build first`);
  });

  /** The host tier's sandbox, as the lead's runner builds it: read-only system, no network but its own loopback. */
  const SANDBOX = [
    ...['/usr', '/lib', '/lib64', '/bin', '/etc']
      .filter((folder) => existsSync(folder))
      .flatMap((folder) => ['--ro-bind', folder, folder]),
    ...['--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--unshare-all', '--die-with-parent'],
  ];

  function sandboxed(args: string[], env: Record<string, string> = {}) {
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(BWRAP, [...SANDBOX, ...args], {
        env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += String(chunk)));
      child.stderr.on('data', (chunk) => (stderr += String(chunk)));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** `bwrap … node forwarder -- PROGRAM ARGS`, with the proxy's socket bound in. */
  const withForwarder = (proxy: HostNetProxy, program: string[]) => {
    const launch = forwarderLaunch({
      socketPath: proxy.socketPath,
      forwarderScript: FORWARDER,
      nodeBinary: process.execPath,
    });
    return sandboxed([...launch.bwrapArgs, ...launch.argvPrefix, ...program]);
  };

  it('has no way out without the forwarder, not even to a port listening on the machine', async () => {
    const web = await startWebServer('web');
    const direct = await sandboxed(['/usr/bin/curl', '-sS', `http://127.0.0.1:${web.port}/`]);
    expect(direct.code).toBe(7);
    expect(direct.stderr).toContain('Failed to connect');
    const proxied = await sandboxed(['/usr/bin/curl', '-sS', `http://allowed.test:${web.port}/`], {
      http_proxy: 'http://127.0.0.1:3128',
    });
    expect(proxied.code).toBe(7);
    expect(web.seen).toEqual([]);
  });

  it('reaches an allowlisted destination through the forwarder and the proxy, and nothing else', async () => {
    const allowed = await startWebServer('allowed');
    const other = await startWebServer('other');
    const proxy = await startProxy({
      allowedOutboundHosts: [`*://allowed.test:${allowed.port}`, `http://localhost:${allowed.port}`],
      blockNetworks: [],
    });
    const curl = (...args: string[]) => withForwarder(proxy, ['/usr/bin/curl', '-sS', ...args]);

    expect(await curl(`http://allowed.test:${allowed.port}/plain`)).toEqual({
      code: 0,
      stdout: 'hello from allowed: GET /plain\n',
      stderr: '',
    });
    // -p: through a CONNECT tunnel, as https would go.
    expect(await curl('-p', `http://allowed.test:${allowed.port}/tunnel`)).toMatchObject({
      code: 0,
      stdout: 'hello from allowed: GET /tunnel\n',
    });
    // localhost is the sandbox's own loopback (NO_PROXY): a server the command started, never the machine's.
    expect(await curl(`http://localhost:${allowed.port}/local`)).toMatchObject({ code: 7 });
    expect(allowed.seen.map((request) => request.url)).not.toContain('/local');

    const refused = await curl('-f', `http://other.test:${other.port}/`);
    expect(refused.code).toBe(22);
    expect(refused.stderr).toContain('403');
    const tunnel = await curl('-p', `http://other.test:${other.port}/`);
    expect(tunnel.code).toBe(56);
    expect(other.seen).toEqual([]);
    expect(proxy.refusals()).toEqual([
      blockedLine(
        `other.test:${other.port}`,
        `allowedOutboundHosts has no entry matching http://other.test:${other.port}`,
        'allowedOutboundHosts',
      ),
      blockedLine(
        `other.test:${other.port}`,
        `allowedOutboundHosts has no entry matching https://other.test:${other.port}`,
        'allowedOutboundHosts',
      ),
    ]);
  });

  it("exits with the program's status, 128 + the signal that ended it, or 127 when there is no such program", async () => {
    const proxy = await startProxy({ allowedOutboundHosts: [], blockNetworks: [] });
    expect(await withForwarder(proxy, ['/bin/sh', '-c', 'echo "$http_proxy [$NO_PROXY]"; exit 3'])).toEqual({
      code: 3,
      stdout: 'http://127.0.0.1:3128 [localhost,127.0.0.1,::1]\n',
      stderr: '',
    });
    expect((await withForwarder(proxy, ['/bin/sh', '-c', 'kill -TERM $$'])).code).toBe(143);
    expect(await withForwarder(proxy, ['/no/such/program'])).toMatchObject({ code: 127, stdout: '' });
  });
});
