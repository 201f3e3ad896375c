// Compiles the example WASI tools: every extensions/<name>/assembly/index.ts becomes
// dist/extensions/<name>/<module from tool.json>, with its tool.json copied beside it.
//   node scripts/build-extensions.mjs
// Offline: the compiler (assemblyscript) and the WASI layer (@assemblyscript/wasi-shim) come from node_modules.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Builds every extension under `<root>/extensions` into `outDir` (default `<root>/dist/extensions`).
 * Returns what was built, with the module's size in bytes.
 * @param {string} root
 * @param {{ outDir?: string }} [options]
 * @returns {Promise<Array<{ name: string; wasm: string; bytes: number }>>}
 */
export async function buildExtensions(root, options = {}) {
  const outDir = options.outDir ?? join(root, 'dist', 'extensions');
  const sourceDir = join(root, 'extensions');
  if (!existsSync(sourceDir)) return [];
  // Loaded only when there is something to build: the compiler takes a moment to start.
  const { default: asc } = await import('assemblyscript/asc');
  // asc joins the paths inside a config (the shim's library folder) onto its base directory, which breaks absolute
  // paths: give it paths relative to the current directory, its default base.
  const here = (path) => relative(process.cwd(), path) || '.';
  const shimConfig = here(join(root, 'node_modules', '@assemblyscript', 'wasi-shim', 'asconfig.json'));
  const built = [];
  for (const name of readdirSync(sourceDir).sort()) {
    const dir = join(sourceDir, name);
    const entry = join(dir, 'assembly', 'index.ts');
    if (!statSync(dir).isDirectory() || !existsSync(entry)) continue;
    const manifest = JSON.parse(readFileSync(join(dir, 'tool.json'), 'utf8'));
    const moduleFile = manifest.module;
    // The manifest names a file beside it, never a path: the build must not write outside the extension's folder.
    if (typeof moduleFile !== 'string' || basename(moduleFile) !== moduleFile || !moduleFile.endsWith('.wasm')) {
      throw new Error(`extensions/${name}/tool.json: "module" must be a file name ending in .wasm`);
    }
    const target = join(outDir, name);
    mkdirSync(target, { recursive: true });
    const wasm = join(target, moduleFile);
    const stderr = asc.createMemoryStream();
    const { error } = await asc.main(
      // The stub runtime (no garbage collector) keeps tools small; they are short-lived processes.
      [here(entry), '--config', shimConfig, '--outFile', here(wasm), '-O3', '--runtime', 'stub', '--noColors'],
      { stderr, stdout: asc.createMemoryStream() },
    );
    if (error) throw new Error(`extensions/${name}: ${error.message}\n${stderr.toString()}`);
    copyFileSync(join(dir, 'tool.json'), join(target, 'tool.json'));
    built.push({ name, wasm, bytes: statSync(wasm).size });
  }
  return built;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const started = performance.now();
  const built = await buildExtensions(root);
  const summary = built.map((b) => `${b.name} (${b.bytes} bytes)`).join(', ') || 'nothing to build';
  process.stderr.write(`extensions: ${summary} in ${Math.round(performance.now() - started)} ms\n`);
}
