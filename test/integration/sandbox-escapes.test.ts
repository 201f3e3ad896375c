import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUEL_DEFAULTS } from '../../src/contract/fuel';
import { SCAN_BUDGET_MS } from '../../src/sandbox/file-scan';
import { startTestServer } from '../helpers/server';
import { callTool, text } from '../helpers/sandbox';
import { tempDir } from '../helpers/workspace';

/** A workspace with secrets outside it and links pointing there. */
async function hostileWorkspace() {
  const outside = await tempDir('boxagnts-outside-');
  await writeFile(join(outside, 'secret.txt'), 'TOP-SECRET-OUTSIDE');
  const s = await startTestServer();
  const root = s.workspaceDir;
  await writeFile(join(root, 'ok.txt'), 'fine\n');
  await symlink(join(outside, 'secret.txt'), join(root, 'link-file'));
  await symlink(outside, join(root, 'link-dir'));
  await writeFile(
    join(root, '.boxagnts', 'secrets.json'),
    JSON.stringify({ providers: { openai: { apiKey: 'sk-SECRET-KEY' } } }),
  );
  return { s, root, outside, runtime: s.server.context.runtime };
}

function expectNoLeak(result: { content: unknown }, ...secrets: string[]) {
  const all = JSON.stringify(result);
  for (const secret of secrets) expect(all).not.toContain(secret);
}

describe('file-system escapes', () => {
  it('keeps .. traversal and absolute host paths inside the workspace', async () => {
    const { runtime, outside, root } = await hostileWorkspace();
    // A host path given as input is just a path inside the sandbox, where it does not exist.
    for (const file_path of [
      '../../../../../etc/passwd',
      '/etc/passwd',
      `${outside}/secret.txt`,
      '../secret.txt',
      'sub/../../..',
    ]) {
      const result = await callTool(runtime, 'read', { file_path });
      expect(result.isError, file_path).toBe(true);
      expect(text(result)).toMatch(/not found|no such|is a folder|is empty/i);
      expectNoLeak(result, 'root:x:0:0', 'TOP-SECRET-OUTSIDE', root);
    }
  });

  it('does not follow a symlinked file or folder that points outside, and reports the fs limit', async () => {
    const { runtime, outside, root } = await hostileWorkspace();
    for (const file_path of ['link-file', 'link-dir/secret.txt', '/link-dir']) {
      const result = await callTool(runtime, 'read', { file_path });
      expect(result.isError, file_path).toBe(true);
      expect(result.metadata).toMatchObject({ limitHit: 'fs' });
      expectNoLeak(result, 'TOP-SECRET-OUTSIDE', root, outside);
    }
    const write = await callTool(runtime, 'write', { file_path: 'link-dir/planted.txt', content: 'x' });
    expect(write.isError).toBe(true);
    await expect(readFile(join(outside, 'planted.txt'))).rejects.toThrow();
    const listing = await callTool(runtime, 'glob', { pattern: '**/*' });
    expect(text(listing)).toBe('/ok.txt');
    const grep = await callTool(runtime, 'grep', { pattern: 'SECRET' });
    expect(text(grep)).not.toContain('SECRET-OUTSIDE');
  });

  it('offers no way to create a symlink, even to code granted file access', async () => {
    const { s, runtime, root } = await hostileWorkspace();
    await s.server.context.workspace.settings.patch({ sandbox: { tools: { jsexec: { files: true } } } });
    const result = await callTool(runtime, 'jsexec', {
      code: `export function main() {
        const tried = [];
        for (const name of ['symlink', 'link']) tried.push(typeof fs[name]);
        try { __host('symlink', JSON.stringify({ path: '/x', target: '/etc' })); tried.push('host reachable'); } catch (e) { tried.push(String(e.message).slice(0, 40)); }
        return tried;
      }`,
    });
    expect(text(result)).toContain('"undefined",\n  "undefined"');
    expect(text(result)).toMatch(/'?__host'? is not defined/);
    await expect(readFile(join(root, 'x'))).rejects.toThrow();
  });

  it('refuses writes to a read-only mount and to .git', async () => {
    const { s, runtime } = await hostileWorkspace();
    const data = await tempDir('boxagnts-ro-');
    await writeFile(join(data, 'keep.txt'), 'original');
    await mkdir(join(s.workspaceDir, '.git'));
    await writeFile(join(s.workspaceDir, '.git', 'config'), '[core]\n');
    await s.server.context.workspace.settings.patch({
      sandbox: { mounts: [{ host: data, guest: '/data', readOnly: true }] },
    });
    const read = await callTool(runtime, 'read', { file_path: '/data/keep.txt' });
    expect(text(read)).toContain('original');
    for (const file_path of ['/data/keep.txt', '/data/new.txt', '/.git/config', '/.git/hooks/pre-commit']) {
      const result = await callTool(runtime, 'write', { file_path, content: 'tampered' });
      expect(result.isError, file_path).toBe(true);
      expect(text(result)).toMatch(/read-only/);
      expect(result.metadata).toMatchObject({ limitHit: 'fs' });
    }
    expect(await readFile(join(data, 'keep.txt'), 'utf8')).toBe('original');
    expect(await readFile(join(s.workspaceDir, '.git', 'config'), 'utf8')).toBe('[core]\n');
  });

  it('never shows .boxagnts, its secrets included', async () => {
    const { runtime } = await hostileWorkspace();
    for (const file_path of ['.boxagnts/secrets.json', '/.boxagnts/settings.json', '/.boxagnts']) {
      const result = await callTool(runtime, 'read', { file_path });
      expect(result.isError).toBe(true);
      expectNoLeak(result, 'sk-SECRET-KEY');
    }
    expect(text(await callTool(runtime, 'glob', { pattern: '**/*', path: '/' }))).not.toContain('.boxagnts');
    expect(text(await callTool(runtime, 'glob', { pattern: '.boxagnts/**' }))).not.toContain('secrets');
    expectNoLeak(await callTool(runtime, 'grep', { pattern: 'sk-', path: '/.boxagnts' }), 'sk-SECRET-KEY');
    const write = await callTool(runtime, 'write', { file_path: '/.boxagnts/settings.json', content: '{}' });
    expect(write.isError).toBe(true);
  });
});

