import type { WorktreeReport } from '../contract/events';
import { type Worktree, WorktreeError, addWorktree, finishWorktree, git } from '../agent/orchestration/worktree';

/** Whether the repository at `root` has `commit`. */
async function hasCommit(root: string, commit: string): Promise<boolean> {
  try {
    await git(root, ['cat-file', '-e', `${commit}^{commit}`]);
    return true;
  } catch {
    // cat-file -e fails exactly when the object is missing: the caller fetches it.
    return false;
  }
}

/**
 * Makes sure a worker's repository has the commit a run was queued at, fetching it from origin when it does not
 * (the server's machine may have pushed it after this worker last fetched).
 */
export async function ensureCommit(root: string, commit: string): Promise<void> {
  if (!/^[0-9a-f]{7,64}$/.test(commit)) throw new WorktreeError(`"${commit}" is not a commit id`);
  if (await hasCommit(root, commit)) return;
  await git(root, ['fetch', '--quiet', 'origin']);
  if (!(await hasCommit(root, commit)))
    throw new WorktreeError(`commit ${commit} is neither in this repository nor on its origin: push it first`);
}

/** The worktree a team run works in: the run's commit, on the branch `boxagnts/run-<id>`. */
export async function startRunWorktree(
  root: string,
  worktreesDir: string,
  runId: string,
  commit: string,
): Promise<Worktree> {
  // The id names a folder and a branch: one from the database is checked like any input.
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(runId)) throw new WorktreeError(`"${runId}" is not a run id`);
  await ensureCommit(root, commit);
  return addWorktree(root, worktreesDir, `run-${runId}`, commit);
}

/**
 * Ends a team run's worktree: its changes become one commit on its branch, pushed to origin so the server's
 * machine can see and merge it; a run that changed nothing leaves no branch.
 */
export async function publishRunBranch(root: string, worktree: Worktree, message: string): Promise<WorktreeReport> {
  const { report } = await finishWorktree(root, worktree, message);
  if (!report.clean) await git(root, ['push', '--quiet', 'origin', `${worktree.branch}:${worktree.branch}`]);
  return report;
}
