import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { REPO_ROOT } from '../helpers/server';
import { wat } from '../helpers/wasm';

// The fuse Node's single executable support needs in the node binary (official builds of 20.12 and later have it).
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Why no single executable can be built on this machine, or undefined when one can. */
function unsupported(): string | undefined {
  if (process.platform !== 'linux') return `scripts/build-binary.mjs builds on Linux only, not ${process.platform}`;
  if (!readFileSync(process.execPath).includes(FUSE))
    return `${process.execPath} has no single-executable fuse (not an official Node build)`;
  return undefined;
}

const skipReason = unsupported();
if (skipReason) process.stderr.write(`single-executable.test.ts skipped: ${skipReason}\n`);

const version = packageVersion();
function packageVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  if (typeof manifest !== 'object' || manifest === null || !('version' in manifest))
    throw new Error('package.json has no version');
  return String(manifest.version);
}

// Built once (or reused when nothing changed since), then copied into an empty folder far from any node_modules.
let home = '';
let binary = '';
let workspace = '';
/** The test's environment (its temporary user cache too), without anything that would point Node elsewhere. */
const env = (): NodeJS.ProcessEnv => {
  const copy = { ...process.env };
  delete copy.NODE_OPTIONS;
  delete copy.NODE_PATH;
  return copy;
};

beforeAll(() => {
  if (skipReason) return;
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build-binary.mjs'), '--if-stale'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  home = mkdtempSync(join(tmpdir(), 'boxagnts-sea-'));
  binary = join(home, 'boxagnts');
  copyFileSync(join(REPO_ROOT, 'dist-bin', 'boxagnts'), binary);
  workspace = join(home, 'ws');
  mkdirSync(join(workspace, '.boxagnts'), { recursive: true });
}, 300_000);

afterAll(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

const children: ChildProcess[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

function start(args: string[]): ChildProcess {
  const child = spawn(binary, args, { cwd: home, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = start(args);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    // 'close': the output still in the pipes arrives after 'exit'.
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const title = `the single executable dist-bin/boxagnts${skipReason ? ` (skipped: ${skipReason})` : ''}`;
describe.skipIf(skipReason !== undefined)(title, () => {
  it('runs from a folder with no node_modules above it, unpacking into a private folder of the user cache', async () => {
    for (let dir = home; dirname(dir) !== dir; dir = dirname(dir))
      expect(existsSync(join(dir, 'node_modules')), dir).toBe(false);
    const result = await run(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
    // The test setup points BOXAGNTS_CACHE_DIR at a temporary folder.
    const cache = process.env.BOXAGNTS_CACHE_DIR!;
    const unpacked = readdirSync(cache).filter((name) => name.startsWith('sea-'));
    expect(unpacked).toEqual([
      expect.stringMatching(new RegExp(`^sea-${version.replace(/\./g, '\\.')}-[0-9a-f]{16}$`)),
    ]);
    expect(statSync(join(cache, unpacked[0]!)).mode & 0o777).toBe(0o700);
    expect(existsSync(join(cache, unpacked[0]!, 'dist', 'web', 'index.html'))).toBe(true);
  });

  it('runs tools: a file read, the sandboxed shell, and a workspace WebAssembly tool it instruments in a child', async () => {
    await writeFile(join(workspace, 'a.txt'), 'hello from the workspace\n');
    const read = await run(['tool', 'read', '--workspace-dir', workspace, '{"file_path":"/a.txt"}']);
    expect(read).toMatchObject({ code: 0, stdout: '     1\thello from the workspace\n' });

    const shell = await run([
      'tool',
      'bash',
      '--workspace-dir',
      workspace,
      '--permission-mode',
      'bypass',
      '{"command":"cat a.txt | wc -w"}',
    ]);
    expect(shell.code, shell.stderr).toBe(0);
    expect(shell.stdout).toMatch(/^4\n/);

    // Instrumenting runs the executable itself as `node wasm-instrument.js`: the launcher's stand-in for node.
    const tool = join(workspace, '.boxagnts', 'tools', 'echo');
    mkdirSync(tool, { recursive: true });
    await writeFile(join(tool, 'tool.wasm'), await wat('echo-args.wat'));
    await writeFile(
      join(tool, 'tool.json'),
      JSON.stringify({
        name: 'echo_args',
        description: 'Echoes its arguments.',
        permissionLevel: 'read',
        inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
        input: { mode: 'argv', argv: ['--name={{name}}'] },
        module: 'tool.wasm',
      }),
    );
    const echo = await run(['tool', 'echo_args', '--workspace-dir', workspace, '{"name":"Zoë ✓"}']);
    expect(echo, echo.stderr).toMatchObject({ code: 0, stdout: '--name=Zoë ✓\n' });
  });

  it('gives a program of this machine granted network a way out, through the forwarder it starts as node', async () => {
    const server = createServer((_, res) => res.end('hello from the allowed host'));
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.2', done));
    const { port } = z.object({ port: z.number() }).parse(server.address());
    await writeFile(
      join(workspace, '.boxagnts', 'settings.json'),
      JSON.stringify({
        catalog: { refreshUrl: null },
        sandbox: {
          allowedOutboundHosts: [`http://127.0.0.2:${port}`],
          blockNetworks: [],
          host: { network: ['python3 *'] },
        },
      }),
    );
    const code = `import urllib.request; print(urllib.request.urlopen("http://127.0.0.2:${port}/", timeout=20).read().decode())`;
    const result = await run([
      'tool',
      'bash',
      '--workspace-dir',
      workspace,
      '--permission-mode',
      'bypass',
      JSON.stringify({ command: `python3 -c '${code}'` }),
    ]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^hello from the allowed host\n/);
  });

  it('serves the dashboard and its scripts', async () => {
    // No model catalog refresh: the test stays on loopback.
    await writeFile(join(workspace, '.boxagnts', 'settings.json'), JSON.stringify({ catalog: { refreshUrl: null } }));
    const server = start(['--workspace-dir', workspace, '--port', '0']);
    let out = '';
    let err = '';
    server.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const match = /Ready: (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
      server.on('exit', (code) => reject(new Error(`the server exited with ${code}:\n${err}`)));
    });
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const script = /<script type="module"[^>]* src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html).toBeDefined();
    const asset = await fetch(`${url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect((await asset.text()).length).toBeGreaterThan(1000);
    const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