describe('runaway code', () => {
  async function limited(limits: Record<string, unknown>) {
    const s = await startTestServer();
    await s.server.context.workspace.settings.patch({ sandbox: limits });
    return s;
  }

  it('stops an infinite loop at the time limit while the server keeps serving', async () => {
    const code = 'export function main() { for (;;) {} }';
    // A loop with a minute to run: the server answers meanwhile, whatever the machine's speed, and the loop is
    // still running after that answer (then it is cancelled).
    const s = await limited({ timeoutMs: 60_000, fuel: 'unlimited' });
    const cancel = new AbortController();
    const running = callTool(s.server.context.runtime, 'jsexec', { code }, cancel.signal);
    let finished = false;
    void running.then(() => (finished = true));
    const health = await s.fetch('/api/health');
    expect(health.status).toBe(200);
    expect(finished).toBe(false);
    cancel.abort();
    expect((await running).isError).toBe(true);

    await s.server.context.workspace.settings.patch({ sandbox: { timeoutMs: 1500 } });
    const result = await callTool(s.server.context.runtime, 'jsexec', { code });
    expect(result).toMatchObject({ isError: true, metadata: { limitHit: 'timeout', limit: 1500 } });
    expect(text(result)).toMatch(/time limit of 1500 ms/);
  });

  it('stops a memory bomb at the memory limit', async () => {
    const s = await limited({ maxMemoryBytes: 16 * 1024 * 1024 });
    for (const code of [
      'export function main() { const a = []; for (;;) a.push({ x: 1, y: [1, 2, 3] }); }',
      'export function main() { let s = "x"; for (;;) s += s; }',
    ]) {
      const result = await callTool(s.server.context.runtime, 'jsexec', { code });
      expect(result.metadata, code).toMatchObject({ limitHit: 'memory', limit: 16 * 1024 * 1024 });
    }
    expect((await s.fetch('/api/health')).status).toBe(200);
  });

  it('stops deep recursion at the stack limit', async () => {
    const s = await limited({ maxStackBytes: 256 * 1024 });
    const result = await callTool(s.server.context.runtime, 'jsexec', {
      code: 'function f(n) { return f(n + 1) + 1 } export function main() { return f(0) }',
    });
    expect(result.metadata).toMatchObject({ limitHit: 'stack', limit: 256 * 1024 });
    const again = await callTool(s.server.context.runtime, 'jsexec', {
      code: 'export function main() { return 1 + 1 }',
    });
    expect(text(again)).toContain('main() returned: 2');
  });

  it('stops runaway JavaScript and a runaway shell loop on the default fuel, at the same count every run', async () => {
    // A day-long time limit: only fuel can stop these, however slow the machine is today.
    const s = await limited({ timeoutMs: 3_600_000 });
    for (const [tool, input] of [
      ['jsexec', { code: 'export function main() { while (true) {} }' }],
      ['bash', { command: 'while true; do :; done' }],
    ] as const) {
      const runs = [
        await callTool(s.server.context.runtime, tool, input),
        await callTool(s.server.context.runtime, tool, input),
      ];
      for (const result of runs) {
        expect(result.metadata, tool).toMatchObject({
          limitHit: 'fuel',
          limit: FUEL_DEFAULTS.fuel,
          fuelUsed: FUEL_DEFAULTS.fuel,
        });
        expect(text(result)).toContain(`the fuel budget of ${FUEL_DEFAULTS.fuel} steps ran out`);
      }
    }
  });

  it('stops a catastrophic regex in grep on its scan budget, backreferences and /i included, and greps again', async () => {
    // A day-long time limit and no fuel: only the scan budget can stop these.
    const s = await limited({ timeoutMs: 3_600_000, fuel: 'unlimited' });
    await writeFile(join(s.workspaceDir, 'bomb.txt'), `${'a'.repeat(40_000)}!\n`);
    for (const input of [
      { pattern: '(a+)+$', output_mode: 'content' },
      { pattern: '(a+)+\\1$' },
      { pattern: '(A|a)+$', case_insensitive: true },
    ]) {
      const result = await callTool(s.server.context.runtime, 'grep', input);
      expect(result.metadata, input.pattern).toMatchObject({ limitHit: 'regex', limit: SCAN_BUDGET_MS });
      expect(text(result)).toMatch(/grep stopped: a regular expression ran over one file for more than 2 s/);
    }
    await writeFile(join(s.workspaceDir, 'fine.txt'), 'needle\n');
    expect(text(await callTool(s.server.context.runtime, 'grep', { pattern: 'needle' }))).toContain('/fine.txt');
    expect((await s.fetch('/api/health')).status).toBe(200);
  });

  it('runs out of a small fuel budget at the same count every time', async () => {
    const s = await limited({ fuel: 100_000 });
    const code = 'export function main() { let x = 0; for (let i = 0; i < 1e8; i++) x += i; return x }';
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await callTool(s.server.context.runtime, 'jsexec', { code }));
    for (const r of runs) expect(r.metadata).toMatchObject({ limitHit: 'fuel', limit: 100_000, fuelUsed: 100_000 });
    expect(new Set(runs.map((r) => r.metadata!.fuelUsed)).size).toBe(1);
    const light = await callTool(s.server.context.runtime, 'jsexec', { code: 'export function main() { return 3 }' });
    expect(text(light)).toContain('returned: 3');
  });
});

