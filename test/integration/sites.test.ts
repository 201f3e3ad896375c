import { request as httpRequest } from 'node:http';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type TestServer, runCli, startTestServer } from '../helpers/server';
import { tempDir } from '../helpers/workspace';

/** A raw request: the path is sent byte for byte, never normalised the way fetch() would. */
function raw(
  s: TestServer,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function publish(s: TestServer, name: string, body: Record<string, unknown>) {
  const response = await s.fetch(`/api/sites/${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json();
}

async function siteWorkspace() {
  const s = await startTestServer();
  const root = s.workspaceDir;
  const site = join(root, 'build', 'docs');
  await mkdir(join(site, 'guide'), { recursive: true });
  await mkdir(join(site, 'empty'), { recursive: true });
  await writeFile(join(site, 'index.html'), '<!doctype html><title>Docs</title><h1>Docs home</h1>');
  await writeFile(join(site, 'guide', 'index.html'), '<h1>Guide</h1>');
  await writeFile(join(site, 'style.css'), 'body { color: teal }');
  await writeFile(join(site, 'app.js'), 'console.log(1)');
  await writeFile(join(site, 'data.json'), '{"a":1}');
  await writeFile(join(site, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(site, 'digits.txt'), '0123456789');
  await writeFile(join(site, '.env'), 'SECRET=1');
  await writeFile(join(root, 'build', 'sibling.txt'), 'SIBLING');
  await writeFile(join(root, '.boxagnts', 'marker.txt'), 'sk-secret');
  const outside = await tempDir('boxagnts-outside-');
  await writeFile(join(outside, 'secret.txt'), 'OUTSIDE');
  await symlink(join(outside, 'secret.txt'), join(site, 'outside.txt'));
  await symlink(outside, join(site, 'outside-dir'));
  await symlink(join(site, 'style.css'), join(site, 'inside.css'));
  await symlink(join(root, '.boxagnts'), join(site, 'data'));
  await publish(s, 'docs', { folder: 'build/docs' });
  return { s, root, site };
}

const CSP = /^sandbox allow-scripts allow-forms allow-popups[^;]*;/;

function expectSiteHeaders(headers: Record<string, string | string[] | undefined>, what: string) {
  const csp = String(headers['content-security-policy']);
  expect(csp, what).toMatch(CSP);
  expect(csp, what).not.toContain('allow-same-origin');
  expect(csp, what).toContain("default-src 'self' data: blob: 'unsafe-inline'");
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['referrer-policy'], what).toBe('no-referrer');
  expect(headers['access-control-allow-origin'], what).toBeUndefined();
}

describe('sites: the static handler', () => {
  it('refuses every way out of the folder, links, the runtime folder and dotfiles with a 404', async () => {
    const { s } = await siteWorkspace();
    const attempts = [
      '/sites/docs/../sibling.txt',
      '/sites/docs/%2e%2e/sibling.txt',
      '/sites/docs/%252e%252e/sibling.txt',
      '/sites/docs/..%2fsibling.txt',
      '/sites/docs/..%5csibling.txt',
      '/sites/docs/%5c..%5csibling.txt',
      '/sites/docs/guide%5c..%5c..%5csibling.txt',
      '/sites/docs/outside.txt',
      '/sites/docs/outside-dir/secret.txt',
      '/sites/docs/inside.css',
      '/sites/docs/data/marker.txt',
      '/sites/docs/.env',
      '/sites/docs/%2eenv',
      '/sites/docs/.boxagnts/marker.txt',
      '/sites/docs/%00',
      '/sites/docs/%zz',
      '/sites/docs//style.css',
      '/sites/nope/',
      '/sites/Docs/',
      '/sites/',
    ];
    for (const path of attempts) {
      const response = await raw(s, path);
      expect(response.status, path).toBe(404);
      expect(response.body, path).not.toMatch(/OUTSIDE|SIBLING|sk-secret|SECRET=1|teal/);
      expectSiteHeaders(response.headers, path);
    }
    // Climbing past /sites/ itself (the URL parser folds `%2e%2e` like `..`) leaves the sites for the dashboard,
    // which serves no workspace file.
    const above = await raw(s, '/sites/docs/%2E%2E/%2e%2e/.boxagnts/marker.txt');
    expect(above.status).toBe(404);
    expect(above.body).not.toContain('sk-secret');
  });

  it('serves index.html for folders, redirects the bare name, and answers with content types', async () => {
    const { s } = await siteWorkspace();
    const bare = await raw(s, '/sites/docs?x=1');
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe('/sites/docs/?x=1');
    expectSiteHeaders(bare.headers, 'redirect');
    const home = await raw(s, '/sites/docs/');
    expect(home.status).toBe(200);
    expect(home.body).toContain('Docs home');
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
    expectSiteHeaders(home.headers, 'home');
    const folder = await raw(s, '/sites/docs/guide');
    expect(folder.status).toBe(301);
    expect(folder.headers.location).toBe('/sites/docs/guide/');
    expect((await raw(s, '/sites/docs/guide/')).body).toContain('Guide');
    for (const [file, type] of [
      ['style.css', 'text/css; charset=utf-8'],
      ['app.js', 'text/javascript; charset=utf-8'],
      ['data.json', 'application/json; charset=utf-8'],
      ['logo.svg', 'image/svg+xml'],
      ['digits.txt', 'text/plain; charset=utf-8'],
    ] as const) {
      const response = await raw(s, `/sites/docs/${file}`);
      expect(response.status, file).toBe(200);
      expect(response.headers['content-type'], file).toBe(type);
      expectSiteHeaders(response.headers, file);
    }
    // No listing unless the site asks for one.
    expect((await raw(s, '/sites/docs/empty/')).status).toBe(404);
    await publish(s, 'docs', { folder: 'build/docs', listing: true });
    const listing = await raw(s, '/sites/docs/empty/');
    expect(listing.status).toBe(200);
    const top = await raw(s, '/sites/docs/guide/../');
    expect(top.body).toContain('Docs home');
  });

  it('answers ETag and Last-Modified with 304s, ranges with 206 and 416, HEAD without a body, and only GET/HEAD', async () => {
    const { s } = await siteWorkspace();
    const first = await raw(s, '/sites/docs/digits.txt');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(first.headers['last-modified']).toBeTruthy();
    expect(first.headers['accept-ranges']).toBe('bytes');
    const again = await raw(s, '/sites/docs/digits.txt', 'GET', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expectSiteHeaders(again.headers, '304');
    const since = await raw(s, '/sites/docs/digits.txt', 'GET', {
      'if-modified-since': String(first.headers['last-modified']),
    });
    expect(since.status).toBe(304);
    const range = await raw(s, '/sites/docs/digits.txt', 'GET', { range: 'bytes=2-4' });
    expect(range.status).toBe(206);
    expect(range.body).toBe('234');
    expect(range.headers['content-range']).toBe('bytes 2-4/10');
    const suffix = await raw(s, '/sites/docs/digits.txt', 'GET', { range: 'bytes=-3' });
    expect(suffix.body).toBe('789');
    const open = await raw(s, '/sites/docs/digits.txt', 'GET', { range: 'bytes=7-' });
    expect(open.body).toBe('789');
    const beyond = await raw(s, '/sites/docs/digits.txt', 'GET', { range: 'bytes=20-30' });
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe('bytes */10');
    expectSiteHeaders(beyond.headers, '416');
    const stale = await raw(s, '/sites/docs/digits.txt', 'GET', { range: 'bytes=2-4', 'if-range': '"old"' });
    expect(stale.status).toBe(200);
    expect(stale.body).toBe('0123456789');
    const head = await raw(s, '/sites/docs/digits.txt', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('10');
    expect(head.body).toBe('');
    const post = await s.fetch('/sites/docs/digits.txt', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(post.headers.get('content-security-policy')).toMatch(CSP);
  });

  it('keeps the Host check, serves nothing turned off, and nothing but public sites beyond loopback', async () => {
    const { s } = await siteWorkspace();
    const rebound = await raw(s, '/sites/docs/', 'GET', { host: 'evil.example' });
    expect(rebound.status).toBe(421);
    expectSiteHeaders(rebound.headers, '421');
    await publish(s, 'docs', { folder: 'build/docs', enabled: false });
    expect((await raw(s, '/sites/docs/')).status).toBe(404);
    const list: any = await (await s.fetch('/api/sites')).json();
    expect(list.sites[0]).toMatchObject({ name: 'docs', enabled: false, served: false, folderExists: true });
    expect(list.sites[0].reachableBy).toMatch(/Nobody/);

    const exposed = await startTestServer({
      host: '0.0.0.0',
      admin: { user: 'admin', pass: 'secret' },
      workspaceDir: s.workspaceDir,
    });
    const local = (path: string) =>
      raw({ ...exposed, url: exposed.url.replace('0.0.0.0', '127.0.0.1') }, path, 'GET', {
        authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}`,
      });
    await exposed.fetch('/api/sites/docs', {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from('admin:secret').toString('base64')}`,
      },
      body: JSON.stringify({ folder: 'build/docs', enabled: true }),
    });
    expect((await local('/sites/docs/')).status).toBe(404);
    const listed: any = JSON.parse((await local('/api/sites')).body);
    expect(listed.exposed).toBe(true);
    expect(listed.sites[0].reachableBy).toMatch(/not marked public/);
    await writeFile(
      join(s.workspaceDir, '.boxagnts', 'sites.json'),
      JSON.stringify({ sites: [{ name: 'docs', folder: 'build/docs', public: true }] }),
    );
    // No sign-in for a public site; the dashboard still asks for one.
    const anonymous = await raw({ ...exposed, url: exposed.url.replace('0.0.0.0', '127.0.0.1') }, '/sites/docs/');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toContain('Docs home');
    const api = await raw({ ...exposed, url: exposed.url.replace('0.0.0.0', '127.0.0.1') }, '/api/sites');
    expect(api.status).toBe(401);
  });
});

describe('sites: the list and the API', () => {
  it('validates names and folders through the contract and the confiner', async () => {
    const s = await startTestServer();
    const put = (name: string, body: unknown) =>
      s.fetch(`/api/sites/${name}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const [name, body, field] of [
      ['Bad_Name', { folder: 'x' }, undefined],
      ['ok', { folder: '../x' }, 'folder'],
      ['ok', { folder: '/etc' }, 'folder'],
      ['ok', { folder: 'a\\b' }, 'folder'],
      ['ok', { folder: '.boxagnts/sessions' }, 'folder'],
      ['ok', { folder: '' }, 'folder'],
      ['ok', { folder: 'x', extra: 1 }, undefined],
    ] as const) {
      const response = await put(name, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error: any = await response.json();
      if (field) expect(error.error.field).toBe(field);
    }
    expect((await s.fetch('/api/sites/none', { method: 'DELETE' })).status).toBe(404);
    const saved: any = await (await put('docs', { folder: 'not/yet' })).json();
    expect(saved.site).toMatchObject({ url: '/sites/docs/', folderExists: false, served: false });
    const file = JSON.parse(await readFile(join(s.workspaceDir, '.boxagnts', 'sites.json'), 'utf8'));
    expect(file).toEqual({
      sites: [{ name: 'docs', folder: 'not/yet', enabled: true, listing: false, dotfiles: false, public: false }],
    });
    expect((await s.fetch('/api/sites/docs', { method: 'DELETE' })).status).toBe(200);
    const list: any = await (await s.fetch('/api/sites')).json();
    expect(list).toEqual({ sites: [], problem: null, exposed: false });
  });

  it('reports a broken sites.json with its field and line, serves no site, and keeps the server up', async () => {
    const { s, root } = await siteWorkspace();
    await writeFile(
      join(root, '.boxagnts', 'sites.json'),
      '{\n  "sites": [\n    {\n      "name": "docs",\n      "folder": "build/docs",\n      "listing": "yes"\n    }\n  ]\n}\n',
    );
    const list: any = await (await s.fetch('/api/sites')).json();
    expect(list.problem).toMatchObject({ line: 6, field: 'sites[0].listing' });
    expect(list.problem.message).toContain('.boxagnts/sites.json');
    expect((await raw(s, '/sites/docs/')).status).toBe(404);
    const refused = await s.fetch('/api/sites/other', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ folder: 'build' }),
    });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as any).error).toMatchObject({ code: 'sites_file_invalid', line: 6 });
    expect((await s.fetch('/api/health')).status).toBe(200);

    // A server started over the broken file starts all the same.
    const second = await startTestServer({ workspaceDir: root });
    expect((await second.fetch('/api/settings')).status).toBe(200);
  });
});

