import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callTool, text } from '../helpers/sandbox';
import { startTestServer } from '../helpers/server';
import { tempDir } from '../helpers/workspace';

async function shell(settings: Record<string, unknown> = {}) {
  const s = await startTestServer();
  if (Object.keys(settings).length) await s.server.context.workspace.settings.patch({ sandbox: settings });
  const run = (command: string, timeoutMs?: number) =>
    callTool(s.server.context.runtime, 'bash', { command, ...(timeoutMs ? { timeout_ms: timeoutMs } : {}) });
  return { s, run, root: s.workspaceDir };
}

describe('bash: features', () => {
  it('runs pipelines, redirects, heredocs, loops, sed -i, awk, jq and find | xargs on the real workspace', async () => {
    const { run, root } = await shell();
    await writeFile(join(root, 'words.txt'), 'pear\napple\npear\nfig\napple\npear\n');
    expect(text(await run('grep -v fig words.txt | sort | uniq -c | sort -rn'))).toBe(
      '   3 pear\n   2 apple\n(exit code 0)',
    );
    await run('echo first > log.txt && echo second >> log.txt');
    expect(await readFile(join(root, 'log.txt'), 'utf8')).toBe('first\nsecond\n');
    expect(text(await run("cat <<'EOF' > note.md\n# Title\nbody $HOME\nEOF\ncat note.md"))).toBe(
      '# Title\nbody $HOME\n(exit code 0)',
    );
    expect(text(await run('for n in 1 2 3; do echo "item $n"; done | tail -n 1'))).toBe('item 3\n(exit code 0)');
    await run("sed -i 's/pear/PEAR/g' words.txt");
    expect(await readFile(join(root, 'words.txt'), 'utf8')).toBe('PEAR\napple\nPEAR\nfig\napple\nPEAR\n');
    expect(text(await run('awk \'{ n[$1]++ } END { print n["PEAR"] }\' words.txt'))).toBe('3\n(exit code 0)');
    expect(text(await run('echo \'{"items":[{"id":1},{"id":7}]}\' | jq ".items[1].id"'))).toBe('7\n(exit code 0)');
    await run('mkdir -p src/a src/b && echo x > src/a/one.ts && echo yy > src/b/two.ts && echo z > src/b/skip.md');
    expect(text(await run("find src -name '*.ts' | sort | xargs wc -c"))).toBe(
      '  2 src/a/one.ts\n  3 src/b/two.ts\n  5 total\n(exit code 0)',
    );
  });

  it('keeps the working directory between calls of a session, but not variables or functions', async () => {
    const { run } = await shell();
    await run('mkdir -p deep/er && cd deep/er && X=set && greet() { echo hi; }');
    expect(text(await run('pwd'))).toBe('/deep/er\n(exit code 0)');
    expect(text(await run('echo "[$X]"'))).toBe('[]\n(exit code 0)');
    const fn = await run('greet');
    expect(fn.metadata).toMatchObject({ exitCode: 127 });
  });

  it('reports the exit code, cuts long output, and says when a program does not exist', async () => {
    const { run } = await shell();
    const failed = await run('ls /no-such-folder');
    expect(failed).toMatchObject({ isError: true, metadata: { exitCode: 2 } });
    const long = text(await run('seq 1 20000'));
    expect(long).toMatch(/characters cut/);
    expect(long.length).toBeLessThan(31_000);
    const missing = await run('no-such-program --flag');
    expect(missing).toMatchObject({ isError: true, metadata: { exitCode: 127 } });
    expect(text(missing)).toMatch(/The sandbox has no program called "no-such-program", nor does this machine/);
  });

  it('lets curl through the network policy only', async () => {
    const { run } = await shell({ allowedOutboundHosts: ['*://*:*'] });
    const blocked = await run('curl -s http://169.254.169.254/latest/meta-data/');
    expect(blocked.isError).toBe(true);
    expect(text(blocked)).toMatch(/blockNetworks: private/);
  });
});

