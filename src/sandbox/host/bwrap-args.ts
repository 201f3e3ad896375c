import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { PROTECTED_PATHS } from '../../fs/protected-paths';
import { HOST_PATH } from './availability';
import type { HostCommand, HostScope } from './command';

/** The system folders a command sees, read-only: programs and their libraries. */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/opt'];

/**
 * What of `/etc` stays out of sight: password hashes, host keys, private TLS keys, sudo's rules. The rest of `/etc`
 * (resolver, certificates, locales, the programs' own configuration) is read-only and needed.
 */
const ETC_SECRET_FILES = ['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-', '/etc/sudoers'];
const ETC_SECRET_DIRS = ['/etc/ssh', '/etc/ssl/private', '/etc/sudoers.d'];

/** Where HOME is inside the sandbox. */
export const SANDBOX_HOME = '/home/agent';

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The repository folder a worktree's `.git` file points at (`gitdir: …/.git/worktrees/ID`, whose `commondir` names
 * the main `.git`), when it lies inside `root`: git in a worktree needs it for objects and refs.
 */
export function worktreeGitDir(workDir: string, root: string): string | undefined {
  const marker = join(workDir, '.git');
  let text: string;
  try {
    if (!statSync(marker).isFile()) return undefined;
    text = readFileSync(marker, 'utf8');
  } catch {
    return undefined;
  }
  const gitdir = /^gitdir:\s*(.+)$/m.exec(text)?.[1]?.trim();
  if (!gitdir) return undefined;
  const own = resolve(workDir, gitdir);
  let common = own;
  try {
    common = resolve(own, readFileSync(join(own, 'commondir'), 'utf8').trim());
    common = realpathSync(common);
  } catch {
    return undefined;
  }
  return within(root, common) && isDir(common) ? common : undefined;
}

export interface BwrapPlan {
  args: string[];
  /** The environment the program starts with: nothing of the server's. */
  env: Record<string, string>;
}

/**
 * bubblewrap's arguments for one command: the system read-only, the working folder read-write but for `.git` and
 * the other protected files (read-only) and the runtime's folder (absent), a private /tmp, a fake HOME, new
 * namespaces of every kind (a network namespace of its own, so no network: a granted command reaches the runtime's
 * filtering proxy through the socket `launch` binds), no capabilities, and death with its parent; `launch.prefix`
 * goes before the program (the forwarder, then the caps).
 * The working folder keeps its own path, so git worktrees, absolute symlinks and build caches work as outside.
 */
export function bwrapPlan(
  command: HostCommand,
  scope: HostScope,
  launch: { prefix: string[]; args: string[]; env: Record<string, string> } = { prefix: [], args: [], env: {} },
): BwrapPlan {
  const args = ['--unshare-all', '--die-with-parent', '--new-session', '--cap-drop', 'ALL'];
  for (const dir of SYSTEM_DIRS) if (existsSync(dir)) args.push('--ro-bind', dir, dir);
  args.push('--ro-bind', '/etc', '/etc');
  for (const file of ETC_SECRET_FILES) if (existsSync(file)) args.push('--ro-bind', '/dev/null', file);
  for (const dir of ETC_SECRET_DIRS) if (isDir(dir)) args.push('--tmpfs', dir);
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--tmpfs', '/run');

  const root = scope.workDir;
  args.push(scope.readOnly ? '--ro-bind' : '--bind', root, root);
  const isGit = command.program === 'git';
  const gitWritable = isGit && scope.gitWrites && !scope.readOnly;
  for (const path of PROTECTED_PATHS) {
    const rel = path.replace(/\/\*\*$/, '');
    const full = join(root, rel);
    if (!existsSync(full) || scope.writableProtected.includes(rel)) continue;
    if (rel === '.git' && gitWritable) continue;
    args.push('--ro-bind', full, full);
  }
  for (const hidden of scope.hidden) if (isDir(hidden) && within(root, hidden)) args.push('--tmpfs', hidden);
  // A worktree's repository lies outside its folder (in the workspace's `.git`): git needs it, nothing else does.
  const common = worktreeGitDir(root, scope.workspaceRoot);
  if (common && !within(root, common)) args.push(gitWritable ? '--bind' : '--ro-bind', common, common);

  args.push('--bind', scope.home, SANDBOX_HOME);
  args.push(...launch.args);
  args.push('--chdir', within(root, command.cwd) ? command.cwd : root);
  const env: Record<string, string> = {
    ...command.env,
    PATH: HOST_PATH.join(':'),
    HOME: SANDBOX_HOME,
    USER: 'agent',
    LOGNAME: 'agent',
    SHELL: '/bin/sh',
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    TMPDIR: '/tmp',
    // Programs that page or prompt would wait for a terminal that is not there.
    PAGER: 'cat',
    GIT_PAGER: 'cat',
    GIT_TERMINAL_PROMPT: '0',
    CI: '1',
    ...launch.env,
  };
  args.push('--clearenv');
  for (const [name, value] of Object.entries(env)) args.push('--setenv', name, value);
  args.push('--', ...launch.prefix, command.program, ...command.args);
  return { args, env };
}
