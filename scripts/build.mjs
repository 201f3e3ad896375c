// Builds the server bundle (esbuild) and the dashboard (Vite) into dist/.
//   node scripts/build.mjs               build everything
//   node scripts/build.mjs --if-stale    build only when a source is newer than the last build
//   node scripts/build.mjs --server-only skip the dashboard
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_EXTERNALS } from './externals.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const stampFile = join(root, 'dist', '.build-stamp');

/** Newest modification time of any file under the given paths. */
function newestMtime(paths) {
  let newest = 0;
  const visit = (p) => {
    const s = statSync(p);
    if (s.isDirectory()) {
      for (const entry of readdirSync(p)) if (entry !== 'node_modules') visit(join(p, entry));
    } else newest = Math.max(newest, s.mtimeMs);
  };
  for (const p of paths) if (existsSync(join(root, p))) visit(join(root, p));
  return newest;
}

const SOURCES = [
  'src',
  'web',
  'extensions',
  'package.json',
  'package-lock.json',
  'scripts/build.mjs',
  'scripts/build-extensions.mjs',
  'scripts/externals.mjs',
];

if (args.has('--if-stale') && existsSync(stampFile) && statSync(stampFile).mtimeMs >= newestMtime(SOURCES)) {
  process.exit(0);
}

const started = performance.now();
const esbuild = await import('esbuild');
// Chunk names carry a content hash: old ones would pile up.
rmSync(join(root, 'dist', 'chunks'), { recursive: true, force: true });
await esbuild.build({
  entryPoints: {
    cli: join(root, 'src/cli.ts'),
    'sandbox-worker': join(root, 'src/sandbox/worker.ts'),
    'wasm-instrument': join(root, 'src/sandbox/wasi/instrument-main.ts'),
    'wasm-prebuild': join(root, 'src/sandbox/wasi/prebuild-main.ts'),
  },
  outdir: join(root, 'dist'),
  // Code loaded with import() (the agent loop and the AI SDK with it) becomes a chunk of its own, read on first use.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  format: 'esm',
  // Dependencies are bundled too: one file loads in a fraction of the time its hundreds of modules take (start-up,
  // and each sandbox worker). Kept outside: the few listed in externals.mjs.
  external: SERVER_EXTERNALS,
  // The ES module build where a package has one (jsonc-parser's UMD build requires files by computed paths).
  mainFields: ['module', 'main'],
  // Bundled CommonJS packages call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __boxagntsRequire } from 'node:module'; const require = __boxagntsRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  logLevel: 'warning',
});

// The host tier's network forwarder, run inside bubblewrap by the runtime's Node: one file with nothing to import but
// Node's built-ins (the sandbox has no node_modules and no chunks/), in ES module form as its .mjs name there says.
await esbuild.build({
  entryPoints: [join(root, 'src/sandbox/host/net-forwarder-main.ts')],
  outfile: join(root, 'dist', 'host-net-forwarder.js'),
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  format: 'esm',
  logLevel: 'warning',
});

// The code that runs inside the QuickJS sandbox: plain ECMAScript, no Node built-ins, as IIFE scripts.
const guest = {
  bundle: true,
  platform: 'neutral',
  format: 'iife',
  target: 'es2020',
  mainFields: ['module', 'main'],
  minify: true,
  legalComments: 'none',
  define: { 'process.platform': '"linux"', 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
};
await esbuild.build({
  ...guest,
  entryPoints: [join(root, 'src/sandbox/guest/entry.ts')],
  outfile: join(root, 'dist', 'sandbox-guest.js'),
});
await esbuild.build({
  ...guest,
  entryPoints: [join(root, 'src/sandbox/guest/html-entry.ts')],
  outfile: join(root, 'dist', 'sandbox-guest-html.js'),
});
await esbuild.build({
  ...guest,
  entryPoints: [join(root, 'src/sandbox/guest/result-entry.ts')],
  outfile: join(root, 'dist', 'sandbox-guest-result.js'),
});
// The shell: just-bash's browser build, with the few Node built-ins it names (zlib for gzip) stubbed out.
const stubNode = {
  name: 'stub-node-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => ({ path: a.path, namespace: 'node-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, () => ({
      contents:
        'const unavailable = () => { throw new Error("not available in the sandbox"); }; export const gzipSync = unavailable, gunzipSync = unavailable, constants = {}; export default { gzipSync, gunzipSync, constants };',
      loader: 'js',
    }));
  },
};
// just-bash (3.4) lets a file-system error from opening a simple command's redirect target escape, which aborts
// the whole command line: `echo a > /.boxagnts/x; echo b` printed nothing. A shell fails only that command, with
// the system's message and status 1, and goes on; this rewrites the one place so that just-bash does too. Errors
// without an errno code (just-bash's own) still escape. The build stops if just-bash's code no longer matches.
const FAILED_REDIRECT =
  /catch\((\w+)\)\{if\(!\w+\)throw \1;return\{error:(\w+)\("",`bash: \$\{(\w+)\}: cannot open redirect target\n`,1\)\}\}/;
