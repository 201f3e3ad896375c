import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { type OAuthMcpProxy, startOAuthMcpProxy } from '../fixtures/oauth-mcp-proxy';
import { EVERYTHING, everything, startEverythingHttp } from '../helpers/mcp-servers';
import { type TestServer, startTestServer } from '../helpers/server';
import { tempDir } from '../helpers/workspace';

const servers: TestServer[] = [];
const others: (ChildProcess | OAuthMcpProxy)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const other of others.splice(0)) {
    if ('kill' in other) other.kill('SIGKILL');
    else await other.close();
  }
});

/** The everything server over Streamable HTTP, ended after the test. */
async function everythingOverHttp(): Promise<string> {
  const { url, child } = await startEverythingHttp();
  others.push(child);
  return url;
}

async function start(): Promise<{ server: TestServer; dir: string }> {
  const dir = await tempDir('boxagnts-mcp-api-');
  const server = await startTestServer({ workspaceDir: dir });
  servers.push(server);
  return { server, dir };
}

const json = async (server: TestServer, path: string, method = 'GET', body?: unknown) => {
  const res = await server.fetch(path, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } } : {}),
  });
  return { status: res.status, body: (await res.json()) as any };
};

/** Polls the overview until `check` holds for the named server. */
async function until(server: TestServer, name: string, check: (status: any) => boolean): Promise<any> {
  for (;;) {
    const { body } = await json(server, '/api/mcp');
    const status = body.servers.find((s: any) => s.name === name);
    if (status && check(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the MCP API', () => {
  it('adds a server, lists its tools with their cost, switches one off, restarts it, shows its log and removes it', async () => {
    const { server, dir } = await start();
    const bad = await json(server, '/api/mcp/servers/everything', 'PUT', { args: ['x'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/either a command .* or a url/);

    expect((await json(server, '/api/mcp/servers/everything', 'PUT', everything)).status).toBe(200);
    const ready = await until(server, 'everything', (s) => s.state === 'ready');
    expect(ready.transport).toBe('stdio');
    const echo = ready.tools.find((t: any) => t.name === 'echo');
    expect(echo).toMatchObject({ toolName: 'mcp__everything__echo', level: 'execute', enabled: true });
    expect(echo.tokens).toBeGreaterThan(10);
    const settings = JSON.parse(await readFile(join(dir, '.boxagnts', 'settings.json'), 'utf8'));
    expect(settings.mcp.servers.everything.command).toBe(process.execPath);

    await json(server, '/api/mcp/servers/everything/tools/echo', 'PUT', { enabled: false });
    await until(
      server,
      'everything',
      (s) => s.state === 'ready' && s.tools.find((t: any) => t.name === 'echo')?.enabled === false,
    );
    const tools = (await json(server, '/api/tools')).body.tools.map((t: any) => t.name);
    expect(tools).not.toContain('mcp__everything__echo');
    expect(tools).toContain('mcp__everything__get-sum');

    const restarted = await json(server, '/api/mcp/servers/everything/restart', 'POST');
    expect(restarted.body.state).toBe('ready');
    const log = await (await server.fetch('/api/mcp/servers/everything/log')).text();
    expect(log).toMatch(/connecting \(stdio\)/);
    expect(log).toMatch(/Starting default \(STDIO\) server/);

    const prompts = await json(server, '/api/mcp/servers/everything/prompts');
    expect(prompts.body.prompts.length).toBeGreaterThan(0);
    expect(prompts.body.prompts[0].command).toMatch(/^\/mcp__everything__/);
    const resources = await json(server, '/api/mcp/servers/everything/resources');
    expect(resources.body.resources.length).toBeGreaterThan(0);
    const uri = resources.body.resources[0].uri;
    const read = await json(server, `/api/mcp/servers/everything/resources/read?uri=${encodeURIComponent(uri)}`);
    expect(read.body.contents[0].uri).toBe(uri);

    expect((await json(server, '/api/mcp/servers/everything', 'DELETE')).body).toEqual({ deleted: 'everything' });
    expect((await json(server, '/api/mcp')).body.servers).toEqual([]);
    expect((await json(server, '/api/mcp/servers/everything/log')).status).toBe(404);
  });

  it('keeps secrets out of a server’s log, and switching a tool does not restart the server', async () => {
    const { server, dir } = await start();
    const script = join(dir, 'leaky.mjs');
    await writeFile(script, 'process.stderr.write(`my token is ${process.env.TOKEN}\\n`); process.exit(1);\n');
    await json(server, '/api/mcp/secrets/leaky-token', 'PUT', { value: 'sk-leaky-0123456789abcdef' });
    await json(server, '/api/mcp/servers/leaky', 'PUT', {
      command: process.execPath,
      args: [script],
      env: { TOKEN: { secret: 'leaky-token' } },
    });
    await until(server, 'leaky', (s) => s.state === 'failed');
    const log = await (await server.fetch('/api/mcp/servers/leaky/log')).text();
    expect(log).toContain('my token is');
    expect(log).not.toContain('sk-leaky-0123456789abcdef');

    await json(server, '/api/mcp/servers/everything', 'PUT', everything);
    const before = await until(server, 'everything', (s) => s.state === 'ready');
    await json(server, '/api/mcp/servers/everything/tools/echo', 'PUT', { enabled: false });
    const after = await until(
      server,
      'everything',
      (s) => s.tools.find((t: any) => t.name === 'echo')?.enabled === false,
    );
    expect(after.state).toBe('ready');
    // The same connection: its log goes on (a new one would start empty).
    const logAfter = await (await server.fetch('/api/mcp/servers/everything/log')).text();
    expect(logAfter.match(/connecting \(stdio\)/g)).toHaveLength(1);
    expect(before.serverInfo).toEqual(after.serverInfo);
  });

  it('tests a server before it is saved, and says clearly when it cannot start', async () => {
    const { server, dir } = await start();
    const good = await json(server, '/api/mcp/test', 'POST', { config: everything });
    expect(good.body).toMatchObject({ state: 'ready' });
    expect(good.body.tools.length).toBeGreaterThan(5);
    const missing = await json(server, '/api/mcp/test', 'POST', { config: { command: 'boxagnts-no-such-command' } });
    expect(missing.body).toMatchObject({ state: 'failed' });
    expect(missing.body.reason).toMatch(/"boxagnts-no-such-command" was not found/);
    // Nothing was saved.
    const settings = JSON.parse(await readFile(join(dir, '.boxagnts', 'settings.json'), 'utf8').catch(() => '{}'));
    expect(settings.mcp).toBeUndefined();
  });

  it('imports servers from .mcp.json after a preview, moving their values to secrets.json', async () => {
    const { server, dir } = await start();
    await writeFile(
      join(dir, '.mcp.json'),
      JSON.stringify({
        mcpServers: {
          Everything: { command: process.execPath, args: [EVERYTHING, 'stdio'], env: { API_TOKEN: 'tok-secret-123' } },
          docs: {
            type: 'http',
            url: 'https://example.invalid/mcp',
            headers: { Authorization: 'Bearer hdr-secret-456' },
          },
          broken: { args: ['nothing to run'] },
        },
      }),
    );
    const preview = await json(server, '/api/mcp/import');
    const source = preview.body.sources.find((s: any) => s.source === '.mcp.json');
    expect(source.servers.map((s: any) => s.name)).toEqual(['everything', 'docs']);
    expect(source.problems).toEqual([expect.stringMatching(/^broken: neither a command nor a url/)]);
    expect(JSON.stringify(preview.body)).not.toContain('tok-secret-123');
    expect(source.servers[0].secrets).toEqual(['mcp-everything-env-API_TOKEN']);

    const imported = await json(server, '/api/mcp/import', 'POST', { source: '.mcp.json', names: ['everything'] });
    expect(imported.body).toEqual({ imported: ['everything'] });
    const settingsText = await readFile(join(dir, '.boxagnts', 'settings.json'), 'utf8');
    expect(settingsText).not.toContain('tok-secret-123');
    expect(JSON.parse(settingsText).mcp.servers.everything.env).toEqual({
      API_TOKEN: { secret: 'mcp-everything-env-API_TOKEN' },
    });
    const secrets = JSON.parse(await readFile(join(dir, '.boxagnts', 'secrets.json'), 'utf8'));
    expect(secrets.values['mcp-everything-env-API_TOKEN']).toBe('tok-secret-123');
    expect((await json(server, '/api/mcp/secrets')).body).toEqual({ names: ['mcp-everything-env-API_TOKEN'] });
    await until(server, 'everything', (s) => s.state === 'ready');
  });

  it('authorizes a remote server that asks for OAuth: link on the page, callback on the dashboard, tokens in secrets', async () => {
    const proxy = await startOAuthMcpProxy(await everythingOverHttp());
    others.push(proxy);
    const { server, dir } = await start();
    await json(server, '/api/mcp/servers/remote', 'PUT', { url: proxy.mcpUrl });
    const waiting = await until(server, 'remote', (s) => s.authorizeUrl !== undefined);
    expect(waiting).toMatchObject({ state: 'failed', reason: expect.stringMatching(/needs authorization/) });
    const link = new URL(waiting.authorizeUrl);
    expect(link.origin).toBe(proxy.url);
    expect(link.searchParams.get('code_challenge_method')).toBe('S256');
    expect(link.searchParams.get('redirect_uri')).toBe(`${server.url}/api/mcp/oauth/callback`);

    // A callback with another state is refused and changes nothing.
    const forged = await fetch(`${server.url}/api/mcp/oauth/callback?code=x&state=not-the-one`);
    expect(forged.status).toBe(400);

    // The user approves in the browser; the authorization server sends the browser back to the dashboard.
    const approved = await fetch(link, { redirect: 'manual' });
    const callback = approved.headers.get('location')!;
    expect(callback.startsWith(`${server.url}/api/mcp/oauth/callback?`)).toBe(true);
    const landed = await fetch(callback);
    expect(landed.status).toBe(200);
    expect(await landed.text()).toContain('MCP server authorized');

    const ready = await until(server, 'remote', (s) => s.state === 'ready');
    expect(ready.tools.map((t: any) => t.toolName)).toContain('mcp__remote__echo');
    expect(proxy.issued).toHaveLength(1);
    const secrets = await readFile(join(dir, '.boxagnts', 'secrets.json'), 'utf8');
    expect(secrets).toContain(proxy.issued[0]);
    expect(await readFile(join(dir, '.boxagnts', 'settings.json'), 'utf8')).not.toContain(proxy.issued[0]);
    // A restart reuses the stored token: no new authorization.
    expect((await json(server, '/api/mcp/servers/remote/restart', 'POST')).body.state).toBe('ready');
    expect(proxy.issued).toHaveLength(1);
  });
});
