import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { type CgroupCaps, type CommandCgroup, commandCgroup, commandCgroupName } from './cgroups';
import type { HostCommandResult, HostLimitName, HostLimits } from './command';

/** What stderr says when a per-process cap stopped a program (where no cgroup tells it for sure). */
const SIGNS: readonly [HostLimitName, RegExp][] = [
  ['memory', /out of memory|MemoryError|Cannot allocate memory|std::bad_alloc|allocation failed/i],
  [
    'processes',
    /fork: (?:retry: )?Resource temporarily unavailable|Cannot fork|BlockingIOError|EAGAIN.*(?:fork|spawn)/i,
  ],
  ['openFiles', /Too many open files|EMFILE/],
];

/** The shell that sets a command's caps inside the sandbox. */
export const BASH = '/bin/bash';

/** The CPU-time cap ends a program with SIGXCPU. */
const SIGXCPU = constants.signals.SIGXCPU;

export interface Launch {
  /** The OS sandbox program (bwrap). */
  executable: string;
  /** Its arguments up to `--`, then the program and its arguments. */
  args: string[];
}

class Capture {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  cut = false;

  constructor(private readonly max: number) {}

  take(stream: Readable): void {
    // A reset from a program's end of the pipe ends the stream like a close: what came before is kept.
    stream.on('error', () => undefined);
    stream.on('data', (chunk: Buffer) => {
      const room = this.max - this.size;
      if (room <= 0) {
        this.cut = true;
        return;
      }
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
      this.cut ||= kept.length < chunk.length;
      this.chunks.push(kept);
      this.size += kept.length;
    });
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}

/**
 * What runs inside the sandbox before the program, with bash (Debian and Ubuntu always have it): it closes every file
 * descriptor past stderr, which bubblewrap passes on as it got them (a pipe the server inherited from whatever
 * started it must not reach a program), and sets the per-process caps, after the namespaces exist so the process cap
 * counts only the command's own.
 */
export function commandPrefix(limits: HostLimits): string[] {
  const script = [
    'for fd in /proc/self/fd/*; do fd=${fd##*/}; if [ "$fd" -gt 2 ]; then exec {fd}>&-; fi; done',
    // The hard CPU cap a second above the soft one: SIGXCPU first, which says which cap it was, then SIGKILL.
    `ulimit -t ${limits.maxCpuSeconds + 1} && ulimit -St ${limits.maxCpuSeconds} && ulimit -n ${limits.maxOpenFiles} && ulimit -d ${Math.floor(limits.maxMemoryBytes / 1024)} && ulimit -u ${limits.maxProcesses} || exit 126`,
    'exec "$@"',
  ].join('\n');
  return [BASH, '-c', script, 'boxagnts'];
}

function describe(limit: HostLimitName, limits: HostLimits): string {
  const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024).toLocaleString('en-US')} MB`;
  switch (limit) {
    case 'timeout':
      return `the time limit of ${(limits.timeoutMs / 1000).toLocaleString('en-US')} s`;
    case 'memory':
      return `the memory limit of ${mb(limits.maxMemoryBytes)}`;
    case 'cpu':
      return `the CPU-time limit of ${limits.maxCpuSeconds.toLocaleString('en-US')} s`;
    case 'processes':
      return `the limit of ${limits.maxProcesses.toLocaleString('en-US')} processes`;
    case 'openFiles':
      return `the limit of ${limits.maxOpenFiles.toLocaleString('en-US')} open files`;
    case 'output':
      return `the output limit of ${mb(limits.maxOutputBytes)} per stream`;
  }
}

/**
 * Runs one command in the OS sandbox and waits for it. The sandbox and everything it started are one process tree
 * in a PID namespace of its own: killing the sandbox's first process ends them all, which happens at the deadline,
 * on abort, and on any failure here. With cgroups, the tree is also one cgroup capped in processes and memory, which
 * says for sure which cap stopped it.
 */
export async function runHostCommand(
  launch: Launch,
  options: { stdin: Uint8Array; limits: HostLimits; cgroups: CgroupCaps | null; signal?: AbortSignal | undefined },
): Promise<HostCommandResult> {
  const { limits, signal } = options;
  // bwrap tells the pid of the sandbox's first process on fd 3 and waits on fd 4 before running the program, so the
  // whole tree is in the cgroup before anything of the command runs; the cgroup is made while bwrap sets up.
  const child = spawn(launch.executable, ['--info-fd', '3', '--block-fd', '4', ...launch.args], {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
    detached: true,
    // /proc/1/environ inside shows the sandbox's first process's environment: it gets nothing of the server's.
    env: { PATH: '/usr/bin:/bin' },
  });
  const stdout = new Capture(limits.maxOutputBytes);
  const stderr = new Capture(limits.maxOutputBytes);
  stdout.take(child.stdout!);
  stderr.take(child.stderr!);
  let stopped: HostLimitName | 'aborted' | undefined;
  /** The sandbox's first process: killed, it takes its PID namespace, and so everything the command started, along. */
  let sandboxPid: number | undefined;
  const kill = () => {
    for (const pid of [sandboxPid, child.pid === undefined ? undefined : -child.pid]) {
      if (pid === undefined) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  const deadline = setTimeout(() => {
    stopped ??= 'timeout';
    kill();
  }, limits.timeoutMs);
  const onAbort = () => {
    stopped ??= 'aborted';
    kill();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((done) => {
    child.once('error', (error) => done({ code: null, signal: null, error }));
    child.once('close', (code, sig) => done({ code, signal: sig }));
  });
  const info = child.stdio[3] as Readable;
  const block = child.stdio[4] as NodeJS.WritableStream;
  // A program that exits without reading all its input closes the pipe: what it did not read does not matter.
  child.stdin?.on('error', () => undefined);
  // The other end goes away when bwrap does: a write that arrives late has nobody to read it.
  block.on('error', () => undefined);
  // bwrap writes the JSON in more than one write and closes the descriptor after: it is read to its end, since a
  // write to a closed reader would end bwrap with SIGPIPE and leave its sandbox waiting for it.
  info.on('error', () => undefined);
  const started = (async () => {
    let text = '';
    for await (const chunk of info) text += String(chunk);
    const match = /"child-pid"\s*:\s*(\d+)/.exec(text);
    return match ? Number(match[1]) : undefined;
  })();
  const making = options.cgroups
    ? commandCgroup(options.cgroups, commandCgroupName(randomBytes(6).toString('hex')), {
        processes: limits.maxProcesses,
        memoryBytes: limits.maxMemoryBytes,
      })
    : Promise.resolve(null);
  let cgroup: CommandCgroup | null = null;
  let setup: Error | undefined;
  try {
    [sandboxPid, cgroup] = await Promise.all([Promise.race([started, exited.then(() => undefined)]), making]);
    if (sandboxPid !== undefined && cgroup) {
      await cgroup.add(child.pid!);
      await cgroup.add(sandboxPid);
    }
    block.write('1');
    block.end();
    child.stdin?.end(Buffer.from(options.stdin));
  } catch (error) {
    // The program never ran: nothing of it is left to wait for but bwrap itself.
    setup = error instanceof Error ? error : new Error(String(error));
    kill();
    // A cgroup made while bwrap failed is still removed; a failure to make it is the one reported above.
    cgroup ??= await making.catch(() => null);
  }
  const outcome = await exited;
  clearTimeout(deadline);
  signal?.removeEventListener('abort', onAbort);
  const tripped = await cgroup?.tripped();
  // Removed once the kernel has reaped the tree, after the answer: close waits for that and never fails.
  void cgroup?.close();
  const failed = outcome.error ?? setup;
  if (failed) {
    return {
      stdout: new Uint8Array(),
      stderr: Buffer.from(`the OS sandbox could not start: ${failed.message}\n`),
      exitCode: 126,
    };
  }
  const errText = Buffer.from(stderr.bytes()).toString('utf8');
  const byStderr = SIGNS.find(([, sign]) => sign.test(errText))?.[0];
  const signalled = outcome.signal !== null;
  const exitCode = outcome.code ?? 128 + (signalled ? (constants.signals[outcome.signal!] ?? 9) : 9);
  const limit: HostLimitName | undefined =
    stopped === 'timeout'
      ? 'timeout'
      : (tripped ??
        (exitCode === 128 + SIGXCPU ? 'cpu' : undefined) ??
        (exitCode !== 0 ? byStderr : undefined) ??
        (stdout.cut || stderr.cut ? 'output' : undefined));
  return {
    stdout: stdout.bytes(),
    stderr: stderr.bytes(),
    exitCode: stopped === 'aborted' ? 130 : exitCode,
    ...(limit ? { limitHit: limit, limitDetail: describe(limit, limits) } : {}),
  };
}
