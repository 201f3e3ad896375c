import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '../helpers/server';

const CLI = join(REPO_ROOT, 'test', 'fixtures', 'mock-model', 'cli.ts');
const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

const started: ChildProcess[] = [];
afterEach(() => {
  for (const proc of started.splice(0)) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
});

function start(command: string, args: string[]) {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(proc);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = vi.waitFor(
    () => {
      const match = /listening on (http:\S+)/.exec(out);
      if (!match) throw new Error(`not listening yet:\n${out}`);
      return match[1]!;
    },
    { timeout: 30_000, interval: 50 },
  );
  return { proc, url, exited, output: () => out };
}

async function listening(url: string): Promise<boolean> {
  return fetch(`${url}/v1/models`).then(
    (r) => r.ok,
    () => false,
  );
}

describe('the mock model command', () => {
  it('prints its help and exits 0, and a bad option exits 2 with the help', async () => {
    const help = start(TSX, [CLI, '--help']);
    expect(await help.exited).toBe(0);
    expect(help.output()).toContain('Usage: npx tsx test/fixtures/mock-model/cli.ts [--port N]');
    expect(help.output()).not.toMatch(/\n\s+at /);
    const bad = start(TSX, [CLI, '--bogus']);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain("Unknown option '--bogus'");
  });

  it('stops its server and exits 0 on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const mock = start(process.execPath, ['--import', 'tsx', CLI]);
      const url = await mock.url;
      expect(await listening(url)).toBe(true);
      mock.proc.kill(signal);
      expect(await mock.exited).toBe(0);
      expect(mock.output()).toContain(`mock model stopping (${signal})`);
      expect(await listening(url)).toBe(false);
    }
  });

  it('stops when the process that launched it is killed, as npx leaves tsx and the server behind', async () => {
    // A shell that waits for tsx, as npm exec does: killing it orphans tsx and the server below it.
    const launcher = start('sh', ['-c', `"${TSX}" "${CLI}"; true`]);
    const url = await launcher.url;
    expect(await listening(url)).toBe(true);
    launcher.proc.kill('SIGKILL');
    await vi.waitFor(
      () => {
        if (!/mock model stopping \(process \d+, which started it, has exited\)/.test(launcher.output()))
          throw new Error('still running');
      },
      { timeout: 30_000, interval: 50 },
    );
    await vi.waitFor(async () => expect(await listening(url)).toBe(false), { timeout: 30_000, interval: 50 });
  });
});
