import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { userCacheDir } from '../../user-cache-dir';

const TRAILER_NAME = new TextEncoder().encode('boxagnts.sha256');
const DIGEST_BYTES = 32;
/** A custom section: id 0, its size (one LEB byte: it is under 128), the name's length and name, the digest. */
const TRAILER_PREFIX = Uint8Array.from([
  0,
  1 + TRAILER_NAME.length + DIGEST_BYTES,
  TRAILER_NAME.length,
  ...TRAILER_NAME,
]);
const TRAILER_BYTES = TRAILER_PREFIX.length + DIGEST_BYTES;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

export const cachePath = (cacheDir: string, hash: string) => join(cacheDir, `wasm-${hash}.wasm`);
const ENTRY = /^wasm-[0-9a-f]+\.wasm$/;

/** The most the module cache holds; past it the modules used least recently are removed (they are rebuilt on use). */
export const MODULE_CACHE_MAX_BYTES = 512 * 1024 * 1024;

/**
 * Where instrumented modules are kept: per user, not per workspace, so a tool used in many workspaces is instrumented
 * once. The `wasm` folder of the user's cache (see userCacheDir).
 */
export function userWasmCacheDir(env: NodeJS.ProcessEnv): string {
  return join(userCacheDir(env), 'wasm');
}

/**
 * Reads a cached module, or null when it is missing or damaged. Each entry ends in a custom section holding the
 * SHA-256 of everything before it: any corruption (a torn write, a flipped byte) is seen, and the entry stays a valid
 * module, since runtimes ignore custom sections.
 */
export async function readCached(path: string): Promise<Uint8Array | null> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch {
    return null;
  }
  if (bytes.length <= TRAILER_BYTES) return null;
  const bodyEnd = bytes.length - TRAILER_BYTES;
  const prefix = bytes.subarray(bodyEnd, bodyEnd + TRAILER_PREFIX.length);
  if (!prefix.every((b, i) => b === TRAILER_PREFIX[i])) return null;
  if (!sha256(bytes.subarray(0, bodyEnd)).equals(bytes.subarray(bodyEnd + TRAILER_PREFIX.length))) return null;
  // The time of last use, which the size cap removes by (access times are often not kept).
  const now = new Date();
  await utimes(path, now, now).catch(
    // A cache in a read-only place still serves its modules; it only cannot tell which were used last.
    () => undefined,
  );
  return bytes;
}

/**
 * Writes an entry atomically (a temp file renamed over it): a reader never sees a half-written module. Then keeps the
 * cache under `maxBytes`, removing the entries used least recently (never this one).
 */
export async function writeCached(
  path: string,
  module: Uint8Array,
  maxBytes = MODULE_CACHE_MAX_BYTES,
): Promise<Uint8Array> {
  const entry = new Uint8Array(module.length + TRAILER_BYTES);
  entry.set(module);
  entry.set(TRAILER_PREFIX, module.length);
  entry.set(sha256(module), module.length + TRAILER_PREFIX.length);
  // Private to the user: the modules in it run as their tools.
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, entry);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await capCache(dirname(path), basename(path), maxBytes);
  return entry;
}

async function capCache(dir: string, keep: string, maxBytes: number): Promise<void> {
  const names = (await readdir(dir)).filter((name) => ENTRY.test(name) && name !== keep);
  // Another process may remove entries meanwhile.
  const sizeOf = (name: string) =>
    stat(join(dir, name)).catch(
      // Gone: nothing to count.
      () => undefined,
    );
  const entries = await Promise.all(names.map(async (name) => ({ name, info: await sizeOf(name) })));
  const present = entries.flatMap(({ name, info }) => (info ? [{ name, info }] : []));
  const kept = await sizeOf(keep);
  let total = present.reduce((sum, e) => sum + e.info.size, kept?.size ?? 0);
  for (const { name, info } of present.sort((a, b) => a.info.mtimeMs - b.info.mtimeMs)) {
    if (total <= maxBytes) break;
    await rm(join(dir, name), { force: true });
    total -= info.size;
  }
}