describe('network', () => {
  /** A local web server the sandbox may be pointed at, with a redirect to wherever a test likes. */
  async function localSite(redirectTo?: string) {
    const server = createServer((req, res) => {
      if (req.url === '/redirect' && redirectTo) {
        res.writeHead(302, { Location: redirectTo });
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html><body><h1>Local page</h1><p>reached</p></body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() };
  }

  it('refuses every private, loopback and metadata address, however it is written', async () => {
    const s = await startTestServer();
    await s.server.context.workspace.settings.patch({
      sandbox: { allowedOutboundHosts: ['*://*:*'], blockNetworks: ['private'] },
    });
    const urls = [
      'http://127.0.0.1/',
      'http://localhost/',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://2130706433/',
      'http://0x7f000001/',
    ];
    for (const url of urls) {
      const result = await callTool(s.server.context.runtime, 'web_fetch', { url });
      expect(result.isError, url).toBe(true);
      expect(text(result), url).toMatch(/blockNetworks|blockedEndpoints/);
      expect(result.metadata, url).toMatchObject({ limitHit: 'network' });
    }
  });

  it('refuses hosts outside the allowlist, naming the rule, and fetches allowed ones as Markdown', async () => {
    const site = await localSite();
    try {
      const s = await startTestServer();
      const nothing = await callTool(s.server.context.runtime, 'web_fetch', { url: 'https://example.com/' });
      expect(text(nothing)).toMatch(/allowedOutboundHosts.*empty/);
      await s.server.context.workspace.settings.patch({
        sandbox: { allowedOutboundHosts: [`http://127.0.0.1:${new URL(site.url).port}`], blockNetworks: [] },
      });
      const page = await callTool(s.server.context.runtime, 'web_fetch', { url: `${site.url}/` });
      expect(page.isError).toBeFalsy();
      expect(text(page)).toContain('# Local page');
    } finally {
      site.close();
    }
  });

  it('re-checks every redirect hop', async () => {
    const site = await localSite('http://169.254.169.254/latest/meta-data/');
    const other = await localSite();
    try {
      const s = await startTestServer();
      await s.server.context.workspace.settings.patch({
        sandbox: {
          allowedOutboundHosts: [`http://127.0.0.1:${new URL(site.url).port}`, 'http://169.254.169.254'],
          blockNetworks: ['169.254.0.0/16'],
        },
      });
      const result = await callTool(s.server.context.runtime, 'web_fetch', { url: `${site.url}/redirect` });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/redirect to http:\/\/169\.254\.169\.254.*blockNetworks/);

      const toOther = await localSite(`${other.url}/`);
      await s.server.context.workspace.settings.patch({
        sandbox: { allowedOutboundHosts: [`http://127.0.0.1:${new URL(toOther.url).port}`] },
      });
      const hop = await callTool(s.server.context.runtime, 'web_fetch', { url: `${toOther.url}/redirect` });
      expect(text(hop)).toMatch(/redirect to .*allowedOutboundHosts/);
      toOther.close();
    } finally {
      site.close();
      other.close();
    }
  });

  it('never reaches the dashboard itself, even with every network allowed', async () => {
    const s = await startTestServer();
    await s.server.context.workspace.settings.patch({
      sandbox: { allowedOutboundHosts: ['*://*:*'], blockNetworks: [] },
    });
    for (const url of [`${s.url}/api/health`, `http://localhost:${s.server.port}/api/settings`]) {
      const result = await callTool(s.server.context.runtime, 'web_fetch', { url });
      expect(result.isError, url).toBe(true);
      expect(text(result), url).toMatch(/blockedEndpoints/);
    }
  });

  it('gives jsexec no network unless granted', async () => {
    const site = await localSite();
    try {
      const s = await startTestServer();
      await s.server.context.workspace.settings.patch({
        sandbox: { allowedOutboundHosts: [`http://127.0.0.1:${new URL(site.url).port}`], blockNetworks: [] },
      });
      const code = `export async function main() { const r = await fetch('${site.url}/'); return r.status }`;
      const refused = await callTool(s.server.context.runtime, 'jsexec', { code });
      expect(text(refused)).toMatch(/Network access is not allowed/);
      expect(refused.metadata).toMatchObject({ limitHit: 'network' });
      await s.server.context.workspace.settings.patch({ sandbox: { tools: { jsexec: { network: true } } } });
      expect(text(await callTool(s.server.context.runtime, 'jsexec', { code }))).toContain('main() returned: 200');
    } finally {
      site.close();
    }
  });
});