describe('bash: confinement and limits', () => {
  it('denies reading outside the workspace, links, and making links', async () => {
    const { run, root } = await shell();
    const outside = await tempDir('boxagnts-outside-');
    await writeFile(join(outside, 'secret'), 'OUTSIDE');
    await symlink(join(outside, 'secret'), join(root, 'link'));
    for (const command of ['cat ../../etc/passwd', 'cat /etc/passwd', 'cat link', 'cat .boxagnts/secrets.json']) {
      const result = await run(command);
      expect(result.isError, command).toBe(true);
      expect(text(result), command).toMatch(/No such file/);
      expect(text(result)).not.toMatch(/root:x|OUTSIDE/);
    }
    expect(text(await run('ls -a'))).not.toMatch(/link|\.boxagnts/);
    const made = await run('ln -s /etc/passwd mine; ln -s link mine2; cat mine');
    expect(made.isError).toBe(true);
    await expect(readFile(join(root, 'mine'))).rejects.toThrow();
    expect(text(await run('cp -r / /copy 2>&1; ls /copy'))).not.toMatch(/secrets|link/);
  });

  it(
    'stops an endless loop at the time limit and a string-doubling bomb at the memory limit, while the server keeps serving',
    { timeout: 120_000 },
    async () => {
      // The bomb gets the whole minute: on a loaded machine doubling up to the memory limit can take seconds, and it
      // must stop at that limit, not at a deadline.
      const { s, run } = await shell({ timeoutMs: 60_000, maxMemoryBytes: 32 * 1024 * 1024, fuel: 'unlimited' });
      // A loop that would run for the whole minute: the server answers meanwhile, whatever the machine's speed, and
      // the loop is still running after that answer (then it is cancelled).
      const cancel = new AbortController();
      const endless = callTool(s.server.context.runtime, 'bash', { command: 'while true; do :; done' }, cancel.signal);
      let done = false;
      void endless.then(() => (done = true));
      expect((await s.fetch('/api/health')).status).toBe(200);
      expect(done).toBe(false);
      cancel.abort();
      expect((await endless).isError).toBe(true);
      expect(await run('while true; do :; done', 1500)).toMatchObject({
        isError: true,
        metadata: { limitHit: 'timeout', limit: 1500 },
      });
      const bomb = await run('x=0123456789; while true; do x=$x$x; done');
      expect(bomb).toMatchObject({ isError: true, metadata: { limitHit: 'memory', limit: 32 * 1024 * 1024 } });
      expect(text(await run('echo alive'))).toBe('alive\n(exit code 0)');
    },
  );
});

describe('bash: protected files and the write quota', () => {
  it(
    'cannot plant a .git/config that would run a command at the next git status, with or without a repository',
    { timeout: 60_000 },
    async () => {
      const { run, root } = await shell();
      const plant = `mkdir -p .git && printf '[core]\\n\\tfsmonitor = "touch ${root}/pwned"\\n' > .git/config`;
      expect((await run(plant)).isError).toBe(true);
      expect(existsSync(join(root, '.git'))).toBe(false);

      execFileSync('git', ['init', '-q', root]);
      const config = await readFile(join(root, '.git', 'config'), 'utf8');
      const appended = await run(`printf '\\tfsmonitor = "touch ${root}/pwned"\\n' >> .git/config; echo done`);
      expect(text(appended)).toMatch(/read-only/i);
      expect(text(appended)).toMatch(/done/);
      expect(await readFile(join(root, '.git', 'config'), 'utf8')).toBe(config);
      expect(text(await run('cat .git/config'))).toContain('[core]');
      for (const command of [
        'rm -rf .git',
        'mv .git g',
        'echo x > .envrc',
        'mkdir -p .vscode && echo {} > .vscode/tasks.json',
        'mkdir s && echo {} > s/settings.json && mv s .vscode',
      ]) {
        await run(command);
      }
      expect(await readFile(join(root, '.git', 'config'), 'utf8')).toBe(config);
      for (const name of ['.envrc', '.vscode/tasks.json', '.vscode/settings.json'])
        expect(existsSync(join(root, name)), name).toBe(false);
      execFileSync('git', ['-C', root, 'status'], { stdio: 'ignore' });
      expect(existsSync(join(root, 'pwned'))).toBe(false);
    },
  );

  it(
    'stops a call that writes past sandbox.maxWriteBytes and reports the disk limit',
    { timeout: 60_000 },
    async () => {
      const { run, root } = await shell({ maxWriteBytes: 256 * 1024 });
      await writeFile(join(root, 'part.txt'), 'x'.repeat(100 * 1024));
      const result = await run('cat part.txt part.txt part.txt part.txt > big.txt; echo after');
      expect(result.metadata).toMatchObject({ limitHit: 'disk' });
      expect(text(result)).toMatch(/quota/i);
      const size = existsSync(join(root, 'big.txt')) ? (await stat(join(root, 'big.txt'))).size : 0;
      expect(size).toBeLessThanOrEqual(256 * 1024);
      expect(text(await run('cat part.txt > small.txt; wc -c < small.txt'))).toMatch(/102400/);
    },
  );
});

