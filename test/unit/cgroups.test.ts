import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandCgroupName, sweepCgroups } from '../../src/sandbox/host/cgroups';
import { tempDir } from '../helpers/workspace';

describe('sweepCgroups', () => {
  it('removes the cgroups of a server that is gone, and only those', async () => {
    const pids = await tempDir('boxagnts-cg-pids-');
    const memory = await tempDir('boxagnts-cg-memory-');
    // No process has this pid: it is above the kernel's largest.
    const gone = 'boxagnts-2147483647-0a1b2c';
    const mine = commandCgroupName('3d4e5f');
    for (const parent of [pids, memory]) {
      for (const name of [gone, mine, 'someone-else']) await mkdir(join(parent, name));
    }
    // A cgroup that still holds something cannot be removed, and is left as it is.
    await mkdir(join(pids, gone, 'busy'));
    await sweepCgroups({ version: 1, pids, memory });
    expect((await readdir(memory)).sort()).toEqual([mine, 'someone-else'].sort());
    expect((await readdir(pids)).sort()).toEqual([gone, mine, 'someone-else'].sort());
  });
});
