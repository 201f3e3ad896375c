import { readdir, utimes } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { cachePath, readCached, writeCached } from '../../src/sandbox/wasi/module-cache';
import { tempDir } from '../helpers/workspace';

/** A module of `size` bytes: the header and a custom section of filler, enough to be an entry. */
function moduleOf(size: number, fill: number): Uint8Array {
  const bytes = new Uint8Array(size).fill(fill);
  bytes.set([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  return bytes;
}

describe('module cache', () => {
  it('stays under its size cap by removing the entries used least recently, never the one just written', async () => {
    const dir = await tempDir('boxagnts-cache-');
    const names = async () => (await readdir(dir)).sort();
    const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
    await writeCached(cachePath(dir, 'aa'), moduleOf(1000, 1), 2500);
    await writeCached(cachePath(dir, 'bb'), moduleOf(1000, 2), 2500);
    await utimes(cachePath(dir, 'aa'), at(1), at(1));
    await utimes(cachePath(dir, 'bb'), at(2), at(2));
    // Reading aa marks it used now: bb is then the least recently used.
    expect(await readCached(cachePath(dir, 'aa'))).not.toBeNull();
    await writeCached(cachePath(dir, 'cc'), moduleOf(1000, 3), 2500);
    expect(await names()).toEqual(['wasm-aa.wasm', 'wasm-cc.wasm']);
    // An entry larger than the cap alone is kept; everything else goes.
    await writeCached(cachePath(dir, 'dd'), moduleOf(4000, 4), 2500);
    expect(await names()).toEqual(['wasm-dd.wasm']);
    expect(await readCached(cachePath(dir, 'dd'))).not.toBeNull();
  });
});
