import { readFile, readdir } from 'node:fs/promises';

/** A process's proportional set size in bytes (shared pages split among their users), or its RSS without smaps_rollup. */
async function pssOf(pid: number): Promise<number | undefined> {
  try {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = /^Pss:\s+(\d+) kB/m.exec(rollup)?.[1];
    if (kb) return Number(kb) * 1024;
  } catch (error) {
    if (!isGone(error)) throw error;
    // Without smaps_rollup (older kernels) the status file still has the resident size.
  }
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch (error) {
    if (isGone(error)) return undefined;
    throw error;
  }
}

/** The process has exited (or never had that file): nothing to sample. */
function isGone(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ESRCH');
}

/** The ids of `pid`'s child processes, through every thread's `children` list. */
async function childrenOf(pid: number): Promise<number[]> {
  let tasks: string[];
  try {
    tasks = await readdir(`/proc/${pid}/task`);
  } catch (error) {
    if (isGone(error)) return [];
    throw error;
  }
  const lists = await Promise.all(
    tasks.map((tid) =>
      readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch((error: unknown) => {
        if (isGone(error)) return '';
        throw error;
      }),
    ),
  );
  return lists.flatMap((list) => list.split(/\s+/).filter(Boolean).map(Number));
}

export interface PeakMemory {
  /** Highest PSS of the process itself, in bytes. */
  self: number;
  /** Highest sum over the process and its descendants (helper processes it starts), in bytes. */
  tree: number;
}

/** Samples `pid`'s memory every `intervalMs` until `stop()`, which resolves to the peaks seen. */
export function samplePeakMemory(pid: number, intervalMs = 20): { stop(): Promise<PeakMemory> } {
  const peak: PeakMemory = { self: 0, tree: 0 };
  let failure: unknown;
  let busy = false;
  let last = Promise.resolve();
  const sample = async () => {
    const self = (await pssOf(pid)) ?? 0;
    let tree = self;
    const pending = await childrenOf(pid);
    while (pending.length) {
      const child = pending.pop()!;
      tree += (await pssOf(child)) ?? 0;
      pending.push(...(await childrenOf(child)));
    }
    peak.self = Math.max(peak.self, self);
    peak.tree = Math.max(peak.tree, tree);
  };
  const tick = () => {
    // One sample at a time: a slow read skips a tick rather than piling up.
    if (busy) return;
    busy = true;
    last = sample()
      .catch((error: unknown) => void (failure ??= error))
      .finally(() => (busy = false));
  };
  const timer = setInterval(tick, intervalMs);
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await last;
      if (failure !== undefined) throw failure;
      return peak;
    },
  };
}