describe('bash: devices and refused paths', () => {
  it('has /dev/null, /dev/stdout and /dev/stderr as in a shell, without touching the workspace', async () => {
    const { run, root } = await shell();
    await writeFile(join(root, 'f.txt'), 'data\n');
    expect(text(await run('echo hidden > /dev/null; echo after'))).toBe('after\n(exit code 0)');
    expect(text(await run('echo more >> /dev/null; cat /dev/null; wc -c < /dev/null'))).toBe('0\n(exit code 0)');
    expect(
      text(
        await run('cp f.txt /dev/null && cat f.txt | tee /dev/null && ls /dev/null && test -e /dev/null && echo yes'),
      ),
    ).toBe('data\n/dev/null\nyes\n(exit code 0)');
    expect(text(await run('cp /dev/null empty.txt && wc -c empty.txt'))).toBe('0 empty.txt\n(exit code 0)');
    expect(text(await run('echo out > /dev/stdout; echo err > /dev/stderr'))).toBe('out\n[stderr]\nerr\n(exit code 0)');
    expect(text(await run('{ echo a; echo b >&2; } 2>&1 >/dev/null | wc -l'))).toBe('1\n(exit code 0)');
    expect(text(await run('echo piped | tee /dev/stderr | wc -c'))).toBe('6\n[stderr]\npiped\n(exit code 0)');
    const removed = await run('rm /dev/null');
    expect(removed).toMatchObject({ isError: true, metadata: { exitCode: 1 } });
    expect(text(removed)).toMatch(/rm: cannot remove '\/dev\/null'/);
    expect(await readdir(root)).toEqual(expect.not.arrayContaining(['dev']));
    expect((await readdir(root)).sort()).toEqual(['.boxagnts', 'empty.txt', 'f.txt']);
  });

  it("leaves the workspace's own dev folder alone", async () => {
    const { run, root } = await shell();
    await mkdir(join(root, 'dev'));
    await writeFile(join(root, 'dev', 'setup.sh'), 'echo hi\n');
    expect(text(await run('cat /dev/setup.sh; ls dev'))).toBe('echo hi\nsetup.sh\n(exit code 0)');
  });

  it('fails only the command whose redirect is refused, with the usual message, and goes on', async () => {
    const data = await tempDir('boxagnts-ro-');
    const { run, root } = await shell({ mounts: [{ host: data, guest: '/data', readOnly: true }] });
    const hidden = await run('echo a > /.boxagnts/x; echo b');
    expect(text(hidden)).toBe('b\n[stderr]\nbash: /.boxagnts/x: No such file or directory\n(exit code 0)');
    expect(hidden.metadata).toMatchObject({ limitHit: 'fs' });
    expect(text(await run('echo a >> /data/x || echo "fallback $?"; echo c'))).toBe(
      'fallback 1\nc\n[stderr]\nbash: /data/x: Read-only file system\n(exit code 0)',
    );
    expect(await run('echo a 2> /.boxagnts/y')).toMatchObject({ isError: true, metadata: { exitCode: 1 } });
    await expect(readFile(join(root, '.boxagnts', 'x'))).rejects.toThrow();
    expect(await readdir(data)).toEqual([]);
  });

  it('shows UTF-8 output as text and lets cp and mv replace a file', async () => {
    const { run } = await shell();
    expect(text(await run("printf 'héllo wörld ✓\\n' > u.txt; cat u.txt; cat u.txt | wc -c"))).toBe(
      'héllo wörld ✓\n18\n(exit code 0)',
    );
    expect(text(await run('echo é > w.txt; echo ü >> w.txt; cat w.txt'))).toBe('é\nü\n(exit code 0)');
    expect(text(await run('echo 1 > a; echo 2 > b; cp a b; cat b; echo 3 > c; mv c b; cat b; ls'))).toBe(
      '1\n3\na\nb\nu.txt\nw.txt\n(exit code 0)',
    );
    expect(text(await run('cp a a'))).toMatch(/are the same file/);
  });
});
