// Builds dist-bin/boxagnts: one executable holding Node, the launcher (src/sea/main.ts) and the package it runs
// (package.json, dist/, skills/ and the node_modules dist/ imports), with Node's single executable applications.
//   node scripts/build-binary.mjs             build dist/ when stale, then the executable
//   node scripts/build-binary.mjs --if-stale  ... only when dist/, skills/ or this script is newer than the executable
// Linux only: on macOS and Windows the executable must be signed again after injection, which this script does not do.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, brotliCompressSync } from 'node:zlib';
import { SERVER_EXTERNALS } from './externals.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist-bin');
const binary = join(outDir, 'boxagnts');
const workDir = join(outDir, '.work');
// Kept in step with src/sea/manifest.ts, which reads what this writes.
const MANIFEST_ASSET = 'boxagnts-manifest.json';
const PAYLOAD_ASSET = 'boxagnts-payload.br';
// The fuse Node's single executable support looks for (the official builds of Node 20.12 and later carry it).
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function fail(message) {
  process.stderr.write(`build-binary: ${message}\n`);
  process.exit(1);
}

if (process.platform !== 'linux') fail(`builds on Linux only, not ${process.platform} (see README, Single executable)`);
if (!readFileSync(process.execPath).includes(FUSE))
  fail(`${process.execPath} has no single-executable fuse; use an official Node build (nodejs.org) of 20.12 or later`);

const started = performance.now();
execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--if-stale'], { stdio: 'inherit' });

/** Every file under a folder, skipping folders `skip` says no to. */
function filesUnder(dir, skip = () => false) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return skip(path) ? [] : filesUnder(path, skip);
    return entry.isFile() ? [path] : [];
  });
}

const newest = (paths) => Math.max(...paths.map((path) => statSync(path).mtimeMs));
if (process.argv.includes('--if-stale') && existsSync(binary)) {
  const inputs = [
    join(root, 'dist', '.build-stamp'),
    fileURLToPath(import.meta.url),
    process.execPath,
    ...filesUnder(join(root, 'skills')),
  ];
  if (statSync(binary).mtimeMs >= newest(inputs)) process.exit(0);
}

/** Where a package is installed, seen from a folder: its node_modules, then each parent's, as Node resolves. */
function installed(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root) return null;
  }
}

/** The folders of the externals and of everything they depend on, peers and optional ones when installed. */
function externalPackages() {
  const folders = new Map();
  const visit = (name, from, required) => {
    const folder = installed(name, from);
    if (!folder) {
      if (required) fail(`${name} is not installed (run npm install)`);
      return;
    }
    if (folders.has(folder)) return;
    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    folders.set(folder, manifest);
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, folder, true);
    for (const dep of Object.keys({ ...manifest.optionalDependencies, ...manifest.peerDependencies }))
      visit(dep, folder, false);
  };
  for (const name of SERVER_EXTERNALS) {
    if (!name.endsWith('/*')) visit(name, root, true);
    else {
      const scope = name.slice(0, -2);
      for (const entry of readdirSync(join(root, 'node_modules', scope))) visit(`${scope}/${entry}`, root, true);
    }
  }
  return folders;
}

// Left out of the executable: source maps and type declarations, which nothing reads at run time, and the programs a
// package lists under "bin" (binaryen's are 80 MB of native tools): the runtime imports packages, never runs them.
const UNUSED = /(\.map|\.d\.[cm]?ts)$/;

function packageFiles() {
  const files = [];
  for (const [folder, manifest] of externalPackages()) {
    const programs = new Set(
      Object.values(typeof manifest.bin === 'string' ? { main: manifest.bin } : (manifest.bin ?? {})).map((bin) =>
        join(folder, bin),
      ),
    );
    const nested = (path) => path.endsWith(`${sep}node_modules`);
    files.push(...filesUnder(folder, nested).filter((path) => !UNUSED.test(path) && !programs.has(path)));
  }
  files.push(...filesUnder(join(root, 'dist')).filter((path) => !UNUSED.test(path) && !path.endsWith('.build-stamp')));
  files.push(...filesUnder(join(root, 'skills')));
  return files.map((path) => ({ path: relative(root, path).split(sep).join('/'), bytes: readFileSync(path) }));
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// What packageRoot() looks for, and the "type" that makes dist/'s .js files ES modules.
const trimmedManifest = {
  name: pkg.name,
  version: pkg.version,
  license: pkg.license,
  type: pkg.type,
};
const files = [
  { path: 'package.json', bytes: Buffer.from(`${JSON.stringify(trimmedManifest, null, 2)}\n`) },
  ...packageFiles(),
];
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const manifest = JSON.stringify({
  version: pkg.version,
  files: files.map((file) => ({ path: file.path, size: file.bytes.length, sha256: sha256(file.bytes) })),
});
const packed = Buffer.concat(files.map((file) => file.bytes));
// Quality 5: the executable is 1 % larger than at 9, and the build 30 s shorter.
const payload = brotliCompressSync(packed, {
  params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: packed.length },
});

rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });
writeFileSync(join(workDir, MANIFEST_ASSET), manifest);
writeFileSync(join(workDir, PAYLOAD_ASSET), payload);

const esbuild = await import('esbuild');
await esbuild.build({
  entryPoints: [join(root, 'src', 'sea', 'main.ts')],
  outfile: join(workDir, 'launcher.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  format: 'cjs',
  logLevel: 'warning',
});

const seaConfig = {
  main: join(workDir, 'launcher.cjs'),
  output: join(workDir, 'sea.blob'),
  disableExperimentalSEAWarning: true,
  assets: { [MANIFEST_ASSET]: join(workDir, MANIFEST_ASSET), [PAYLOAD_ASSET]: join(workDir, PAYLOAD_ASSET) },
};
writeFileSync(join(workDir, 'sea-config.json'), JSON.stringify(seaConfig, null, 2));
execFileSync(process.execPath, ['--experimental-sea-config', join(workDir, 'sea-config.json')], { stdio: 'ignore' });

// Injected into a copy, renamed into place once whole: a failed build never leaves a broken dist-bin/boxagnts.
const partial = join(workDir, 'boxagnts');
copyFileSync(process.execPath, partial);
chmodSync(partial, 0o755);
const { inject } = await import('postject');
await inject(partial, 'NODE_SEA_BLOB', readFileSync(seaConfig.output), { sentinelFuse: FUSE });
renameSync(partial, binary);
rmSync(workDir, { recursive: true, force: true });

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
process.stderr.write(
  `dist-bin/boxagnts: ${mb(statSync(binary).size)} (Node ${mb(statSync(process.execPath).size)}, ${files.length} files ` +
    `of ${mb(packed.length)} packed into ${mb(payload.length)}), built in ${Math.round(performance.now() - started)} ms\n`,
);
