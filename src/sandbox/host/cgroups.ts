import { mkdir, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../../fs/errors';

/**
 * Where the host tier can cap a command's processes and memory as a whole: a cgroup folder of its own per command.
 * Rlimits cap each process, and the kernel does not apply the process cap to root; a cgroup caps the whole tree for
 * any user. Found once; null where this process may not create cgroups (then rlimits alone apply).
 */
export interface CgroupCaps {
  version: 1 | 2;
  /** v2: the one folder new cgroups go in. v1: the pids and memory hierarchies' folders. */
  pids: string;
  memory: string;
}

/** One command's cgroup: processes are added by pid; `close` removes it once the command has ended. */
export interface CommandCgroup {
  add(pid: number): Promise<void>;
  /** Which cap stopped the command, if one did. */
  tripped(): Promise<'processes' | 'memory' | undefined>;
  close(): Promise<void>;
}

async function ownCgroupPath(controller: string | null): Promise<string | undefined> {
  const text = await readFile('/proc/self/cgroup', 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [id, controllers, path] = line.split(':');
    if (path === undefined) continue;
    if (controller === null ? id === '0' && controllers === '' : controllers!.split(',').includes(controller))
      return path;
  }
  return undefined;
}

async function writable(dir: string): Promise<boolean> {
  const probe = join(dir, `boxagnts-probe-${process.pid}`);
  try {
    await mkdir(probe);
    await rmdir(probe);
    return true;
  } catch {
    return false;
  }
}

/** The name of one command's cgroup: this process's pid first, so that a later one can tell it was left behind. */
export function commandCgroupName(id: string): string {
  return `boxagnts-${process.pid}-${id}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

/**
 * Removes the cgroups of commands whose server is gone (one killed while its commands ran): each is empty, since
 * its processes died with their sandbox, but would stay until the machine restarts.
 */
export async function sweepCgroups(caps: CgroupCaps): Promise<void> {
  for (const parent of new Set([caps.pids, caps.memory])) {
    const names = await readdir(parent).catch(() => []);
    for (const name of names) {
      const owner = /^boxagnts-(\d+)-/.exec(name)?.[1];
      if (owner === undefined || alive(Number(owner))) continue;
      // One that still holds a process is left alone: removing it fails, and nothing else is touched.
      await rmdir(join(parent, name)).catch(() => undefined);
    }
  }
}

export async function findCgroupCaps(): Promise<CgroupCaps | null> {
  if (process.platform !== 'linux') return null;
  const v1Pids = await ownCgroupPath('pids');
  const v1Memory = await ownCgroupPath('memory');
  if (v1Pids !== undefined && v1Memory !== undefined) {
    const pids = join('/sys/fs/cgroup/pids', v1Pids);
    const memory = join('/sys/fs/cgroup/memory', v1Memory);
    if ((await writable(pids)) && (await writable(memory))) return { version: 1, pids, memory };
  }
  const v2 = await ownCgroupPath(null);
  if (v2 !== undefined) {
    for (const mount of ['/sys/fs/cgroup', '/sys/fs/cgroup/unified']) {
      const dir = join(mount, v2);
      const controllers = await readFile(join(dir, 'cgroup.subtree_control'), 'utf8').catch(() => '');
      if (/\bpids\b/.test(controllers) && /\bmemory\b/.test(controllers) && (await writable(dir)))
        return { version: 2, pids: dir, memory: dir };
    }
  }
  return null;
}

const read = (file: string) => readFile(file, 'utf8').catch(() => '');

/** Creates the cgroup of one command with its caps. */
export async function commandCgroup(
  caps: CgroupCaps,
  name: string,
  limits: { processes: number; memoryBytes: number },
): Promise<CommandCgroup> {
  const pids = join(caps.pids, name);
  const memory = join(caps.memory, name);
  const dirs = [...new Set([pids, memory])];
  for (const dir of dirs) await mkdir(dir);
  if (caps.version === 2) {
    await writeFile(join(pids, 'pids.max'), String(limits.processes));
    await writeFile(join(memory, 'memory.max'), String(limits.memoryBytes));
    // Without swap accounting there is no swap to cap: memory.max alone bounds the command.
    await writeFile(join(memory, 'memory.swap.max'), '0').catch(() => undefined);
  } else {
    await writeFile(join(pids, 'pids.max'), String(limits.processes));
    await writeFile(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    // Without swap accounting there is no swap to cap: memory.limit_in_bytes alone bounds the command.
    await writeFile(join(memory, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes)).catch(() => undefined);
  }
  const counter = (file: string, key: string) => async () => {
    const match = new RegExp(`^${key} (\\d+)$`, 'm').exec(await read(file));
    return Number(match?.[1] ?? 0);
  };
  const forks = counter(join(pids, 'pids.events'), 'max');
  const ooms =
    caps.version === 2
      ? counter(join(memory, 'memory.events'), 'oom_kill')
      : async () => Number((await read(join(memory, 'memory.failcnt'))).trim() || 0);
  return {
    async add(pid) {
      for (const dir of dirs) await writeFile(join(dir, 'cgroup.procs'), String(pid));
    },
    async tripped() {
      const [oomKills, forkFailures] = await Promise.all([ooms(), forks()]);
      if (oomKills > 0) return 'memory';
      if (forkFailures > 0) return 'processes';
      return undefined;
    },
    async close() {
      // Emptied once its processes are gone (a killed tree takes a moment to be reaped).
      for (const dir of dirs) {
        for (let attempt = 0; attempt < 50; attempt += 1) {
          try {
            await rmdir(dir);
            break;
          } catch {
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      }
    },
  };
}
