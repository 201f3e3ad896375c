import { randomBytes } from 'node:crypto';
import { watch } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/workspace/atomic-write';
import { openWorkspace } from '../../src/workspace/workspace';
import { tempDir } from '../helpers/workspace';

/** Above Linux's largest pid (2^22), so no process has it. */
const GONE = 2 ** 22 + 12345;
const hex = () => randomBytes(6).toString('hex');

describe('writeFileAtomic', () => {
  it('names its temp file after the process writing it', async () => {
    const dir = await tempDir();
    const seen: string[] = [];
    const watcher = watch(dir, (_event, name) => name && seen.push(name.toString()));
    try {
      await writeFileAtomic(join(dir, 'x.json'), '{}');
      await expect.poll(() => seen.includes('x.json')).toBe(true);
    } finally {
      watcher.close();
    }
    expect([...new Set(seen)].filter((name) => name !== 'x.json')).toEqual([
      expect.stringMatching(new RegExp(`^\\.x\\.json\\.${process.pid}\\.[0-9a-f]{12}\\.tmp$`)),
    ]);
  });
});

describe('opening a workspace', () => {
  it('removes temp files left by processes that are gone, and keeps those of live ones and the trash', async () => {
    const root = await tempDir();
    const data = join(root, '.boxagnts');
    await mkdir(join(data, 'sessions'), { recursive: true });
    await mkdir(join(data, 'cache'));
    await mkdir(join(data, 'uploads'));
    await mkdir(join(data, 'trash', 'item1'), { recursive: true });
    const stale = [
      join(data, `.secrets.json.${hex()}.tmp`),
      join(data, `.settings.json.${GONE}.${hex()}.tmp`),
      join(data, 'sessions', `.index.json.${GONE}.${hex()}.tmp`),
      join(data, 'sessions', `.ses_0000000000000000.jsonl.${hex()}.tmp`),
      join(data, 'cache', `.models.json.${GONE}.${hex()}.tmp`),
      join(data, 'uploads', `.upload.${GONE}.${hex()}.tmp`),
    ];
    const kept = [
      // Another process (here the test runner's parent) may be writing these right now.
      join(data, `.permissions.json.${process.ppid}.${hex()}.tmp`),
      join(data, 'sessions', `.index.json.${process.pid}.${hex()}.tmp`),
      // The user's own files: the trash, and names that only look alike.
      join(data, 'trash', 'item1', `.notes.txt.${hex()}.tmp`),
      join(data, 'notes.tmp'),
      join(data, `.x.${hex()}.tmp.bak`),
    ];
    for (const file of [...stale, ...kept]) await writeFile(file, '');

    await openWorkspace(root);

    const left = async (dir: string) => (await readdir(dir, { recursive: true })).map((name) => join(dir, name));
    const remaining = await left(data);
    for (const file of stale) expect(remaining).not.toContain(file);
    for (const file of kept) expect(remaining).toContain(file);
  });
});
