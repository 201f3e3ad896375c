import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { Manifest, unpackedFolderName } from './manifest';

const PARTIAL_PREFIX = '.sea-partial-';

/**
 * The package folder the executable runs from, under the user's cache: unpacked on first use, then reused. Unpacking
 * writes a private temporary folder (mode 0700), checks each file against the manifest's SHA-256 as it writes it, and
 * renames the folder into place in one step, so a folder under the final name is always whole. Two first starts at
 * once both unpack; the second rename fails and that process uses the first one's folder.
 */
export function unpackedPackage(options: {
  cacheDir: string;
  manifestText: string;
  payload: () => Uint8Array;
}): string {
  const manifest = Manifest.parse(JSON.parse(options.manifestText));
  const folder = join(options.cacheDir, unpackedFolderName(options.manifestText, manifest.version));
  if (isPrivateFolder(folder)) return folder;
  mkdirSync(options.cacheDir, { recursive: true, mode: 0o700 });
  removeAbandoned(options.cacheDir);
  const partial = mkdtempSync(join(options.cacheDir, PARTIAL_PREFIX));
  try {
    writeFiles(partial, manifest, brotliDecompressSync(options.payload()));
    renameSync(partial, folder);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (isPrivateFolder(folder)) return folder;
    throw error;
  }
  return folder;
}

/** An unpacking takes seconds: a temporary folder an hour old was left by a process that was killed. */
const ABANDONED_AFTER_MS = 60 * 60 * 1000;

function removeAbandoned(cacheDir: string): void {
  for (const name of readdirSync(cacheDir)) {
    if (!name.startsWith(PARTIAL_PREFIX)) continue;
    const path = join(cacheDir, name);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat && Date.now() - stat.mtimeMs > ABANDONED_AFTER_MS) rmSync(path, { recursive: true, force: true });
  }
}

function writeFiles(root: string, manifest: Manifest, payload: Uint8Array): void {
  let offset = 0;
  for (const file of manifest.files) {
    const bytes = payload.subarray(offset, offset + file.size);
    offset += file.size;
    if (bytes.length !== file.size || createHash('sha256').update(bytes).digest('hex') !== file.sha256)
      throw new Error(`the executable's copy of ${file.path} is damaged`);
    const target = join(root, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  if (offset !== payload.length) throw new Error("the executable's payload does not match its manifest");
}

/**
 * Whether the folder exists and only its owner, this user, can change it. Anything else under our name is refused
 * rather than run: code others can write to would run as this user.
 */
function isPrivateFolder(path: string): boolean {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat) return false;
  // Windows has no user ids or mode bits to check.
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && (stat.uid !== uid || (stat.mode & 0o022) !== 0)))
    throw new Error(`${path} is not a folder only you can write to; remove it and start again`);
  return true;
}
