// Loaded before every test file (vitest.config.ts): the per-user cache of instrumented WebAssembly modules and the
// user's own folder are temporary folders, so no test reads or writes the real home. Servers and commands the tests spawn inherit it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'boxagnts-user-cache-'));
process.env.BOXAGNTS_CACHE_DIR = dir;
// The user's own folder (~/.boxagnts: skills shared across workspaces) too.
process.env.BOXAGNTS_USER_DIR = join(dir, 'user');

afterAll(() => rmSync(dir, { recursive: true, force: true }));
