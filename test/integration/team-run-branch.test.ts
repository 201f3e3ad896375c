import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishRunBranch, startRunWorktree } from '../../src/team/run-branch';
import { tempDir } from '../helpers/workspace';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' }).trim();

/** A shared origin, the server's clone and a worker's clone of it. */
async function machines() {
  const origin = await tempDir();
  git(origin, 'init', '-q', '--bare', '-b', 'main');
  const server = await tempDir();
  git(server, 'clone', '-q', origin, '.');
  await writeFile(join(server, 'app.txt'), 'v1\n');
  git(server, 'add', '.');
  git(server, 'commit', '-q', '-m', 'v1');
  git(server, 'push', '-q', 'origin', 'main');
  const worker = await tempDir();
  git(worker, 'clone', '-q', origin, '.');
  return { origin, server, worker };
}

describe("a team run's branch", () => {
  it("starts at the run's commit, fetched when the worker lacks it, and is pushed with its changes", async () => {
    const { origin, server, worker } = await machines();
    // The server's machine moves on after the worker cloned; the run is queued at the new commit.
    await writeFile(join(server, 'app.txt'), 'v2\n');
    git(server, 'commit', '-q', '-am', 'v2');
    git(server, 'push', '-q', 'origin', 'main');
    const commit = git(server, 'rev-parse', 'HEAD');

    const worktree = await startRunWorktree(worker, join(worker, '.runs'), 'r1', commit);
    expect(await readFile(join(worktree.path, 'app.txt'), 'utf8')).toBe('v2\n');
    await writeFile(join(worktree.path, 'app.txt'), 'v3 by the agent\n');
    const report = await publishRunBranch(worker, worktree, 'team run r1');
    expect(report).toMatchObject({ branch: 'boxagnts/run-r1', clean: false });
    expect(report.diffStat).toMatch(/app\.txt \| 2 \+-/);
    // The branch is on origin, where the server's machine can fetch and merge it.
    expect(git(origin, 'show', 'boxagnts/run-r1:app.txt')).toBe('v3 by the agent');
    expect(git(origin, 'rev-parse', 'boxagnts/run-r1~1')).toBe(commit);
  });

  it('leaves no branch when the run changed nothing', async () => {
    const { origin, worker } = await machines();
    const commit = git(worker, 'rev-parse', 'HEAD');
    const worktree = await startRunWorktree(worker, join(worker, '.runs'), 'r2', commit);
    expect(await publishRunBranch(worker, worktree, 'team run r2')).toMatchObject({ clean: true, diffStat: '' });
    expect(git(origin, 'branch', '--list', 'boxagnts/*')).toBe('');
    expect(git(worker, 'branch', '--list', 'boxagnts/*')).toBe('');
  });

  it('refuses a commit that is nowhere, and ids that are not plain', async () => {
    const { worker } = await machines();
    const commit = git(worker, 'rev-parse', 'HEAD');
    await expect(startRunWorktree(worker, join(worker, '.runs'), 'r3', 'f'.repeat(40))).rejects.toThrow(
      /neither in this repository nor on its origin/,
    );
    await expect(startRunWorktree(worker, join(worker, '.runs'), 'r3', '--upload-pack=x')).rejects.toThrow(
      /is not a commit id/,
    );
    await expect(startRunWorktree(worker, join(worker, '.runs'), '../escape', commit)).rejects.toThrow(
      /is not a run id/,
    );
  });
});
