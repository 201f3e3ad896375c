import { execFileSync } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addWorktree } from '../../src/agent/orchestration/worktree';
import type { ToolResult } from '../../src/tools/tool';
import { callTool, text } from '../helpers/sandbox';
import { startTestServer } from '../helpers/server';
import { tempDir } from '../helpers/workspace';

/**
 * The host tier on this machine: programs the shell does not have run through `bash`, each in bubblewrap (which
 * .ci/run installs). Each test asserts what a command could do or see, never how fast.
 */

async function shell(settings: Record<string, unknown> = {}) {
  const s = await startTestServer();
  if (Object.keys(settings).length) await s.server.context.workspace.settings.patch(settings);
  const runtime = s.server.context.runtime;
  await runtime.sandbox.host.ready;
  const run = (command: string, options: { timeoutMs?: number; mode?: 'default' | 'bypass' } = {}) =>
    options.mode === 'default'
      ? runtime.callTool(
          { callId: 'call_test', name: 'bash', input: { command } },
          { mode: 'default', signal: new AbortController().signal },
        )
      : callTool(runtime, 'bash', { command, ...(options.timeoutMs ? { timeout_ms: options.timeoutMs } : {}) });
  return { s, run, root: s.workspaceDir };
}

/** A python3 command line: the code in single quotes, so the shell leaves it as it is. */
const python = (code: string) => `python3 -c '${code.replaceAll("'", "'\\''")}'`;

/** Processes of this machine whose command line holds `marker`. */
async function processesWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker)) found.push(Number(entry));
  }
  return found;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

async function listen(host: string, body: string): Promise<number> {
  const server = createServer((_, res) => res.end(body));
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, host, done));
  return (server.address() as AddressInfo).port;
}

function ok(result: ToolResult): string {
  expect(result.isError, text(result)).toBeFalsy();
  return text(result);
}

