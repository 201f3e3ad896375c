import { createServer } from 'node:net';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnServer } from '../helpers/server';
import { tempDir } from '../helpers/workspace';

describe('boxagnts CLI', () => {
  it('prints its version and help', async () => {
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--workspace-dir');
  });

  it('answers an unknown flag, a bad value or an unknown command with one line and exit 2', async () => {
    for (const args of [
      ['--bogus'],
      ['--port', 'eighty'],
      ['--port', '70000'],
      ['frobnicate'],
      ['serve', 'extra'],
      ['--log-format', 'yaml'],
    ]) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^boxagnts: /);
    }
  });

  it('refuses a non-loopback host without admin credentials, exit 1', async () => {
    const result = await runCli(['--host', '0.0.0.0', '--port', '0', '--workspace-dir', await tempDir()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a password/);
    expect(result.stderr).toMatch(/--admin-user and --admin-pass/);
    const half = await runCli(['--host', '0.0.0.0', '--admin-user', 'a']);
    expect(half.code).toBe(2);
  });

  it('reports a port in use clearly, without a stack trace', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runCli(['--port', String(port), '--workspace-dir', await tempDir()]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  it('stops on a broken settings.json, names the problem and leaves the file byte for byte', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, '.boxagnts'));
    const file = join(dir, '.boxagnts', 'settings.json');
    const broken = '{\n  "ui": {\n    "theme": "neon"\n  }\n}\n';
    await writeFile(file, broken);
    const result = await runCli(['--port', '0', '--workspace-dir', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('settings.json (line 3, field "ui.theme")');
    expect(await readFile(file, 'utf8')).toBe(broken);

    const unparsable = '{ "ui": { "theme": "dark" }, }';
    await writeFile(file, unparsable);
    const second = await runCli(['--port', '0', '--workspace-dir', dir]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/settings\.json \(line 1\): invalid JSON: trailing comma/);
    expect(await readFile(file, 'utf8')).toBe(unparsable);
  });

  it('prints the URL when ready, creates .boxagnts and shuts down with exit 0 on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const dir = await tempDir();
      const server = await spawnServer(['--port', '0', '--workspace-dir', dir]);
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${server.url}/api/health`);
      expect(health.status).toBe(200);
      expect(await readFile(join(dir, '.boxagnts', 'settings.json'), 'utf8')).toBe('{}\n');
      expect(await server.stop(signal)).toBe(0);
      expect(server.stderr()).toContain('server stopped');
    }
  });

  it('names the workspace folder in the ready line, and logs JSON to a pipe or short lines with --log-format pretty', async () => {
    const dir = await tempDir();
    const json = await spawnServer(['--port', '0', '--workspace-dir', dir]);
    expect(json.stdout()).toContain(`Ready: ${json.url} (workspace: ${dir})`);
    const ready = json
      .stderr()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .find((record) => record.msg === 'server ready');
    expect(ready).toMatchObject({ level: 30, url: json.url, workspace: dir });
    expect(await json.stop()).toBe(0);

    const pretty = await spawnServer(['--port', '0', '--workspace-dir', dir, '--log-format', 'pretty']);
    await pretty.stop();
    const lines = pretty.stderr().split('\n').filter(Boolean);
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d INFO {2}server ready url=http:\S+ workspace=/));
    expect(lines.find((l) => l.includes('server ready'))).toContain(`workspace=${dir} `);
    expect(lines.filter((l) => l.startsWith('{'))).toEqual([]);
  });

  it('defaults the workspace to the current folder', async () => {
    const dir = await tempDir();
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('../helpers/server');
    const proc = spawn(process.execPath, [CLI, '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve) => {
      let out = '';
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Ready: (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
    });
    const health = (await (await fetch(`${url}/api/health`)).json()) as { workspace: string };
    expect(health.workspace).toBe(dir.split('/').pop());
    proc.kill('SIGTERM');
    await new Promise((resolve) => proc.once('exit', resolve));
  });
});
