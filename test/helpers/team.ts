import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MockModelServer } from '../fixtures/mock-model/server';
import type { RecordedRequest } from '../fixtures/mock-model/types';
import { mockProviderSettings } from '../fixtures/mock-model/settings';

/**
 * Team mode as separate processes, the way machines run it: an origin repository with a clone per machine, the
 * built CLI's `serve --team`, `worker` and `worker-role`, and the dashboard's API signed in. The integration test and
 * the team benchmark share it.
 */

const run = promisify(execFile);
// The built CLI of this checkout (not test/helpers/server's REPO_ROOT: that module needs vitest, and the bench shares this one).
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
export const AUTH = `Basic ${Buffer.from('admin:team secret').toString('base64')}`;

export interface Proc {
  proc: ChildProcess;
  output(): string;
  /** What the process printed after `Ready:`. */
  ready: Promise<string>;
  exited: Promise<number | null>;
}

/** The machines of one test (or one benchmark): the processes it started and the folders it made, until `stop`. */
export class TeamLab {
  /** Every process started and folder made, for `stop`. */
  private readonly procs: Proc[] = [];
  private readonly folders: string[] = [];

  start(args: string[], env: Record<string, string> = {}): Proc {
    const proc = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BOXAGNTS_LOG_LEVEL: 'info', ...env },
    });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    const ready = new Promise<string>((resolve, reject) => {
      const look = () => {
        const match = /Ready: (\S+)/.exec(out);
        if (match) resolve(match[1]!);
      };
      proc.stdout!.on('data', look);
      void exited.then((code) => reject(new Error(`exited ${code} before it was ready:\n${out}`)));
    });
    // Commands that end (worker-role) are never ready; a caller that waits for one sees the rejection.
    ready.catch(() => undefined);
    const handle = { proc, output: () => out, ready, exited };
    this.procs.push(handle);
    return handle;
  }

  /** Stops every process started (SIGTERM, then SIGKILL for one still running after 10 s) and removes the clones. */
  async stop(): Promise<void> {
    for (const p of this.procs.splice(0)) {
      if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGTERM');
      const stopped = await Promise.race([p.exited.then(() => true), new Promise((r) => setTimeout(r, 10_000, false))]);
      if (!stopped) p.proc.kill('SIGKILL');
    }
    await Promise.all(this.folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }

  /** An origin repository and a clone of it per machine; a worker's clone points its models at the mock. */
  async machines(workers: number, mock: MockModelServer) {
    const base = await realpath(await mkdtemp(join(tmpdir(), 'boxagnts-team-')));
    this.folders.push(base);
    const origin = join(base, 'origin.git');
    await run('git', ['init', '--quiet', '--bare', '-b', 'main', origin]);
    const seed = join(base, 'seed');
    await run('git', ['clone', '--quiet', origin, seed]);
    await writeFile(join(seed, 'README.md'), '# app\n');
    await git(seed, 'add', '.');
    await git(seed, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '--quiet', '-m', 'first');
    await git(seed, 'push', '--quiet', 'origin', 'HEAD:main');
    const clone = async (name: string, settings?: object) => {
      const dir = join(base, name);
      await run('git', ['clone', '--quiet', origin, dir]);
      if (settings) {
        await mkdir(join(dir, '.boxagnts'), { recursive: true });
        await writeFile(join(dir, '.boxagnts', 'settings.json'), JSON.stringify(settings));
      }
      return dir;
    };
    const server = await clone('server');
    const workerDirs = await Promise.all(
      Array.from({ length: workers }, (_, i) => clone(`worker${i + 1}`, mockProviderSettings(mock))),
    );
    return { origin, server, workerDirs, clone };
  }

  /** `boxagnts worker-role`: the URL a worker signs in with. */
  async workerUrl(adminUrl: string, role: string): Promise<string> {
    const made = this.start(['worker-role', role, '--team', adminUrl]);
    if ((await made.exited) !== 0) throw new Error(`worker-role failed:\n${made.output()}`);
    return made.output().split('\n')[0]!.trim();
  }

  startServer(dir: string, adminUrl: string, { cap = 3, leaseSeconds = 60 } = {}): Proc {
    return this.start(
      [
        'serve',
        '--workspace-dir',
        dir,
        '--port',
        '0',
        '--admin-user',
        'admin',
        '--team-cap',
        String(cap),
        '--team-lease-seconds',
        String(leaseSeconds),
      ],
      { BOXAGNTS_ADMIN_PASS: 'team secret', BOXAGNTS_TEAM_URL: adminUrl },
    );
  }

  startWorker(dir: string, url: string, name: string, concurrency = 2): Proc {
    return this.start(['worker', '--workspace-dir', dir, '--concurrency', String(concurrency), '--name', name], {
      BOXAGNTS_TEAM_URL: url,
    });
  }
}

export async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await run('git', args, { cwd })).stdout;
}

/** The dashboard's API, signed in, as the dashboard calls it. */
export function api(base: string) {
  return async (path: string, init: RequestInit = {}): Promise<any> => {
    const response = await fetch(`${base}${path}`, {
      ...init,
      headers: { authorization: AUTH, origin: base, 'content-type': 'application/json', ...init.headers },
    });
    const body = await response.json();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
    return body;
  };
}

export async function saveJob(call: ReturnType<typeof api>, name: string, fields: object): Promise<void> {
  await call(`/api/jobs/${name}`, { method: 'PUT', body: JSON.stringify(fields) });
}

/** The text of the run's prompt: the first user message of the request. */
export function promptOf(request: RecordedRequest): string {
  const messages: { role: string; content: unknown }[] = (request.body as any).messages ?? [];
  const user = messages.find((m) => m.role === 'user');
  return typeof user?.content === 'string' ? user.content : JSON.stringify(user?.content ?? '');
}