describe('host tier: programs of this machine through bash', () => {
  it('runs git, node, python3 and npm, and a pipeline that mixes both tiers', async () => {
    const { run, root } = await shell();
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: root });
    await writeFile(join(root, 'a.txt'), 'one\n');
    expect(ok(await run('git status --short'))).toMatch(/\?\? a\.txt/);
    expect(ok(await run("node -e 'console.log(1+1)'"))).toBe('2\n(exit code 0)');
    expect(ok(await run(python('print(6*7)')))).toBe('42\n(exit code 0)');
    expect(ok(await run('npm --version'))).toMatch(/^\d+\.\d+\.\d+\n/);
    // git writes .git (its own), with the identity of the fake HOME.
    ok(await run('git add a.txt && git commit -q -m "first commit"'));
    ok(await run('git checkout -q -b feature && echo two >> a.txt && git stash -q && git stash list | wc -l'));
    expect(ok(await run('git log --oneline | head -1'))).toMatch(/^[0-9a-f]{7,} first commit\n/);
    expect(ok(await run('git diff HEAD --stat | wc -l'))).toBe('0\n(exit code 0)');
    // Input flows from the WebAssembly tier into a program and back.
    expect(
      ok(await run(`printf 'b\\na\\n' | ${python('import sys; print(sorted(sys.stdin.read().split()))')} | tr -d "'"`)),
    ).toBe('[a, b]\n(exit code 0)');
  });

  it('keeps the machine out of reach: no secrets, no server environment, no writes outside, no .boxagnts', async () => {
    const outside = await tempDir('boxagnts-outside-');
    await writeFile(join(outside, 'id_rsa'), 'PRIVATE KEY');
    process.env.BOXAGNTS_TEST_SECRET = 'sk-host-tier-marker';
    try {
      const { run, root } = await shell();
      await writeFile(join(root, '.boxagnts', 'secrets.json'), '{"secrets":{}}');
      const home = ok(
        await run(python('import os; print(os.environ["HOME"], os.path.exists(os.path.expanduser("~/.ssh/id_rsa")))')),
      );
      expect(home).toBe('/home/agent False\n(exit code 0)');
      const foreign = await run(python(`print(open(${JSON.stringify(join(outside, 'id_rsa'))}).read())`));
      expect(text(foreign)).toMatch(/No such file or directory/);
      const environ = ok(await run(python('import os; print(open("/proc/1/environ").read(), dict(os.environ))')));
      expect(environ).not.toMatch(/sk-host-tier-marker|BOXAGNTS_TEST_SECRET/);
      // Nothing the server holds open reaches the program: only its stdio, and the listing's own descriptor.
      expect(ok(await run(python('import os; print(sorted(int(f) for f in os.listdir("/proc/self/fd")))')))).toBe(
        '[0, 1, 2, 3]\n(exit code 0)',
      );
      const write = await run(python(`open(${JSON.stringify(join(outside, 'planted'))}, "w").write("x")`));
      expect(write.isError).toBe(true);
      await expect(readFile(join(outside, 'planted'))).rejects.toThrow();
      expect(text(await run(python('open("/usr/planted", "w")')))).toMatch(/Read-only file system|Permission denied/);
      expect(ok(await run(python('import os; print(os.listdir(".boxagnts"))')))).toBe('[]\n(exit code 0)');
      // .git is read-only but for git itself.
      execFileSync('git', ['init', '-q'], { cwd: root });
      expect(text(await run(python('open(".git/config", "a").write("[core]\\n\\tfsmonitor = evil\\n")')))).toMatch(
        /Read-only file system/,
      );
      expect(await readFile(join(root, '.git', 'config'), 'utf8')).not.toMatch(/fsmonitor/);
    } finally {
      delete process.env.BOXAGNTS_TEST_SECRET;
    }
  });

  it("runs git in a run's worktree, which writes to the workspace's repository and nothing else does", async () => {
    const { s, root } = await shell();
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    await writeFile(join(root, 'a.txt'), 'one\n');
    git('add', 'a.txt');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'base');
    const worktree = await addWorktree(root, join(root, '.boxagnts', 'worktrees'), 'ses_child');
    await writeFile(join(worktree.path, 'b.txt'), 'two\n');
    const { sandbox } = s.server.context.runtime;
    const policy = sandbox.policyFor('bash', 'quickjs', { workDir: worktree.path });
    const exec = async (program: string, ...args: string[]) => {
      const reply = await sandbox.host.exec(
        { program, args, cwd: '/', env: {}, stdin: '' },
        { policy, host: { decide: () => Promise.resolve({ network: false }) } },
        new AbortController().signal,
      );
      return {
        ...reply,
        out: Buffer.from(reply.stdout, 'base64').toString(),
        err: Buffer.from(reply.stderr, 'base64').toString(),
      };
    };
    expect((await exec('git', 'status', '--short')).out).toBe('?? b.txt\n');
    expect((await exec('git', 'add', 'b.txt')).exitCode).toBe(0);
    expect((await exec('git', 'commit', '-qm', 'from the worktree')).exitCode).toBe(0);
    expect(git('log', '--oneline', worktree.branch)).toMatch(/from the worktree/);
    // The repository is there for git only: another program sees it read-only, and the workspace not at all.
    const planted = await exec('python3', '-c', `open(${JSON.stringify(join(root, '.git', 'planted'))}, "w")`);
    expect(planted.err).toMatch(/Read-only file system/);
    expect(
      (await exec('python3', '-c', `import os; print(os.path.exists(${JSON.stringify(join(root, 'a.txt'))}))`)).out,
    ).toBe('False\n');
  });

  it('gives network only to a granted command, and only to the allowlist', async () => {
    const allowed = await listen('127.0.0.2', 'hello from the allowed host');
    const other = await listen('127.0.0.3', 'should not be seen');
    const fetchFrom = (host: string, port: number) =>
      python(
        `import urllib.request; print(urllib.request.urlopen("http://${host}:${port}/", timeout=20).read().decode())`,
      );
    const { run } = await shell({
      sandbox: { allowedOutboundHosts: [`http://127.0.0.2:${allowed}`], blockNetworks: [] },
    });
    const cut = await run(fetchFrom('127.0.0.2', allowed));
    expect(cut.isError).toBe(true);
    expect(text(cut)).not.toMatch(/hello from the allowed host/);

    const granted = await shell({
      sandbox: {
        allowedOutboundHosts: [`http://127.0.0.2:${allowed}`],
        blockNetworks: [],
        host: { network: ['python3 *'] },
      },
    });
    expect(ok(await granted.run(fetchFrom('127.0.0.2', allowed)))).toMatch(/hello from the allowed host/);
    const refused = await granted.run(fetchFrom('127.0.0.3', other));
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/\[sandbox\] 127\.0\.0\.3:\d+: blocked by the sandbox network policy/);
  });

  it('stops a fork bomb, a memory hog, a spinner and a sleeper at their limits, leaving no process behind', async () => {
    const { run } = await shell({
      sandbox: { host: { maxProcesses: 64, maxMemoryBytes: 256 * 1024 * 1024, maxCpuSeconds: 1 } },
    });
    const bomb = await run(python('import os\nwhile True: os.fork()'));
    expect(bomb.metadata).toMatchObject({ limitHit: 'processes' });
    expect(text(bomb)).toMatch(/stopped at the limit of 64 processes/);
    const hog = await run("node -e 'a=[];for(;;)a.push(new Array(1e6).fill(1))'");
    expect(hog.metadata).toMatchObject({ limitHit: 'memory' });
    const spinner = await run(python('while True: pass'));
    expect(spinner.metadata).toMatchObject({ limitHit: 'cpu' });
    expect(text(spinner)).toMatch(/stopped at the CPU-time limit of 1 s/);
    const marker = `sleeper-${process.pid}-${Date.now()}`;
    const sleeper = await run(python(`import time; time.sleep(100)  # ${marker}`), { timeoutMs: 3000 });
    expect(sleeper.metadata).toMatchObject({ limitHit: 'timeout' });
    expect(await processesWith(marker)).toEqual([]);
  });

  it('asks in default mode, refuses a headless call with the rule to add, and lets a deny rule beat bypass', async () => {
    const { run } = await shell({ permissions: { rules: ['deny bash(git push*)'] } });
    const headless = await run('git status --short', { mode: 'default' });
    expect(text(headless)).toMatch(/needs approval \(the default mode asks for host tools\)/);
    expect(text(headless)).toMatch(/"allow bash\(git status --short\)"/);
    expect(text(await run('git push origin main'))).toMatch(
      /Permission denied: denied by the rule "deny bash\(git push\*\)"/,
    );
    // A program named only when the line runs is decided again as it runs.
    const hidden = await run('echo push | xargs git');
    expect(text(hidden)).toMatch(/not run: denied by the rule "deny bash\(git push\*\)"/);
  });

  it('runs the commands of Settings → Security without asking, below the rules of the workspace', async () => {
    const { run, root } = await shell({
      sandbox: { host: { allow: ['git status*', 'git push*'] } },
      permissions: { rules: ['deny bash(git push*)'] },
    });
    execFileSync('git', ['init', '-q'], { cwd: root });
    await writeFile(join(root, 'b.txt'), 'b\n');
    expect(ok(await run('git status --short', { mode: 'default' }))).toMatch(/\?\? b\.txt/);
    expect(text(await run('git log', { mode: 'default' }))).toMatch(/needs approval/);
    expect(text(await run('git push origin main', { mode: 'default' }))).toMatch(
      /denied by the rule "deny bash\(git push\*\)"/,
    );
  });

  it('says how to turn the tier on when it is off, and changes nothing else', async () => {
    const { run } = await shell({ sandbox: { host: { enabled: false } } });
    const off = await run('git status');
    expect(off.metadata).toMatchObject({ exitCode: 127 });
    expect(text(off)).toMatch(
      /runs only in the host tier, and the host tier is off; the user can turn it on in Settings → Security/,
    );
    expect(ok(await run('echo still here | wc -w'))).toBe('2\n(exit code 0)');
  });
});
