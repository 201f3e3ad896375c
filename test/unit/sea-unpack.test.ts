import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { unpackedFolderName } from '../../src/sea/manifest';
import { unpackedPackage } from '../../src/sea/unpack';
import { tempDir } from '../helpers/workspace';

/** What scripts/build-binary.mjs puts in the executable, for these files. */
function pack(files: Record<string, string>) {
  const entries = Object.entries(files).map(([path, text]) => ({ path, bytes: Buffer.from(text) }));
  const manifestText = JSON.stringify({
    version: '1.2.3',
    files: entries.map(({ path, bytes }) => ({
      path,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    })),
  });
  return { manifestText, packed: Buffer.concat(entries.map((e) => e.bytes)) };
}

const FILES = { 'package.json': '{"name":"boxagnts"}', 'dist/cli.js': 'console.log(1)', 'dist/web/index.html': '<p>' };

describe('unpacking the single executable', () => {
  it('writes the files into a private folder named by version and hash, then reuses it', async () => {
    const cacheDir = join(await tempDir(), 'cache');
    const { manifestText, packed } = pack(FILES);
    const folder = unpackedPackage({ cacheDir, manifestText, payload: () => brotliCompressSync(packed) });
    expect(folder).toBe(join(cacheDir, unpackedFolderName(manifestText, '1.2.3')));
    expect(folder).toMatch(/sea-1\.2\.3-[0-9a-f]{16}$/);
    for (const [path, text] of Object.entries(FILES)) expect(await readFile(join(folder, path), 'utf8')).toBe(text);
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    expect(await readdir(cacheDir)).toEqual([expect.stringMatching(/^sea-/)]);
    const again = unpackedPackage({
      cacheDir,
      manifestText,
      payload: () => {
        throw new Error('read the payload again');
      },
    });
    expect(again).toBe(folder);
  });

  it("removes temporary folders a killed unpacking left an hour ago or more, not another's under way", async () => {
    const cacheDir = await tempDir();
    await mkdir(join(cacheDir, '.sea-partial-old'));
    const hoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(join(cacheDir, '.sea-partial-old'), hoursAgo, hoursAgo);
    await mkdir(join(cacheDir, '.sea-partial-busy'));
    const { manifestText, packed } = pack(FILES);
    unpackedPackage({ cacheDir, manifestText, payload: () => brotliCompressSync(packed) });
    expect((await readdir(cacheDir)).sort()).toEqual(['.sea-partial-busy', expect.stringMatching(/^sea-/)]);
  });

  it('refuses a damaged payload and leaves nothing behind', async () => {
    const cacheDir = await tempDir();
    const { manifestText, packed } = pack(FILES);
    packed.writeUInt8(packed.readUInt8(packed.length - 1) ^ 1, packed.length - 1);
    expect(() => unpackedPackage({ cacheDir, manifestText, payload: () => brotliCompressSync(packed) })).toThrow(
      "the executable's copy of dist/web/index.html is damaged",
    );
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('refuses a manifest whose paths leave the folder', async () => {
    const cacheDir = await tempDir();
    const { manifestText, packed } = pack({ '../escape.js': 'x' });
    expect(() => unpackedPackage({ cacheDir, manifestText, payload: () => brotliCompressSync(packed) })).toThrow(
      /a bad file path/,
    );
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('refuses to run from a folder others can write to', async () => {
    const cacheDir = await tempDir();
    const { manifestText, packed } = pack(FILES);
    const folder = join(cacheDir, unpackedFolderName(manifestText, '1.2.3'));
    await mkdir(folder);
    await chmod(folder, 0o777);
    expect(() => unpackedPackage({ cacheDir, manifestText, payload: () => brotliCompressSync(packed) })).toThrow(
      /is not a folder only you can write to/,
    );
  });
});
