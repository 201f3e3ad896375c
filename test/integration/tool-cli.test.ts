import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { moduleKey } from '../../src/sandbox/wasi/fuel';
import { cachePath, userWasmCacheDir } from '../../src/sandbox/wasi/module-cache';
import { mockProviderSettings, startMock } from '../helpers/chat';
import { runCli } from '../helpers/server';
import { wat } from '../helpers/wasm';
import { tempDir } from '../helpers/workspace';

async function workspace(settings: Record<string, unknown> = {}) {
  const dir = await tempDir();
  await mkdir(join(dir, '.boxagnts'));
  await writeFile(join(dir, '.boxagnts', 'settings.json'), JSON.stringify(settings));
  await writeFile(join(dir, '.boxagnts', 'secrets.json'), '{"providers":{"x":{"apiKey":"sk-CLI-SECRET"}}}');
  await writeFile(join(dir, 'hello.txt'), 'hello from the workspace\n');
  return dir;
}

describe('boxagnts tool', () => {
  it('runs a tool and prints its content, or the whole result with --json', async () => {
    const dir = await workspace();
    const read = await runCli(['tool', 'read', '{"file_path":"hello.txt"}', '--workspace-dir', dir]);
    expect(read.code).toBe(0);
    expect(read.stdout).toBe('     1\thello from the workspace\n');
    const json = await runCli(['tool', 'glob', '{"pattern":"*.txt"}', '--workspace-dir', dir, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ content: '/hello.txt' });
  });

  it(
    'keeps the same denials as the agent: escapes, links, secrets, the network and runaway code',
    { timeout: 90_000 },
    async () => {
      const outside = await tempDir('boxagnts-outside-');
      await writeFile(join(outside, 'secret.txt'), 'OUTSIDE-SECRET');
      const dir = await workspace({ sandbox: { allowedOutboundHosts: ['*://*:*'] } });
      await symlink(join(outside, 'secret.txt'), join(dir, 'link'));
      const cases: [string, string, RegExp][] = [
        ['read', '{"file_path":"../../etc/passwd"}', /not found/i],
        ['read', '{"file_path":"link"}', /not found/i],
        ['read', '{"file_path":".boxagnts/secrets.json"}', /not found/i],
        ['web_fetch', '{"url":"http://169.254.169.254/latest/meta-data/"}', /blockNetworks: private/],
        ['web_fetch', '{"url":"http://2130706433/"}', /blockNetworks: private/],
        ['jsexec', '{"code":"export function main() { for (;;) {} }"}', /fuel budget of 15000000 steps ran out/],
      ];
      for (const [tool, input, expected] of cases) {
        const result = await runCli(['tool', tool, input, '--workspace-dir', dir, '--permission-mode', 'bypass']);
        expect(result.code, `${tool} ${input}`).toBe(1);
        expect(result.stdout, `${tool} ${input}`).toMatch(expected);
        expect(result.stdout).not.toMatch(/OUTSIDE-SECRET|sk-CLI-SECRET|root:x:0/);
        expect(result.stdout).not.toContain(dir);
      }
    },
  );

  it('waits before exiting for the workspace tools it is instrumenting, leaving them in the user cache', async () => {
    const dir = await workspace();
    const module = await wat('echo-args.wat');
    await mkdir(join(dir, '.boxagnts', 'tools', 'echo'), { recursive: true });
    await writeFile(join(dir, '.boxagnts', 'tools', 'echo', 'tool.wasm'), module);
    await writeFile(
      join(dir, '.boxagnts', 'tools', 'echo', 'tool.json'),
      JSON.stringify({
        name: 'echo_args',
        description: 'Echoes its arguments.',
        permissionLevel: 'read',
        inputSchema: { type: 'object', properties: {} },
        input: { mode: 'stdin' },
        module: 'tool.wasm',
      }),
    );
    const entry = cachePath(userWasmCacheDir(process.env), moduleKey(module));
    expect(existsSync(entry)).toBe(false);
    // A call of another tool: the process ends at once, yet the module it began instrumenting is cached.
    const read = await runCli(['tool', 'read', '{"file_path":"hello.txt"}', '--workspace-dir', dir]);
    expect(read.code).toBe(0);
    expect(existsSync(entry)).toBe(true);
  });

  it('refuses a call that would need approval, and answers usage errors with exit 2', async () => {
    const dir = await workspace();
    const write = await runCli(['tool', 'write', '{"file_path":"new.txt","content":"x"}', '--workspace-dir', dir]);
    expect(write.code).toBe(1);
    expect(write.stdout).toMatch(/needs approval.*nobody can approve it/);
    await expect(readFile(join(dir, 'new.txt'))).rejects.toThrow();
    const allowed = await runCli([
      'tool',
      'write',
      '{"file_path":"new.txt","content":"x"}',
      '--workspace-dir',
      dir,
      '--permission-mode',
      'acceptEdits',
    ]);
    expect(allowed.code).toBe(0);
    expect(await readFile(join(dir, 'new.txt'), 'utf8')).toBe('x');
    expect((await runCli(['tool', 'read', '{not json', '--workspace-dir', dir])).code).toBe(2);
    const unknown = await runCli(['tool', 'teleport', '{}', '--workspace-dir', dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/there is no tool "teleport"/);
    const invalid = await runCli(['tool', 'read', '{"path":"x"}', '--workspace-dir', dir]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/Invalid input for read/);
  });
});

describe('boxagnts run with the real write tool', () => {
  it('denies a write in default mode without hanging, and runs it with --permission-mode acceptEdits', async () => {
    const mock = await startMock();
    const dir = await workspace(mockProviderSettings(mock));
    const turns = () =>
      mock.enqueue(
        { toolCalls: [{ name: 'write', input: { file_path: 'out.md', content: '# made headless\n' } }] },
        { text: 'done' },
      );
    turns();
    const denied = await runCli(['run', 'write out.md', '--workspace-dir', dir, '--output-format', 'json'], {
      timeoutMs: 20_000,
    });
    // The model finished, but a call it made was refused for want of an approval: status 5, the refusal on stderr.
    expect(denied.code).toBe(5);
    expect(JSON.parse(denied.stdout)).toMatchObject({ status: 'finished', text: 'done' });
    expect(denied.stderr).toContain('boxagnts: write call refused: Not run: this call needs approval');
    expect(JSON.stringify(mock.requests[1]!.body.messages)).toMatch(/nobody can approve it in a run no one watches/);
    await expect(readFile(join(dir, 'out.md'))).rejects.toThrow();
    turns();
    const allowed = await runCli(['run', 'write out.md', '--workspace-dir', dir, '--permission-mode', 'acceptEdits'], {
      timeoutMs: 20_000,
    });
    expect(allowed.code).toBe(0);
    expect(await readFile(join(dir, 'out.md'), 'utf8')).toBe('# made headless\n');
  });
});