describe('sites: the CLI', () => {
  it('adds, lists and removes sites, with usage errors for bad input', async () => {
    const dir = await tempDir('boxagnts-ws-');
    await mkdir(join(dir, 'public'));
    const add = await runCli(['site', 'add', 'blog', 'public', '--workspace-dir', dir]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('/sites/blog/');
    const list = await runCli(['site', 'list', '--workspace-dir', dir]);
    expect(list.stdout).toMatch(/^blog\tpublic\t\/sites\/blog\/$/m);
    const json = await runCli(['site', 'list', '--json', '--workspace-dir', dir]);
    expect(JSON.parse(json.stdout).sites[0]).toMatchObject({ name: 'blog', folder: 'public', folderExists: true });
    const bad = await runCli(['site', 'add', 'Blog!', 'public', '--workspace-dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('site name "Blog!"');
    const climbing = await runCli(['site', 'add', 'x', '../up', '--workspace-dir', dir]);
    expect(climbing.code).toBe(2);
    const rm = await runCli(['site', 'rm', 'blog', '--workspace-dir', dir]);
    expect(rm.code, rm.stderr).toBe(0);
    const missing = await runCli(['site', 'rm', 'blog', '--workspace-dir', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('there is no site "blog"');
    expect((await runCli(['site', 'list', '--workspace-dir', dir])).stdout).toContain('No sites');
    await writeFile(join(dir, '.boxagnts', 'sites.json'), '{"sites": [{"name": "x"}]}');
    const broken = await runCli(['site', 'list', '--workspace-dir', dir]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/sites\.json \(field "sites\[0\]\.folder"\)/);
  });
});
