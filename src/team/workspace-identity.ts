import { git } from '../agent/orchestration/worktree';
import { isAbsolute } from 'node:path';
import { errorMessage } from '../fs/errors';

export class WorkspaceIdentityError extends Error {}

/**
 * A remote URL as host and path, so that the spellings of one repository match across machines:
 * `git@github.com:org/app.git`, `ssh://git@github.com/org/app` and `https://user@github.com/org/app.git` are all
 * `github.com/org/app`. Credentials and the scheme are dropped; the host is lowercased, the path kept as written. A
 * repository in a folder (an absolute path or a file:// URL, reachable by machines that mount it) is `file:` and
 * its path; a relative path names nothing another machine can find.
 */
export function normalizeRemote(url: string): string {
  const text = url.trim();
  if (isAbsolute(text)) return `file:${stripRepo(text)}`;
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(text);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return `${scp[1]!.toLowerCase()}/${stripRepo(scp[2]!)}`;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    // Neither a URL nor host:path: a relative folder.
    throw new WorkspaceIdentityError(
      `"${text}" is not a remote another machine can reach (a URL, host:path or an absolute path)`,
    );
  }
  const path = decodeURIComponent(parsed.pathname);
  if (parsed.protocol === 'file:') return `file:${stripRepo(path)}`;
  const host = parsed.port ? `${parsed.hostname}:${parsed.port}` : parsed.hostname;
  return `${host.toLowerCase()}/${stripRepo(path.replace(/^\/+/, ''))}`;
}

/** A repository path without its trailing slashes and `.git`; refused when nothing is left. */
function stripRepo(path: string): string {
  const clean = path.replace(/\/+$/, '').replace(/\.git$/, '');
  if (!clean || clean === '/') throw new WorkspaceIdentityError(`"${path}" names no repository`);
  return clean;
}

/** Which repository a workspace holds and at which commit: what a run asks of the worker that takes it. */
export interface WorkspaceIdentity {
  remote: string;
  commit: string;
}

/** The identity of the repository at `root`, from its `origin` remote (or its only one) and HEAD. */
export async function workspaceIdentity(root: string): Promise<WorkspaceIdentity> {
  let remotes: string[];
  let commit: string;
  try {
    remotes = (await git(root, ['remote'])).split('\n').filter(Boolean);
    commit = (await git(root, ['rev-parse', '--verify', 'HEAD^{commit}'])).trim();
  } catch (error) {
    throw new WorkspaceIdentityError(
      `team mode needs the workspace to be a git repository with a commit: ${errorMessage(error)}`,
    );
  }
  const name = remotes.includes('origin') ? 'origin' : remotes.length === 1 ? remotes[0] : undefined;
  if (!name)
    throw new WorkspaceIdentityError(
      remotes.length === 0
        ? 'team mode needs the workspace to have a git remote that every machine can fetch'
        : `the workspace has several remotes and none is called origin (${remotes.join(', ')}): name the shared one origin`,
    );
  const url = (await git(root, ['remote', 'get-url', name])).trim();
  return { remote: normalizeRemote(url), commit };
}
