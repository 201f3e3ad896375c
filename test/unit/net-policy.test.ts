import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type Socket, createServer as createTcpServer, isIPv4 } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HopRequest, planRedirect } from '../../src/sandbox/net/redirects';
import {
  type LookupAll,
  type NetFetchOptions,
  type NetFetchResult,
  NetPolicyConfigError,
  createNetPolicy,
  describeNetPolicy,
  parseAllowEntry,
  parseBlockEntry,
} from '../../src/sandbox/net-policy';

const LOCAL = ['http://127.0.0.1:*', '*://localhost:*'];
const LIMITS: NetFetchOptions = { maxBytes: 1_000_000, timeoutMs: 2_000 };

/** A resolver that knows only `names`, as a test's stand-in for DNS (and for an attacker's DNS server). */
function fakeDns(names: Record<string, string[]>): LookupAll {
  return (hostname, _options, callback) => {
    const addresses = names[hostname];
    if (addresses === undefined)
      return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      addresses.map((address) => ({ address, family: isIPv4(address) ? 4 : 6 })),
    );
  };
}

function ok(result: NetFetchResult): Extract<NetFetchResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected a response, got ${result.rule}: ${result.reason}`);
  return result;
}

const text = (result: NetFetchResult) => new TextDecoder().decode(ok(result).body);

describe('parseAllowEntry', () => {
  it.each([
    ['https://api.github.com', 'https', { kind: 'exact', host: 'api.github.com' }, 'default'],
    ['https://*.github.com', 'https', { kind: 'subdomains', suffix: 'github.com' }, 'default'],
    ['*://localhost:*', '*', { kind: 'exact', host: 'localhost' }, '*'],
    ['http://127.0.0.1:8080', 'http', { kind: 'exact', host: '127.0.0.1' }, 8080],
    ['https://docs.example.com:443', 'https', { kind: 'exact', host: 'docs.example.com' }, 443],
    ['http://[::1]:3000', 'http', { kind: 'exact', host: '[::1]' }, 3000],
    ['http://[0:0:0:0:0:0:0:1]', 'http', { kind: 'exact', host: '[::1]' }, 'default'],
    ['https://*', 'https', { kind: 'any' }, 'default'],
    ['HTTPS://API.GitHub.com/', 'https', { kind: 'exact', host: 'api.github.com' }, 'default'],
    ['https://bücher.de', 'https', { kind: 'exact', host: 'xn--bcher-kva.de' }, 'default'],
  ])('%s', (entry, scheme, host, port) => {
    expect(parseAllowEntry(entry)).toEqual({ text: entry, scheme, host, port });
  });

  it.each([
    ['github.com', '"github.com": an entry needs a scheme, e.g. https://github.com'],
    ['https://x.com/path', '"https://x.com/path": entries name a host, not a path'],
    ['https://x.com?q=1', 'entries name a host, not a path'],
    ['https://*github.com', '"https://*github.com": a wildcard must be a whole label, as in *.github.com'],
    ['https://git*.com', 'a wildcard must be a whole label'],
    ['https://api.*.com', 'a wildcard can only be the first label'],
    ['https://*.*.com', 'only one wildcard is allowed'],
    ['https://*.127.0.0.1', 'a wildcard goes in front of a domain name, not an IP address'],
    ['', 'an entry cannot be empty'],
    ['   ', 'an entry cannot be empty'],
    [' https://x.com', 'an entry cannot contain spaces'],
    ['https://x .com', 'an entry cannot contain spaces'],
    ['ftp://x.com', 'the scheme must be http, https or *, not "ftp"'],
    ['://x.com', 'the scheme must be http, https or *'],
    ['https://x.com:0', '"0" is not a port'],
    ['https://x.com:65536', '"65536" is not a port'],
    ['https://x.com:http', '"http" is not a port'],
    ['https://x.com:', '"" is not a port'],
    ['https://x.com:-1', '"-1" is not a port'],
    ['https://x.com:**', '"**" is not a port'],
    ['https://user:pw@x.com', 'entries cannot contain a user name or password'],
    ['https://', 'the host is missing'],
    ['https://:443', 'the host is missing'],
    ['http://::1', 'write IPv6 addresses in brackets'],
    ['http://[::1', 'an IPv6 address needs its closing ]'],
    ['http://[::1]x', 'only :port may follow an IPv6 address'],
    ['http://[nope]', 'nope is not an IPv6 address'],
    ['http://[fe80::1%25eth0]', 'is not an IPv6 address'],
    ['http://2130706433', 'write the IPv4 address as four decimal numbers: 127.0.0.1'],
    ['http://0x7f.1', 'write the IPv4 address as four decimal numbers: 127.0.0.1'],
    ['http://1.2.3.256', 'is not a valid host name'],
    ['https://x.com.', 'drop the final dot'],
    ['https://a..b', 'the host name has an empty label'],
    ['https://ex\\ample.com', 'is not a valid host name'],
    ['https://ex%41mple.com', 'is not a valid host name'],
    ['https://-x-.com', 'is not a valid host name'],
  ])('refuses %j with a precise reason', (entry, reason) => {
    expect(() => parseAllowEntry(entry)).toThrow(NetPolicyConfigError);
    expect(() => parseAllowEntry(entry)).toThrow(reason);
  });

  it('makes createNetPolicy refuse an invalid entry instead of ignoring it', () => {
    expect(() =>
      createNetPolicy({ allowedOutboundHosts: ['https://ok.com', 'github.com'], blockNetworks: [] }),
    ).toThrow(NetPolicyConfigError);
    expect(() => createNetPolicy({ allowedOutboundHosts: [], blockNetworks: ['10.0.0.0/99'] })).toThrow(
      NetPolicyConfigError,
    );
    expect(() =>
      createNetPolicy({
        allowedOutboundHosts: [],
        blockNetworks: [],
        blockedEndpoints: [{ host: '127.0.0.1', port: 0 }],
      }),
    ).toThrow(NetPolicyConfigError);
  });
});

describe('allowlist matching', () => {
  it.each([
    ['https://*.github.com', 'https://api.github.com/repos', true],
    ['https://*.github.com', 'https://a.b.github.com/', true],
    ['https://*.github.com', 'https://API.GitHub.com./', true],
    ['https://*.github.com', 'https://api.github.com:443/', true],
    ['https://*.github.com', 'https://github.com/', false],
    ['https://*.github.com', 'https://evilgithub.com/', false],
    ['https://*.github.com', 'https://api.github.com.evil.com/', false],
    ['https://*.github.com', 'http://api.github.com/', false],
    ['https://*.github.com', 'https://api.github.com:8443/', false],
    ['https://api.github.com', 'https://api.github.com/', true],
    ['https://api.github.com', 'https://uploads.github.com/', false],
    ['*://localhost:*', 'http://localhost:1/', true],
    ['*://localhost:*', 'https://localhost:65535/', true],
    ['*://localhost:*', 'http://localhost/', true],
    ['*://localhost:*', 'http://localhost.evil.com/', false],
    ['*://example.com', 'http://example.com/', true],
    ['*://example.com', 'https://example.com/', true],
    ['*://example.com', 'http://example.com:443/', false],
    ['*://example.com', 'https://example.com:8443/', false],
    ['https://docs.example.com:443', 'https://docs.example.com/guide', true],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080/', true],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8081/', false],
    ['http://[::1]:3000', 'http://[0::1]:3000/', true],
    ['https://*', 'https://anything.example/', true],
    ['https://*', 'http://anything.example/', false],
  ])('%s vs %s → %s', (entry, url, allowed) => {
    const result = createNetPolicy({ allowedOutboundHosts: [entry], blockNetworks: [] }).checkUrl(url);
    expect(result.ok).toBe(allowed);
    if (!result.ok)
      expect(result).toMatchObject({
        rule: 'allowedOutboundHosts',
        reason: expect.stringContaining('allowedOutboundHosts has no entry matching'),
      });
  });

  it('says when allowedOutboundHosts is empty', () => {
    expect(createNetPolicy({ allowedOutboundHosts: [], blockNetworks: [] }).checkUrl('https://example.com/')).toEqual({
      ok: false,
      rule: 'allowedOutboundHosts',
      reason:
        'allowedOutboundHosts is empty, so no outbound request is allowed (https://example.com:443 was asked for)',
    });
  });

  it('names the origin, port included, when no entry matches', () => {
    expect(
      createNetPolicy({ allowedOutboundHosts: ['https://example.com'], blockNetworks: [] }).checkUrl(
        'http://evil.com/x',
      ),
    ).toMatchObject({
      reason: 'allowedOutboundHosts has no entry matching http://evil.com:80',
    });
  });
});

describe('parseBlockEntry', () => {
  it.each(['private', '10.0.0.0/8', 'fd00::/8', '192.168.1.7/32', '192.168.1.7', '::1', '0.0.0.0/0'])(
    'accepts %s',
    (entry) => {
      expect(parseBlockEntry(entry).text).toBe(entry);
    },
  );

  it.each([
    ['', 'an entry cannot be empty'],
    [' 10.0.0.0/8', 'an entry cannot contain spaces'],
    ['Private', 'not a network'],
    ['example.com', 'not a network'],
    ['10.0.0/8', 'not a network'],
    ['10.0.0.0/8/9', 'not a network'],
    ['fe80::1%eth0/64', 'not a network'],
    ['[fd00::]/8', 'write IPv6 networks without brackets'],
    ['10.0.0.0/33', 'the prefix length must be a number from 0 to 32 for an IPv4 network'],
    ['fd00::/129', 'from 0 to 128 for an IPv6 network'],
    ['10.0.0.0/', 'the prefix length must be'],
    ['10.0.0.0/x', 'the prefix length must be'],
  ])('refuses %j with a precise reason', (entry, reason) => {
    expect(() => parseBlockEntry(entry)).toThrow(NetPolicyConfigError);
    expect(() => parseBlockEntry(entry)).toThrow(reason);
  });
});

describe('blocked networks on literal addresses', () => {
  const policy = createNetPolicy({ allowedOutboundHosts: ['*://*:*'], blockNetworks: ['private'] });

  it.each([
    ['http://127.0.0.1/', '127.0.0.1 is loopback'],
    ['http://127.1.2.3/', '127.1.2.3 is loopback'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is link-local'],
    ['http://10.0.0.1/', '10.0.0.1 is a private network address (RFC 1918)'],
    ['http://172.16.5.4/', '172.16.5.4 is a private network address'],
    ['http://192.168.0.1/', '192.168.0.1 is a private network address'],
    ['http://100.64.0.1/', '100.64.0.1 is shared address space (CGNAT'],
    ['http://0.0.0.0/', '0.0.0.0 is unspecified'],
    ['http://0.1.2.3/', '0.1.2.3 is in 0.0.0.0/8'],
    ['http://[::1]/', '::1 is loopback'],
    ['http://[::]/', ':: is unspecified'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1 (127.0.0.1) is loopback'],
    ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe (169.254.169.254) is link-local'],
    ['http://[64:ff9b::10.0.0.1]/', '64:ff9b::a00:1 (10.0.0.1) is a private network address'],
    ['http://[::127.0.0.1]/', '::7f00:1 (127.0.0.1) is loopback'],
    ['http://[::10.0.0.1]/', '::a00:1 (10.0.0.1) is a private network address'],
    ['http://[::169.254.169.254]/', '::a9fe:a9fe (169.254.169.254) is link-local'],
    ['http://[::0.0.0.1]/', '::1 is loopback'],
    ['http://[::0.0.0.0]/', ':: is unspecified'],
    ['http://[::0.0.0.2]/', '::2 (0.0.0.2) is in 0.0.0.0/8'],
    ['http://[2002:7f00:1::1]/', '2002:7f00:1::1 (127.0.0.1) is loopback'],
    ['http://[2002:a9fe:a9fe::]/', '2002:a9fe:a9fe:: (169.254.169.254) is link-local'],
    [
      'http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/',
      '2001:0:4136:e378:8000:63bf:f5ff:fffe (10.0.0.1) is a private network address',
    ],
    ['http://[fe80::1]/', 'fe80::1 is link-local'],
    ['http://[fd12::1]/', 'fd12::1 is unique-local'],
    ['http://2130706433/', '127.0.0.1 is loopback'],
    ['http://0x7f000001/', '127.0.0.1 is loopback'],
    ['http://017700000001/', '127.0.0.1 is loopback'],
    ['http://0x7f.1/', '127.0.0.1 is loopback'],
    ['http://127.0.0.1.:8080/', '127.0.0.1 is loopback'],
    ['https://127.0.0.1:443/', '127.0.0.1 is loopback'],
  ])('private refuses %s', (url, why) => {
    expect(policy.checkUrl(url)).toEqual({
      ok: false,
      rule: 'blockNetworks',
      reason: expect.stringContaining(`blockNetworks: private (${why}`),
    });
  });

  it.each([
    'http://93.184.216.34/',
    'http://172.32.0.1/',
    'http://100.128.0.1/',
    'http://[2606:4700::1111]/',
    'http://[::ffff:8.8.8.8]/',
    'http://[::8.8.8.8]/',
    'http://[2002:808:808::1]/',
    'http://[2001:0:4136:e378:8000:63bf:f7f7:f7f7]/',
  ])('private lets public %s through', (url) => {
    expect(policy.checkUrl(url).ok).toBe(true);
  });

  it('passes a public IP that is allowlisted', () => {
    const allowed = createNetPolicy({
      allowedOutboundHosts: ['http://93.184.216.34'],
      blockNetworks: ['private'],
    }).checkUrl('http://93.184.216.34/');
    expect(allowed.ok && allowed.url.href).toBe('http://93.184.216.34/');
  });

  it('applies CIDR entries, IPv4-mapped forms included, and names the entry', () => {
    const cidrs = createNetPolicy({
      allowedOutboundHosts: ['*://*:*'],
      blockNetworks: ['10.0.0.0/8', 'fd00::/8', '192.168.1.7/32'],
    });
    expect(cidrs.checkUrl('http://10.1.2.3/')).toEqual({
      ok: false,
      rule: 'blockNetworks',
      reason: 'blockNetworks: 10.0.0.0/8 (10.1.2.3 is in 10.0.0.0/8)',
    });
    expect(cidrs.checkUrl('http://[::ffff:10.0.0.1]/')).toMatchObject({
      rule: 'blockNetworks',
      reason: expect.stringContaining('10.0.0.0/8'),
    });
    expect(cidrs.checkUrl('http://[::10.0.0.1]/')).toMatchObject({
      rule: 'blockNetworks',
      reason: expect.stringContaining('10.0.0.0/8'),
    });
    expect(cidrs.checkUrl('http://[2002:a00:1::1]/')).toMatchObject({
      rule: 'blockNetworks',
      reason: expect.stringContaining('10.0.0.0/8'),
    });
    expect(cidrs.checkUrl('http://[fd00::5]/')).toMatchObject({
      reason: expect.stringContaining('blockNetworks: fd00::/8'),
    });
    expect(cidrs.checkUrl('http://192.168.1.7/')).toMatchObject({
      reason: expect.stringContaining('blockNetworks: 192.168.1.7/32'),
    });
    expect(cidrs.checkUrl('http://192.168.1.8/').ok).toBe(true);
    expect(cidrs.checkUrl('http://127.0.0.1/').ok).toBe(true);
  });

  it('reports a blocked address as blocked even when it is also missing from the allowlist', () => {
    const strict = createNetPolicy({ allowedOutboundHosts: [], blockNetworks: ['private'] });
    expect(strict.checkUrl('http://10.0.0.1/')).toMatchObject({ rule: 'blockNetworks' });
  });
});

describe('checkUrl: schemes, credentials, malformed URLs', () => {
  const policy = createNetPolicy({ allowedOutboundHosts: ['*://*:*'], blockNetworks: [] });

  it.each([
    'file:///etc/passwd',
    'ftp://example.com/x',
    'data:text/plain,hi',
    'javascript:alert(1)',
    'ws://example.com/',
    'gopher://127.0.0.1:6379/_',
  ])('refuses %s', (url) => {
    expect(policy.checkUrl(url)).toMatchObject({
      ok: false,
      rule: 'scheme',
      reason: expect.stringContaining('only http and https URLs are allowed'),
    });
  });

  it.each(['http://user:pw@example.com/', 'https://user@example.com/', 'http://:secret@example.com/'])(
    'refuses credentials in %s',
    (url) => {
      expect(policy.checkUrl(url)).toMatchObject({
        ok: false,
        rule: 'url',
        reason: expect.stringContaining('user name or password'),
      });
    },
  );

  it.each(['not a url', '/relative', 'http://', 'http://[::1/'])('refuses the malformed %j', (url) => {
    expect(policy.checkUrl(url)).toMatchObject({
      ok: false,
      rule: 'url',
      reason: expect.stringContaining('not a valid absolute URL'),
    });
  });
});

describe('planRedirect', () => {
  const request = (url: string, extra: Partial<HopRequest> = {}): HopRequest => ({
    url: new URL(url),
    method: 'GET',
    headers: {},
    body: undefined,
    ...extra,
  });

  it('refuses a downgrade from https to http', () => {
    expect(planRedirect(request('https://a.example/x'), 302, 'http://a.example/y')).toEqual({
      ok: false,
      rule: 'redirects',
      reason: 'https://a.example/x redirected to http://a.example/y, which would downgrade https to http',
    });
  });

  it('allows http to https and resolves relative locations', () => {
    expect(planRedirect(request('http://a.example/x'), 301, 'https://a.example/y')).toMatchObject({
      ok: true,
      request: { url: new URL('https://a.example/y') },
    });
    expect(planRedirect(request('http://a.example/dir/x'), 302, '../y?q=1')).toMatchObject({
      ok: true,
      request: { url: new URL('http://a.example/y?q=1') },
    });
  });

  it('refuses an unusable Location', () => {
    expect(planRedirect(request('http://a.example/'), 302, 'http://[oops')).toMatchObject({
      ok: false,
      rule: 'redirects',
      reason: expect.stringContaining('invalid Location'),
    });
  });

  it('drops credentials across origins and keeps them within one', () => {
    const headers = { authorization: 'Bearer s', cookie: 'a=1', 'proxy-authorization': 'p', 'x-keep': 'k' };
    const across = planRedirect(request('https://a.example/', { headers }), 302, 'https://b.example/');
    const within = planRedirect(request('https://a.example/', { headers }), 302, '/other');
    const otherPort = planRedirect(request('https://a.example/', { headers }), 302, 'https://a.example:8443/');
    expect(across.ok && across.request.headers).toEqual({ 'x-keep': 'k' });
    expect(otherPort.ok && otherPort.request.headers).toEqual({ 'x-keep': 'k' });
    expect(within.ok && within.request.headers).toEqual(headers);
  });

  it('rewrites methods and bodies as the Fetch standard does', () => {
    const post = request('http://a.example/', {
      method: 'POST',
      body: 'data',
      headers: { 'content-type': 'text/plain', 'x-keep': 'k' },
    });
    for (const status of [301, 302, 303]) {
      expect(planRedirect(post, status, '/next')).toMatchObject({
        ok: true,
        request: { method: 'GET', body: undefined, headers: { 'x-keep': 'k' } },
      });
    }
    for (const status of [307, 308])
      expect(planRedirect(post, status, '/next')).toMatchObject({
        ok: true,
        request: { method: 'POST', body: 'data', headers: post.headers },
      });
    expect(planRedirect(request('http://a.example/', { method: 'PUT', body: 'x' }), 302, '/next')).toMatchObject({
      request: { method: 'PUT', body: 'x' },
    });
    expect(planRedirect(request('http://a.example/', { method: 'HEAD' }), 303, '/next')).toMatchObject({
      request: { method: 'HEAD' },
    });
  });
});

describe('fetch against local servers', () => {
  const servers: Server[] = [];
  const silent = createTcpServer((socket) => rawSockets.add(socket));
  const rawSockets = new Set<Socket>();
  const hits: Record<string, number> = {};
  let app = '';
  let other = '';
  let dashboardPort = 0;
  let silentPort = 0;
  let closedPort = 0;

  function routes(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://local');
    hits[url.pathname] = (hits[url.pathname] ?? 0) + 1;
    switch (url.pathname) {
      case '/hello':
        res.writeHead(200, { 'content-type': 'text/plain', 'x-test': 'yes' }).end('hello');
        return;
      case '/echo': {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () =>
          res.end(JSON.stringify({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString() })),
        );
        return;
      }
      case '/redirect':
        res
          .writeHead(Number(url.searchParams.get('status') ?? 302), { location: url.searchParams.get('to') ?? '/' })
          .end();
        return;
      case '/loop':
        res.writeHead(302, { location: '/loop' }).end();
        return;
      case '/big':
        res.writeHead(200).end(Buffer.alloc(1024 * 1024, 'x'));
        return;
      case '/stall':
        res.writeHead(200).write('partial');
        return;
      case '/trickle': {
        res.writeHead(200);
        const timer = setInterval(() => res.write('.'), 50);
        res.on('close', () => clearInterval(timer));
        return;
      }
      default:
        res.writeHead(404).end();
    }
  }

  async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  async function httpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
    const server = createServer(handler);
    servers.push(server);
    return listen(server);
  }

  beforeAll(async () => {
    app = `http://127.0.0.1:${await httpServer(routes)}`;
    other = `http://127.0.0.1:${await httpServer(routes)}`;
    dashboardPort = await httpServer((_req, res) => {
      hits.dashboard = (hits.dashboard ?? 0) + 1;
      res.end('dashboard');
    });
    silentPort = await listen(silent);
    const closed = createTcpServer();
    closedPort = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
  });

  afterAll(async () => {
    for (const socket of rawSockets) socket.destroy();
    for (const server of servers) server.closeAllConnections();
    await Promise.all([...servers, silent].map((server) => new Promise((resolve) => server.close(resolve))));
  });

  const open = () => createNetPolicy({ allowedOutboundHosts: LOCAL, blockNetworks: [] });

  describe('basics', () => {
    it('fetches from an allowed local server: status, headers, body', async () => {
      const result = ok(await open().fetch(`${app}/hello`, LIMITS));
      expect(result).toMatchObject({
        status: 200,
        statusText: 'OK',
        finalUrl: `${app}/hello`,
        truncated: false,
        redirects: [],
      });
      expect(result.headers).toMatchObject({ 'content-type': 'text/plain', 'x-test': 'yes' });
      expect(new TextDecoder().decode(result.body)).toBe('hello');
    });

    it('sends the method, headers and body it was given, and no cookies of its own', async () => {
      const result = await open().fetch(`${app}/echo`, {
        ...LIMITS,
        method: 'post',
        headers: { 'X-Custom': 'v', 'Content-Type': 'text/plain' },
        body: 'payload',
      });
      const echoed = JSON.parse(text(result));
      expect(echoed).toMatchObject({
        method: 'POST',
        body: 'payload',
        headers: { 'x-custom': 'v', 'content-type': 'text/plain' },
      });
      expect(echoed.headers.cookie).toBeUndefined();
      expect(echoed.headers.authorization).toBeUndefined();
    });

    it('reaches localhost through the resolver when nothing blocks loopback', async () => {
      expect(text(await open().fetch(`http://localhost:${new URL(app).port}/hello`, LIMITS))).toBe('hello');
    });

    it('refuses the same server under private, before connecting', async () => {
      const before = hits['/hello'] ?? 0;
      const policy = createNetPolicy({ allowedOutboundHosts: LOCAL, blockNetworks: ['private'] });
      expect(await policy.fetch(`${app}/hello`, LIMITS)).toEqual({
        ok: false,
        rule: 'blockNetworks',
        reason: 'blockNetworks: private (127.0.0.1 is loopback)',
      });
      expect(await policy.fetch(`http://localhost:${new URL(app).port}/hello`, LIMITS)).toMatchObject({
        ok: false,
        rule: 'blockNetworks',
        reason: expect.stringMatching(
          /^blockNetworks: private \(localhost resolves to (127\.0\.0\.1|::1), which is loopback\)$/,
        ),
      });
      expect(hits['/hello'] ?? 0).toBe(before);
    });

    it('returns network failures as refusals: connection refused, DNS failure', async () => {
      expect(await open().fetch(`http://127.0.0.1:${closedPort}/`, LIMITS)).toEqual({
        ok: false,
        rule: 'network',
        reason: `connection refused by 127.0.0.1:${closedPort}`,
      });
      const policy = createNetPolicy({ allowedOutboundHosts: ['*://*:*'], blockNetworks: [], lookup: fakeDns({}) });
      expect(await policy.fetch('http://x.invalid/', LIMITS)).toEqual({
        ok: false,
        rule: 'network',
        reason: 'DNS lookup failed for x.invalid',
      });
    });

    it('refuses URLs checkUrl refuses, and invalid requests and limits, without throwing', async () => {
      const policy = open();
      expect(await policy.fetch('file:///etc/passwd', LIMITS)).toMatchObject({ rule: 'scheme' });
      expect(await policy.fetch(`http://u:p@127.0.0.1:${new URL(app).port}/`, LIMITS)).toMatchObject({ rule: 'url' });
      expect(await policy.fetch(`${app}/echo`, { ...LIMITS, body: 'x' })).toMatchObject({
        rule: 'request',
        reason: expect.stringContaining('invalid request'),
      });
      expect(await policy.fetch(`${app}/echo`, { ...LIMITS, headers: { 'bad header': 'x' } })).toMatchObject({
        rule: 'request',
      });
      expect(await policy.fetch(`${app}/echo`, { ...LIMITS, maxBytes: -1 })).toMatchObject({ rule: 'request' });
      expect(await policy.fetch(`${app}/echo`, { ...LIMITS, timeoutMs: 0 })).toMatchObject({ rule: 'timeout' });
    });
  });

  describe('resolution at connect time', () => {
    it('uses the lookup override: a mapped name reaches the server when loopback is not blocked', async () => {
      const policy = createNetPolicy({
        allowedOutboundHosts: ['http://app.test:*'],
        blockNetworks: [],
        lookup: fakeDns({ 'app.test': ['127.0.0.1'] }),
      });
      const echoed = JSON.parse(text(await policy.fetch(`http://app.test:${new URL(app).port}/echo`, LIMITS)));
      expect(echoed.headers.host).toBe(`app.test:${new URL(app).port}`);
    });

    it('refuses an allowlisted name that resolves into a blocked network (DNS rebinding)', async () => {
      const before = hits['/hello'] ?? 0;
      const policy = createNetPolicy({
        allowedOutboundHosts: ['http://evil.test:*'],
        blockNetworks: ['private'],
        lookup: fakeDns({ 'evil.test': ['127.0.0.1'] }),
      });
      const url = `http://evil.test:${new URL(app).port}/hello`;
      expect(policy.checkUrl(url).ok).toBe(true);
      expect(await policy.fetch(url, LIMITS)).toEqual({
        ok: false,
        rule: 'blockNetworks',
        reason: 'blockNetworks: private (evil.test resolves to 127.0.0.1, which is loopback)',
      });
      expect(hits['/hello'] ?? 0).toBe(before);
    });

    it('refuses a name when any of its addresses is blocked, not only the first', async () => {
      const policy = createNetPolicy({
        allowedOutboundHosts: ['http://mixed.test'],
        blockNetworks: ['private'],
        lookup: fakeDns({ 'mixed.test': ['93.184.216.34', '::ffff:10.1.1.1'] }),
      });
      expect(await policy.fetch('http://mixed.test/', LIMITS)).toMatchObject({
        rule: 'blockNetworks',
        reason: expect.stringContaining(
          'mixed.test resolves to ::ffff:10.1.1.1 (10.1.1.1), which is a private network address',
        ),
      });
    });

    it('refuses a name that resolves to an IPv4-compatible or 6to4 form of a private address', async () => {
      const policy = createNetPolicy({
        allowedOutboundHosts: ['http://*.test'],
        blockNetworks: ['private'],
        lookup: fakeDns({ 'compat.test': ['::127.0.0.1'], '6to4.test': ['2002:a9fe:a9fe::1'] }),
      });
      expect(await policy.fetch('http://compat.test/', LIMITS)).toMatchObject({
        rule: 'blockNetworks',
        reason: expect.stringContaining('compat.test resolves to ::127.0.0.1 (127.0.0.1), which is loopback'),
      });
      expect(await policy.fetch('http://6to4.test/', LIMITS)).toMatchObject({
        rule: 'blockNetworks',
        reason: expect.stringContaining('(169.254.169.254), which is link-local'),
      });
    });

    it('refuses a resolver answer it cannot check', async () => {
      const policy = createNetPolicy({
        allowedOutboundHosts: ['http://odd.test'],
        blockNetworks: [],
        lookup: fakeDns({ 'odd.test': ['not-an-ip'] }),
      });
      expect(await policy.fetch('http://odd.test/', LIMITS)).toMatchObject({
        ok: false,
        rule: 'network',
        reason: expect.stringContaining('which is not an IP address'),
      });
    });
  });

  describe('blockedEndpoints', () => {
    const everywhere = (host = '127.0.0.1') =>
      createNetPolicy({
        allowedOutboundHosts: ['*://*:*'],
        blockNetworks: [],
        blockedEndpoints: [{ host, port: dashboardPort }],
      });

    it('refuses the dashboard on every way of writing its address, with blockNetworks empty', async () => {
      const policy = everywhere();
      expect(await policy.fetch(`http://127.0.0.1:${dashboardPort}/`, LIMITS)).toEqual({
        ok: false,
        rule: 'blockedEndpoints',
        reason: `blockedEndpoints: 127.0.0.1:${dashboardPort} is always refused`,
      });
      for (const host of ['localhost', '0.0.0.0', '[::ffff:127.0.0.1]', '2130706433', '127.0.0.2', '[::1]', '[::]']) {
        expect(await policy.fetch(`http://${host}:${dashboardPort}/`, LIMITS), host).toMatchObject({
          ok: false,
          rule: 'blockedEndpoints',
        });
      }
      expect(await policy.fetch(`http://localhost:${dashboardPort}/`, LIMITS)).toMatchObject({
        reason: expect.stringContaining(`localhost:${dashboardPort} reaches 127.0.0.1:${dashboardPort}`),
      });
      expect(hits.dashboard ?? 0).toBe(0);
    });

    it('still allows other ports on the same address', async () => {
      expect(text(await everywhere().fetch(`${app}/hello`, LIMITS))).toBe('hello');
    });

    it('compares a host name endpoint by name and by its resolved addresses', async () => {
      const policy = everywhere('localhost');
      expect(policy.checkUrl(`http://localhost:${dashboardPort}/`)).toMatchObject({
        ok: false,
        rule: 'blockedEndpoints',
      });
      expect(await policy.fetch(`http://127.0.0.1:${dashboardPort}/`, LIMITS)).toMatchObject({
        ok: false,
        rule: 'blockedEndpoints',
        reason: expect.stringContaining(`reaches localhost:${dashboardPort}`),
      });
      expect(hits.dashboard ?? 0).toBe(0);
    });

    it('refuses every request while a name endpoint cannot be resolved', async () => {
      const policy = createNetPolicy({
        allowedOutboundHosts: LOCAL,
        blockNetworks: [],
        blockedEndpoints: [{ host: 'dashboard.test', port: dashboardPort }],
        lookup: fakeDns({}),
      });
      expect(await policy.fetch(`${app}/hello`, LIMITS)).toMatchObject({
        ok: false,
        rule: 'blockedEndpoints',
        reason: expect.stringContaining('could not resolve dashboard.test'),
      });
    });
  });

  describe('redirects', () => {
    it('follows allowed redirects and records each hop', async () => {
      const result = ok(
        await open().fetch(`${app}/redirect?to=${encodeURIComponent(`${other}/redirect?to=/hello`)}`, LIMITS),
      );
      expect(result).toMatchObject({
        status: 200,
        finalUrl: `${other}/hello`,
        redirects: [`${other}/redirect?to=/hello`, `${other}/hello`],
      });
      expect(new TextDecoder().decode(result.body)).toBe('hello');
    });

    it('re-checks every hop with the whole policy', async () => {
      const policy = createNetPolicy({
        allowedOutboundHosts: LOCAL,
        blockNetworks: ['169.254.0.0/16'],
        blockedEndpoints: [{ host: '127.0.0.1', port: dashboardPort }],
      });
      const via = (to: string) => `${app}/redirect?to=${encodeURIComponent(to)}`;
      expect(await policy.fetch(via('http://169.254.169.254/latest/meta-data/'), LIMITS)).toEqual({
        ok: false,
        rule: 'blockNetworks',
        reason:
          'redirect to http://169.254.169.254/latest/meta-data/: blockNetworks: 169.254.0.0/16 (169.254.169.254 is in 169.254.0.0/16)',
      });
      expect(await policy.fetch(via('http://example.com/'), LIMITS)).toMatchObject({
        ok: false,
        rule: 'allowedOutboundHosts',
        reason: expect.stringContaining('redirect to http://example.com/'),
      });
      expect(await policy.fetch(via(`http://localhost:${dashboardPort}/`), LIMITS)).toMatchObject({
        ok: false,
        rule: 'blockedEndpoints',
      });
      expect(await policy.fetch(via('file:///etc/passwd'), LIMITS)).toMatchObject({ ok: false, rule: 'scheme' });
      expect(hits.dashboard ?? 0).toBe(0);
    });

    it('refuses a hop whose name resolves into a blocked network', async () => {
      const policy = createNetPolicy({
        allowedOutboundHosts: [...LOCAL, 'http://evil.test:*'],
        blockNetworks: ['10.0.0.0/8'],
        lookup: fakeDns({ 'evil.test': ['10.0.0.7'] }),
      });
      expect(
        await policy.fetch(`${app}/redirect?to=${encodeURIComponent('http://evil.test:81/')}`, LIMITS),
      ).toMatchObject({
        rule: 'blockNetworks',
        reason:
          'redirect to http://evil.test:81/: blockNetworks: 10.0.0.0/8 (evil.test resolves to 10.0.0.7, which is in 10.0.0.0/8)',
      });
    });

    it('caps a redirect loop at maxRedirects', async () => {
      const start = hits['/loop'] ?? 0;
      expect(await open().fetch(`${app}/loop`, { ...LIMITS, maxRedirects: 3 })).toMatchObject({
        ok: false,
        rule: 'redirects',
        reason: expect.stringContaining('stopped after 3 redirects'),
      });
      expect((hits['/loop'] ?? 0) - start).toBe(4);
      expect(await open().fetch(`${app}/loop`, LIMITS)).toMatchObject({
        rule: 'redirects',
        reason: expect.stringContaining('stopped after 5 redirects'),
      });
      expect(await open().fetch(`${app}/redirect?to=/hello`, { ...LIMITS, maxRedirects: 0 })).toMatchObject({
        rule: 'redirects',
      });
    });

    it('strips Authorization and Cookie on a cross-origin redirect, keeps them on a same-origin one', async () => {
      const headers = { Authorization: 'Bearer secret', Cookie: 'session=1', 'X-Keep': 'k' };
      const across = JSON.parse(
        text(await open().fetch(`${app}/redirect?to=${encodeURIComponent(`${other}/echo`)}`, { ...LIMITS, headers })),
      );
      expect(across.headers).toMatchObject({ 'x-keep': 'k' });
      expect(across.headers.authorization).toBeUndefined();
      expect(across.headers.cookie).toBeUndefined();
      const within = JSON.parse(text(await open().fetch(`${app}/redirect?to=/echo`, { ...LIMITS, headers })));
      expect(within.headers).toMatchObject({ authorization: 'Bearer secret', cookie: 'session=1' });
    });

    it('keeps the body on 307 and turns a POST into a GET on 303', async () => {
      const post = { ...LIMITS, method: 'POST', body: 'data' };
      expect(JSON.parse(text(await open().fetch(`${app}/redirect?status=307&to=/echo`, post)))).toMatchObject({
        method: 'POST',
        body: 'data',
      });
      expect(JSON.parse(text(await open().fetch(`${app}/redirect?status=303&to=/echo`, post)))).toMatchObject({
        method: 'GET',
        body: '',
      });
    });
  });

  describe('caps', () => {
    it('stops reading at maxBytes and says the body was truncated', async () => {
      const result = ok(await open().fetch(`${app}/big`, { ...LIMITS, maxBytes: 1000 }));
      expect(result.truncated).toBe(true);
      expect(result.body).toEqual(new Uint8Array(1000).fill('x'.charCodeAt(0)));
      const exact = ok(await open().fetch(`${app}/hello`, { ...LIMITS, maxBytes: 5 }));
      expect(exact).toMatchObject({ truncated: false, body: new TextEncoder().encode('hello') });
    });

    it.each([
      ['stalls after the headers', '/stall'],
      ['trickles its body', '/trickle'],
    ])('cuts a server that %s at timeoutMs', async (_what, path) => {
      const started = performance.now();
      const result = await open().fetch(`${app}${path}`, { ...LIMITS, timeoutMs: 300 });
      expect(performance.now() - started).toBeLessThan(800);
      expect(result).toEqual({ ok: false, rule: 'timeout', reason: expect.stringContaining('timed out after 300 ms') });
    });

    it('cuts a server that accepts the connection and never answers', async () => {
      const started = performance.now();
      expect(await open().fetch(`http://127.0.0.1:${silentPort}/`, { ...LIMITS, timeoutMs: 300 })).toMatchObject({
        ok: false,
        rule: 'timeout',
      });
      expect(performance.now() - started).toBeLessThan(800);
    });

    it('counts redirects against the same deadline', async () => {
      const started = performance.now();
      const result = await open().fetch(`${app}/redirect?to=${encodeURIComponent(`${other}/stall`)}`, {
        ...LIMITS,
        timeoutMs: 300,
      });
      expect(result).toMatchObject({ ok: false, rule: 'timeout' });
      expect(performance.now() - started).toBeLessThan(800);
    });

    it('stops when the caller cancels', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      expect(await open().fetch(`${app}/stall`, { ...LIMITS, signal: controller.signal })).toEqual({
        ok: false,
        rule: 'cancelled',
        reason: 'the request was cancelled',
      });
    });
  });

  describe('connect', () => {
    /** fakeDns, counting the questions it is asked. */
    const counted = (names: Record<string, string[]>) => {
      const calls: string[] = [];
      const inner = fakeDns(names);
      const lookup: LookupAll = (hostname, options, callback) => {
        calls.push(hostname);
        inner(hostname, options, callback);
      };
      return { calls, lookup };
    };

    it('opens a TCP connection to an allowed name, resolving it once', async () => {
      const dns = counted({ 'app.test': ['127.0.0.1'] });
      const policy = createNetPolicy({ allowedOutboundHosts: ['http://app.test:*'], blockNetworks: [], ...dns });
      const port = Number(new URL(app).port);
      const result = await policy.connect(`http://app.test:${port}/ignored`, { timeoutMs: 2_000 });
      if (!result.ok) throw new Error(result.reason);
      expect(result.socket.remotePort).toBe(port);
      result.socket.destroy();
      expect(dns.calls).toEqual(['app.test']);
    });

    it('refuses without a lookup what the URL checks refuse, and after one what the addresses do', async () => {
      const dns = counted({ 'evil.test': ['93.184.216.34', '127.0.0.1'] });
      const policy = createNetPolicy({
        allowedOutboundHosts: ['https://evil.test'],
        blockNetworks: ['private'],
        ...dns,
      });
      expect(await policy.connect('https://other.test/', { timeoutMs: 2_000 })).toMatchObject({
        rule: 'allowedOutboundHosts',
      });
      expect(dns.calls).toEqual([]);
      expect(await policy.connect('https://evil.test/', { timeoutMs: 2_000 })).toEqual({
        ok: false,
        rule: 'blockNetworks',
        reason: 'blockNetworks: private (evil.test resolves to 127.0.0.1, which is loopback)',
      });
      expect(dns.calls).toEqual(['evil.test']);
    });

    it('stops connecting when cancelled', async () => {
      const controller = new AbortController();
      const policy = createNetPolicy({
        allowedOutboundHosts: ['http://slow.test'],
        blockNetworks: [],
        lookup: () => controller.abort(),
      });
      expect(await policy.connect('http://slow.test/', { timeoutMs: 2_000, signal: controller.signal })).toEqual({
        ok: false,
        rule: 'cancelled',
        reason: 'the request was cancelled',
      });
    });
  });
});

describe('describeNetPolicy', () => {
  it('sums up the policy in one line', () => {
    const policy = createNetPolicy({
      allowedOutboundHosts: ['https://*.github.com'],
      blockNetworks: ['private'],
      blockedEndpoints: [{ host: '127.0.0.1', port: 30001 }],
    });
    expect(describeNetPolicy(policy)).toBe(
      "network allowed to https://*.github.com; blocked for private, and this runtime's own server (1 endpoint)",
    );
    expect(describeNetPolicy(createNetPolicy({ allowedOutboundHosts: [], blockNetworks: [] }))).toBe(
      'network allowed to no hosts; blocked for no networks',
    );
  });
});
