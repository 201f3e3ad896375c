import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { silentLogger } from '../../src/log';
import { type RunningServer, type ServeOptions, startServer } from '../../src/server/serve';
import { tempDir } from './workspace';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const CLI = join(REPO_ROOT, 'dist', 'cli.js');

export interface TestServer {
  readonly server: RunningServer;
  readonly url: string;
  readonly workspaceDir: string;
  /** fetch against the server, sending the dashboard's Origin the way a browser on the dashboard would. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

const running: TestServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

/** The real server, in this process, on a free port over a temporary (or given) workspace. Closed after the test. */
export async function startTestServer(options: Partial<ServeOptions> = {}): Promise<TestServer> {
  const workspaceDir = options.workspaceDir ?? (await tempDir('boxagnts-ws-'));
  const server = await startServer({ host: '127.0.0.1', port: 0, logger: silentLogger, ...options, workspaceDir });
  const test: TestServer = {
    server,
    url: server.url,
    workspaceDir,
    fetch: (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has('origin')) headers.set('origin', server.url);
      return fetch(server.url + path, { ...init, headers });
    },
    close: () => server.close(),
  };
  running.push(test);
  return test;
}

export interface SpawnedServer {
  readonly proc: ChildProcess;
  readonly url: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const spawned: ChildProcess[] = [];
afterEach(() => {
  for (const proc of spawned.splice(0)) if (proc.exitCode === null) proc.kill('SIGKILL');
});

/** `node dist/cli.js ARGS` as a child process, resolved once it prints its URL. */
export async function spawnServer(args: string[], env: NodeJS.ProcessEnv = {}): Promise<SpawnedServer> {
  const proc = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned.push(proc);
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /Ready: (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`server exited with ${code} before it was ready:\n${err}`)));
  });
  return {
    proc,
    url,
    stdout: () => out,
    stderr: () => err,
    stop: (signal = 'SIGTERM') => {
      proc.kill(signal);
      return exited;
    },
  };
}

/** Runs `node dist/cli.js ARGS` to completion. */
export function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), options.timeoutMs ?? 15_000);
    // 'close', not 'exit': output still in the pipes when the process exits arrives after 'exit', and on a busy
    // machine that was all of it.
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
