// Loaded before every test file (vitest.config.ts): the per-user cache of instrumented WebAssembly modules is a
// temporary folder, so no test writes to the real home. Servers and commands the tests spawn inherit it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'boxagnts-user-cache-'));
process.env.BOXAGNTS_CACHE_DIR = dir;

afterAll(() => rmSync(dir, { recursive: true, force: true }));