const ERRNO_TEXT = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EROFS: 'Read-only file system',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EFBIG: 'File too large',
  ENOSPC: 'No space left on device',
  EDQUOT: 'Disk quota exceeded',
};
const redirectFailsOneCommand = {
  name: 'just-bash-redirect-failure',
  setup(b) {
    b.onLoad({ filter: /just-bash[\\/]dist[\\/]bundle[\\/]browser\.js$/ }, async (a) => {
      const source = await readFile(a.path, 'utf8');
      if (!FAILED_REDIRECT.test(source))
        throw new Error(
          `just-bash changed: the redirect-failure patch in scripts/build.mjs no longer applies to ${a.path}`,
        );
      const contents = source.replace(FAILED_REDIRECT, (_, error, result, target) => {
        const reason = `(${JSON.stringify(ERRNO_TEXT)})[${error}&&${error}.code]`;
        return `catch(${error}){if(!${reason})throw ${error};return{error:${result}("",\`bash: \${${target}}: \${${reason}}\n\`,1)}}`;
      });
      return { contents, loader: 'js' };
    });
  },
};
await esbuild.build({
  ...guest,
  target: 'es2022',
  mainFields: ['browser', 'module', 'main'],
  conditions: ['browser'],
  plugins: [stubNode, redirectFailsOneCommand],
  entryPoints: [join(root, 'src/sandbox/guest/bash-entry.ts')],
  outfile: join(root, 'dist', 'sandbox-guest-bash.js'),
});

// The WebAssembly tools shipped with the product (AssemblyScript, compiled offline); rebuilt only when changed.
const extensionsOut = join(root, 'dist', 'extensions');
if (
  !existsSync(extensionsOut) ||
  newestMtime(['extensions', 'scripts/build-extensions.mjs']) > statSync(extensionsOut).mtimeMs
) {
  const { buildExtensions } = await import('./build-extensions.mjs');
  rmSync(extensionsOut, { recursive: true, force: true });
  await buildExtensions(root, { outDir: extensionsOut });
}
// Shipped fuel-instrumented (see src/sandbox/wasi/prebuild-main.ts): loading a built-in tool never instruments. Run
// every build, since it is keyed by the instrumenter's version too; it instruments only what is missing.
const shipped = existsSync(extensionsOut)
  ? readdirSync(extensionsOut, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .flatMap((d) => readdirSync(join(extensionsOut, d.name)).map((f) => join(extensionsOut, d.name, f)))
      .filter((f) => f.endsWith('.wasm'))
  : [];
const prebuild = join(root, 'dist', 'wasm-prebuild.js');
execFileSync(process.execPath, [prebuild, join(extensionsOut, '.instrumented'), ...shipped], { stdio: 'inherit' });

if (!args.has('--server-only')) {
  rmSync(join(root, 'dist', 'web'), { recursive: true, force: true });
  const { build } = await import('vite');
  await build({ configFile: join(root, 'web', 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(stampFile, new Date().toISOString());
}
process.stderr.write(`built in ${Math.round(performance.now() - started)} ms\n`);
