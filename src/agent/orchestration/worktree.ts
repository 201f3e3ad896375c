import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { WorktreeReport } from '../../contract/events';
import { errnoCode, errorMessage } from '../../fs/errors';

const run = promisify(execFile);

/** The lines of git's error output a WorktreeError keeps. */
const GIT_ERROR_LINES = 12;

/** A git command failed; its message names the command and gives git's own words (the files in the way, say). */
export class WorktreeError extends Error {
  override readonly name = 'WorktreeError';
}

/**
 * Git with fixed arguments only (nothing a model writes reaches a command line), no prompts, no hooks and no file
 * system monitor: the runtime runs git on the host, so nothing in the repository may make it run a program.
 */
export async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(
      'git',
      ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false', '-c', 'commit.gpgSign=false', ...args],
      {
        cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    return stdout;
  } catch (error) {
    const stderr = error instanceof Error && 'stderr' in error && typeof error.stderr === 'string' ? error.stderr : '';
    // Git names what is in the way on the lines after the first, so a few are kept.
    const detail = stderr.trim() ? stderr.trim().split('\n').slice(0, GIT_ERROR_LINES).join('\n') : errorMessage(error);
    // The subcommand, past the `-c name=value` pairs a caller puts first.
    const command = args.find((arg, i) => !arg.startsWith('-') && args[i - 1] !== '-c') ?? '';
    throw new WorktreeError(`git ${command} failed: ${detail}`);
  }
}

export const branchFor = (childId: string) => `boxagnts/${childId}`;

/** The worktree changes under way per repository, one after another. */
const worktreeChanges = new Map<string, Promise<unknown>>();

/**
 * Runs a change to a repository's list of worktrees after the ones before it: git does not guard that list against
 * itself, and a prune (or a remove) while another worktree is being added deletes the new one's half-made entry.
 */
function changeWorktrees<T>(root: string, change: () => Promise<T>): Promise<T> {
  const before = worktreeChanges.get(root) ?? Promise.resolve();
  const result = before.then(change, change);
  const settled = result.then(
    () => undefined,
    // The caller gets the failure; the next change only waits for this one to end.
    () => undefined,
  );
  worktreeChanges.set(root, settled);
  void settled.then(() => {
    if (worktreeChanges.get(root) === settled) worktreeChanges.delete(root);
  });
  return result;
}

/** Whether `root` is the top folder of a git work tree with at least one commit (a worktree needs a commit to start from). */
export async function canIsolate(root: string): Promise<boolean> {
  try {
    const top = (await git(root, ['rev-parse', '--show-toplevel'])).trim();
    await git(root, ['rev-parse', '--verify', 'HEAD']);
    const real = (await git(top, ['rev-parse', '--show-toplevel'])).trim();
    return real === top && (await git(root, ['rev-parse', '--show-prefix'])).trim() === '';
  } catch {
    // Not a repository, no commit yet, or git missing: the caller says worktree isolation is not available.
    return false;
  }
}

export interface Worktree {
  path: string;
  branch: string;
  /** The commit the worktree started from. */
  base: string;
}

/**
 * A new worktree of `root` at `commit` (its HEAD unless given) on the branch `boxagnts/<childId>`, in
 * `worktreesDir/<childId>`.
 */
export async function addWorktree(
  root: string,
  worktreesDir: string,
  childId: string,
  commit = 'HEAD',
): Promise<Worktree> {
  await mkdir(worktreesDir, { recursive: true, mode: 0o700 });
  // The worktrees live inside the checkout: without this, `git status` there would list each as untracked.
  await writeFile(join(worktreesDir, '.gitignore'), '*\n', { flag: 'wx' }).catch((error: unknown) => {
    if (errnoCode(error) !== 'EEXIST') throw error;
  });
  const path = join(worktreesDir, childId);
  const branch = branchFor(childId);
  const base = (await git(root, ['rev-parse', '--verify', `${commit}^{commit}`])).trim();
  await changeWorktrees(root, () => git(root, ['worktree', 'add', '--quiet', '-b', branch, path, base]));
  return { path, branch, base };
}

/**
 * Ends a child's worktree: its changes become one commit on its branch, kept for the user to merge or discard; a
 * worktree with no changes is removed with its branch. Returns the report and the files changed.
 */
export async function finishWorktree(
  root: string,
  worktree: Worktree,
  message: string,
): Promise<{ report: WorktreeReport; files: string[] }> {
  await git(worktree.path, ['add', '--all']);
  const changed = (await git(worktree.path, ['diff', '--cached', '--name-only'])).split('\n').filter(Boolean);
  if (changed.length === 0) {
    await removeWorktree(root, worktree.path, worktree.branch);
    return { report: { branch: worktree.branch, diffStat: '', clean: true }, files: [] };
  }
  await git(worktree.path, [
    '-c',
    'user.name=boxagnts',
    '-c',
    'user.email=boxagnts@localhost',
    'commit',
    '--quiet',
    '--no-verify',
    '-m',
    message,
  ]);
  const diffStat = (await git(worktree.path, ['diff', '--stat', worktree.base, 'HEAD'])).trimEnd();
  return { report: { branch: worktree.branch, diffStat, clean: false }, files: changed };
}

/** Merges a kept child branch into the checked-out branch (`--no-ff`, so the child's work stays one unit), then removes it. */
export async function mergeWorktree(root: string, worktreePath: string, branch: string): Promise<void> {
  await git(root, [
    '-c',
    'user.name=boxagnts',
    '-c',
    'user.email=boxagnts@localhost',
    'merge',
    '--no-ff',
    '--no-edit',
    '--no-verify',
    branch,
  ]);
  await removeWorktree(root, worktreePath, branch);
}

/** Removes a child's worktree and deletes its branch (its changes are gone). */
export async function removeWorktree(root: string, worktreePath: string, branch: string): Promise<void> {
  await changeWorktrees(root, () => git(root, ['worktree', 'remove', '--force', worktreePath]));
  await git(root, ['branch', '-D', branch]);
}

/**
 * Removes a child's worktree folder when its session is deleted, keeping its branch: the commit the child left stays
 * in the repository for the user to merge or delete. A folder git no longer knows (the repository moved) is removed as
 * a plain folder.
 */
export function dropWorktreeFolder(root: string, worktreePath: string): Promise<void> {
  return changeWorktrees(root, () => dropFolder(root, worktreePath));
}

async function dropFolder(root: string, worktreePath: string): Promise<void> {
  try {
    await git(root, ['worktree', 'remove', '--force', worktreePath]);
  } catch {
    // Git does not know the folder (the repository moved or is gone): it is removed as a plain folder instead.
    await rm(worktreePath, { recursive: true, force: true });
    await git(root, ['worktree', 'prune']).catch(
      // Only tidies git's own list of worktrees; a repository that is gone has no list to tidy.
      () => undefined,
    );
  }
}
