import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfinedFs, FsBridgeError } from '../../src/sandbox/confined-fs';
import { Confiner } from '../../src/sandbox/fs-confiner';
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
  const confiner = new Confiner({ workDir: root, mounts: [{ host: ro, guest: '/ro', readOnly: true }], hidden: [join(root, '.boxagnts')] });
  return { root, outside, ro, confiner, fs: new ConfinedFs(confiner) };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FsBridgeError);
    return `${(error as FsBridgeError).code}${(error as FsBridgeError).denied ? ' denied' : ''}`;
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
    expect(confiner.resolve('/src/a.ts', 'read').host).toBe(join(root, 'src', 'a.ts'));
    expect(confiner.resolve('/ro/r.txt', 'read').host).toBe(join(ro, 'r.txt'));
    expect(confiner.resolve('/row', 'read').host).toBe(join(root, 'row'));
  });
});

describe('ConfinedFs', () => {
  it('reads and writes inside the workspace, creating folders', async () => {
    const { fs, root } = await setup();
    expect(fs.readFile('/src/a.ts', { as: 'text', maxBytes: 100 })).toMatchObject({ data: 'export {}\n', binary: false, truncated: false });
    expect(fs.writeFile('/new/deep/file.txt', 'x')).toEqual({ created: true });
    expect(fs.writeFile('/new/deep/file.txt', 'y')).toEqual({ created: false });
    expect(readFileSync(join(root, 'new', 'deep', 'file.txt'), 'utf8')).toBe('y');
    expect(fs.readFile('/src/a.ts', { as: 'text', maxBytes: 3 })).toMatchObject({ data: 'exp', truncated: true, size: 10 });
  });

  it('refuses links in or at the end of a path, and hides them from listings', async () => {
    const { fs, outside } = await setup();
    expect(code(() => fs.readFile('/out-dir/secret', { as: 'text', maxBytes: 10 }))).toBe('ENOENT denied');
    expect(code(() => fs.readFile('/inside-link', { as: 'text', maxBytes: 10 }))).toBe('ENOENT denied');
    expect(code(() => fs.writeFile('/out-dir/planted', 'x'))).toBe('ENOENT denied');
    expect(code(() => fs.mkdir('/out-dir/sub'))).toBe('ENOENT denied');
    expect(() => readFileSync(join(outside, 'planted'))).toThrow();
    expect(fs.readdir('/').map((e) => e.name).sort()).toEqual(['src']);
  });

  it('hides the runtime folder and refuses writes to read-only mounts', async () => {
    const { fs } = await setup();
    expect(code(() => fs.stat('/.boxagnts/secrets.json'))).toBe('ENOENT denied');
    expect(code(() => fs.writeFile('/.boxagnts/x', '1'))).toBe('ENOENT denied');
    expect(fs.readFile('/ro/r.txt', { as: 'text', maxBytes: 100 }).data).toBe('read me');
    expect(code(() => fs.writeFile('/ro/r.txt', 'changed'))).toBe('EROFS denied');
    expect(code(() => fs.writeFile('/ro/new.txt', 'new'))).toBe('EROFS denied');
  });

  it('names only guest paths in errors and tells a missing file from a refused one', async () => {
    const { fs, root } = await setup();
    for (const fn of [() => fs.stat('/missing'), () => fs.readFile('/src', { as: 'text', maxBytes: 1 }), () => fs.readdir('/src/a.ts')]) {
      try {
        fn();
      } catch (error) {
        expect((error as Error).message).not.toContain(root);
        expect((error as FsBridgeError).denied).toBe(false);
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
    expect(code(() => fs.readFile('/swap/secret', { as: 'text', maxBytes: 100 }))).toBe('ENOENT denied');
  });

  it('detects binary files without returning their bytes as text', async () => {
    const { fs, root } = await setup();
    writeFileSync(join(root, 'blob.bin'), Buffer.from([1, 2, 0, 3]));
    expect(fs.readFile('/blob.bin', { as: 'text', maxBytes: 100 })).toMatchObject({ data: '', binary: true, size: 4 });
    expect(fs.readFile('/blob.bin', { as: 'base64', maxBytes: 100 }).data).toBe('AQIAAw==');
  });
});
