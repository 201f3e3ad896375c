import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { WorktreeError, addWorktree, finishWorktree, mergeWorktree } from '../../src/agent/orchestration/worktree';
import { tempDir } from '../helpers/workspace';

const git = promisify(execFile);

describe('child worktrees', () => {
  it('names the git command that failed and keeps what git says is in the way', async () => {
    const root = await tempDir('boxagnts-git-');
    await git('git', ['init', '-q', '-b', 'main'], { cwd: root });
    await writeFile(join(root, '.gitignore'), '.boxagnts/\n');
    await git('git', ['add', '.'], { cwd: root });
    await git('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'init'], { cwd: root });
    const worktree = await addWorktree(root, join(root, '.boxagnts', 'worktrees'), 'ses_child');
    await writeFile(join(worktree.path, 'feature.txt'), 'new\n');
    expect((await finishWorktree(root, worktree, 'child')).report.clean).toBe(false);

    // The user's own file of that name is in the way of the merge.
    await writeFile(join(root, 'feature.txt'), 'mine\n');
    const failed = await mergeWorktree(root, worktree.path, worktree.branch).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(WorktreeError);
    expect((failed as WorktreeError).message).toMatch(
      /^git merge failed: error: The following untracked working tree files would be overwritten by merge:\n\s+feature\.txt\n/,
    );
  });
});
