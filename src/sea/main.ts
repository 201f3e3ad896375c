// The single executable's entry (see scripts/build-binary.mjs): Node runs it as its one CommonJS script. It unpacks
// the package it carries into the user's cache and starts dist/cli.js from there, so the binary runs the same files,
// worker threads and all, as `npm start` does.
import { getAsset, getRawAsset } from 'node:sea';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { userCacheDir } from '../user-cache-dir';
import { MANIFEST_ASSET, PAYLOAD_ASSET } from './manifest';
import { unpackedPackage } from './unpack';

/**
 * The runtime runs some of its scripts in a child process of `process.execPath` (fuel instrumentation, the host
 * tier's network forwarder), which is this executable here: a first argument that is an absolute path to a
 * JavaScript file is run as `node FILE ARGS` would run it. No command of the CLI looks like one.
 */
function scriptToRun(args: string[]): string | undefined {
  const first = args[0];
  return first !== undefined && isAbsolute(first) && /\.[cm]?js$/.test(first) ? first : undefined;
}

function payload(): Uint8Array {
  const raw = getRawAsset(PAYLOAD_ASSET);
  if (!(raw instanceof ArrayBuffer)) throw new Error('the executable carries no package');
  return new Uint8Array(raw);
}

async function main(): Promise<void> {
  // Inside a single executable, argv is [executable, the name it was started by, ...arguments].
  const script = scriptToRun(process.argv.slice(2));
  if (script) {
    process.argv.splice(1, 1);
    await import(pathToFileURL(script).href);
    return;
  }
  const folder = unpackedPackage({
    cacheDir: userCacheDir(process.env),
    manifestText: getAsset(MANIFEST_ASSET, 'utf8'),
    payload,
  });
  const cli = join(folder, 'dist', 'cli.js');
  process.argv[1] = cli;
  await import(pathToFileURL(cli).href);
}

main().catch((error: unknown) => {
  process.stderr.write(`boxagnts: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
