import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JSON_BODY_LIMIT } from '../../src/server/app';
import { startTestServer } from '../helpers/server';

/** A raw request, so the test controls the Host header (fetch does not let it be set). */
function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }>(
    (resolve, reject) => {
      const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
      });
      req.on('error', reject);
      req.end(options.body);
    },
  );
}

describe('server guard', () => {
  it('answers health with version, workspace folder name and path, and uptime', async () => {
    const s = await startTestServer();
    const res = await s.fetch('/api/health');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.workspace).toBe(s.workspaceDir.split('/').pop());
    expect(body.uptimeMs).toBeTypeOf('number');
    // The dashboard shows which folder is served; every route, this one too, is behind the admin sign-in when set.
    expect(body.workspaceDir).toBe(s.workspaceDir);
  });

  it('refuses a foreign Host header (DNS rebinding) and accepts loopback names', async () => {
    const s = await startTestServer();
    const evil = await rawRequest(`${s.url}/api/health`, { headers: { Host: 'evil.example' } });
    expect(evil.status).toBe(421);
    expect(JSON.parse(evil.body).error.code).toBe('misdirected_request');
    const evilWithPort = await rawRequest(`${s.url}/api/health`, {
      headers: { Host: `evil.example:${s.server.port}` },
    });
    expect(evilWithPort.status).toBe(421);
    for (const host of [`localhost:${s.server.port}`, `127.0.0.1:${s.server.port}`, `[::1]:${s.server.port}`]) {
      expect((await rawRequest(`${s.url}/api/health`, { headers: { Host: host } })).status).toBe(200);
    }
  });

  it('accepts a host name once it is added to server.allowedHosts', async () => {
    const s = await startTestServer();
    const before = await rawRequest(`${s.url}/api/health`, { headers: { Host: 'box.example.com' } });
    expect(before.status).toBe(421);
    expect(
      (
        await s.fetch('/api/settings', {
          method: 'PATCH',
          body: JSON.stringify({ server: { allowedHosts: ['box.example.com'] } }),
        })
      ).status,
    ).toBe(200);
    const after = await rawRequest(`${s.url}/api/health`, { headers: { Host: 'box.example.com' } });
    expect(after.status).toBe(200);
  });

  it('refuses state-changing requests from another origin or with no origin', async () => {
    const s = await startTestServer();
    const body = JSON.stringify({ ui: { theme: 'dark' } });
    const evil = await s.fetch('/api/settings', { method: 'PATCH', headers: { Origin: 'http://evil.example' }, body });
    expect(evil.status).toBe(403);
    expect(((await evil.json()) as { error: { code: string } }).error.code).toBe('forbidden_origin');
    const none = await rawRequest(`${s.url}/api/settings`, { method: 'PATCH', body });
    expect(none.status).toBe(403);
    expect(JSON.parse(none.body).error.code).toBe('origin_required');
    const sameSite = await rawRequest(`${s.url}/api/settings`, {
      method: 'PATCH',
      headers: { 'Sec-Fetch-Site': 'same-origin' },
      body,
    });
    expect(sameSite.status).toBe(200);
    expect(JSON.parse(await readFile(join(s.workspaceDir, '.boxagnts', 'settings.json'), 'utf8'))).toEqual({
      ui: { theme: 'dark' },
    });
  });

  it('sets the security headers on every response', async () => {
    const s = await startTestServer();
    for (const path of ['/api/health', '/chat', '/api/nope']) {
      const res = await s.fetch(path);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});

describe('settings API', () => {
  it('returns settings with defaults and applies a validated partial update', async () => {
    const s = await startTestServer();
    const initial = (await (await s.fetch('/api/settings')).json()) as { ui: { theme: string } };
    expect(initial.ui.theme).toBe('system');
    const res = await s.fetch('/api/settings', { method: 'PATCH', body: JSON.stringify({ ui: { theme: 'light' } }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ui: { theme: string } }).ui.theme).toBe('light');
  });

  it('answers bad input with 400, the field and nothing written', async () => {
    const s = await startTestServer();
    const file = join(s.workspaceDir, '.boxagnts', 'settings.json');
    const before = await readFile(file, 'utf8');
    const bad = await s.fetch('/api/settings', { method: 'PATCH', body: JSON.stringify({ ui: { theme: 'neon' } }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_settings', field: 'ui.theme' } });
    const notJson = await s.fetch('/api/settings', { method: 'PATCH', body: '{nope' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: 'invalid_json' } });
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('answers 409 and keeps a settings.json broken by hand after start', async () => {
    const s = await startTestServer();
    const file = join(s.workspaceDir, '.boxagnts', 'settings.json');
    await writeFile(file, '{ "ui": ');
    const res = await s.fetch('/api/settings', { method: 'PATCH', body: JSON.stringify({ ui: { theme: 'dark' } }) });
    expect(res.status).toBe(409);
    expect(await readFile(file, 'utf8')).toBe('{ "ui": ');
  });

  it('refuses prototype keys in request bodies with a 400 naming the key, and leaves settings as they were', async () => {
    const s = await startTestServer();
    const file = join(s.workspaceDir, '.boxagnts', 'settings.json');
    const before = await readFile(file, 'utf8');
    const cases: [string, string, string, string][] = [
      ['PATCH', '/api/settings', '{"__proto__": {"agent": {"maxTurns": 7}}}', '__proto__'],
      ['PATCH', '/api/settings', '{"agent": {"constructor": {"maxTurns": 7}}}', 'agent.constructor'],
      [
        'PUT',
        '/api/providers/local',
        '{"kind": "openai-compatible", "baseURL": "http://127.0.0.1:1/v1", "__proto__": {"enabled": false}}',
        '__proto__',
      ],
      [
        'POST',
        '/api/sessions/import',
        '{"session": {"title": "t"}, "events": [{"type": "message.user", "prototype": {}}]}',
        'events[0].prototype',
      ],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await s.fetch(path, { method, headers: { 'Content-Type': 'application/json' }, body });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(await res.json()).toMatchObject({
        error: {
          code: 'invalid_request',
          field,
          message: `${field}: "${field.split('.').at(-1)}" is not allowed as a key`,
        },
      });
    }
    expect(((await (await s.fetch('/api/settings')).json()) as { agent: { maxTurns: number } }).agent.maxTurns).toBe(
      50,
    );
    expect(s.server.context.workspace.settings.get().agent.maxTurns).toBe(50);
    expect(await readFile(file, 'utf8')).toBe(before);
    // A provider id is a key of settings and secrets too.
    expect((await s.fetch('/api/providers/constructor', { method: 'PUT', body: '{"kind": "openai"}' })).status).toBe(
      400,
    );
  });

  it('answers 409 naming the field when settings.json gained a prototype key by hand', async () => {
    const s = await startTestServer();
    const file = join(s.workspaceDir, '.boxagnts', 'settings.json');
    await writeFile(file, '{\n  "__proto__": { "agent": { "maxTurns": 7 } }\n}\n');
    const res = await s.fetch('/api/settings', { method: 'PATCH', body: JSON.stringify({ ui: { theme: 'dark' } }) });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'settings_file_invalid', field: '__proto__', line: 2 } });
  });

  it('limits body size with a 413', async () => {
    const s = await startTestServer();
    const res = await s.fetch('/api/settings', {
      method: 'PATCH',
      body: JSON.stringify({ pad: 'x'.repeat(JSON_BODY_LIMIT) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('never returns a stored key', async () => {
    const s = await startTestServer();
    await s.server.context.workspace.secrets.setProviderKey('openai', 'sk-never-shown-123');
    for (const path of ['/api/settings', '/api/health'])
      expect(await (await s.fetch(path)).text()).not.toContain('sk-never-shown-123');
  });
});

describe('dashboard serving', () => {
  it('serves index.html for client routes and caches hashed assets for good', async () => {
    const s = await startTestServer();
    const page = await s.fetch('/settings/general');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await s.fetch(asset!);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
  });

  it('answers unknown API routes and missing files with JSON 404s, never index.html', async () => {
    const s = await startTestServer();
    const api = await s.fetch('/api/nothing-here');
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: { code: 'not_found' } });
    expect((await s.fetch('/assets/missing.js')).status).toBe(404);
    expect((await s.fetch('/../package.json')).status).not.toBe(200);
  });
});

describe('admin sign-in', () => {
  const admin = { user: 'ada', pass: 'correct horse' };
  const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

  it('requires HTTP Basic when admin credentials are set', async () => {
    const s = await startTestServer({ admin });
    const anonymous = await s.fetch('/api/health');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await s.fetch('/api/health', { headers: { Authorization: basic('ada', 'wrong') } })).status).toBe(401);
    expect((await s.fetch('/api/health', { headers: { Authorization: basic('bob', 'correct horse') } })).status).toBe(
      401,
    );
    expect((await s.fetch('/api/health', { headers: { Authorization: basic('ada', 'correct horse') } })).status).toBe(
      200,
    );
    expect((await s.fetch('/chat', { headers: { Authorization: basic('ada', 'correct horse') } })).status).toBe(200);
  });

  it('leaves /sites/ outside the sign-in', async () => {
    const s = await startTestServer({ admin });
    expect((await s.fetch('/sites/anything')).status).not.toBe(401);
  });
});
