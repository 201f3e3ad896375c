import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkspaceIdentityError, normalizeRemote, workspaceIdentity } from '../../src/team/workspace-identity';
import { tempDir } from '../helpers/workspace';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' }).trim();

async function repo(remotes: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  git(dir, 'init', '-q', '-b', 'main');
  await writeFile(join(dir, 'a.txt'), 'a\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'first');
  for (const [name, url] of Object.entries(remotes)) git(dir, 'remote', 'add', name, url);
  return dir;
}

describe('a remote as every machine names it', () => {
  it('is the same for the SSH, scp-like and HTTPS spellings of one repository', () => {
    const spellings = [
      'git@github.com:org/app.git',
      'ssh://git@github.com/org/app',
      'https://github.com/org/app.git',
      'https://user:token@GitHub.com/org/app/',
    ];
    expect(new Set(spellings.map(normalizeRemote))).toEqual(new Set(['github.com/org/app']));
    expect(normalizeRemote('ssh://git@git.example.com:2222/team/app.git')).toBe('git.example.com:2222/team/app');
  });

  it('is its folder for a repository reached through the file system, and refused for a relative path', () => {
    expect(normalizeRemote('/srv/git/app.git')).toBe('file:/srv/git/app');
    expect(normalizeRemote('file:///srv/git/app.git/')).toBe('file:/srv/git/app');
    for (const relative of ['./app', 'app.git', '../repos/app'])
      expect(() => normalizeRemote(relative)).toThrow(WorkspaceIdentityError);
  });
});

describe("a workspace's identity", () => {
  it('is its origin remote and HEAD commit', async () => {
    const dir = await repo({ upstream: 'git@example.com:org/other.git', origin: 'https://example.com/org/app.git' });
    expect(await workspaceIdentity(dir)).toEqual({
      remote: 'example.com/org/app',
      commit: git(dir, 'rev-parse', 'HEAD'),
    });
  });

  it('is the only remote when there is one not called origin', async () => {
    const dir = await repo({ shared: 'git@example.com:org/app.git' });
    expect((await workspaceIdentity(dir)).remote).toBe('example.com/org/app');
  });

  it('says what is missing: a repository, a remote, or which of several remotes', async () => {
    await expect(workspaceIdentity(await tempDir())).rejects.toThrow(/needs the workspace to be a git repository/);
    await expect(workspaceIdentity(await repo({}))).rejects.toThrow(/needs the workspace to have a git remote/);
    await expect(workspaceIdentity(await repo({ a: 'git@x.com:o/a.git', b: 'git@x.com:o/b.git' }))).rejects.toThrow(
      /several remotes and none is called origin \(a, b\)/,
    );
  });
});
