import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { instrumentFuel, moduleKey } from './fuel';
import { cachePath, readCached, writeCached } from './module-cache';

// A build step (scripts/build.mjs), never run by the product: `node dist/wasm-prebuild.js OUT_DIR MODULE.wasm…`
// instruments the product's own WebAssembly tools into OUT_DIR as cache entries, so loading a built-in tool never
// instruments (binaryen takes seconds and hundreds of MB). An entry already there for the current instrumenter is
// kept; any other (an older instrumenter's, a module no longer shipped) is removed.
const [outDir, ...modules] = process.argv.slice(2);
if (!outDir) throw new Error('usage: wasm-prebuild.js OUT_DIR MODULE.wasm…');
await mkdir(outDir, { recursive: true });
const wanted = new Set<string>();
for (const path of modules) {
  const bytes = new Uint8Array(await readFile(path));
  const entry = cachePath(outDir, moduleKey(bytes));
  wanted.add(basename(entry));
  if (!(await readCached(entry))) await writeCached(entry, await instrumentFuel(bytes));
}
for (const name of await readdir(outDir)) if (!wanted.has(name)) await rm(join(outDir, name));
