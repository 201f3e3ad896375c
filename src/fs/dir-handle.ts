import { type Stats, closeSync, constants, existsSync, fstatSync, lstatSync, openSync } from 'node:fs';
import { errnoCode } from './errors';

/**
 * A folder held open for operating inside it. `at` is a path the kernel resolves to exactly this folder: on Linux
 * `/proc/self/fd/N`, a link the kernel follows to the open descriptor itself, not to whatever now has the folder's
 * name. So `${at}/name` reaches `name` in the folder that was checked, even if the folder (or any folder above it)
 * has since been swapped for a link. Calls that do not follow a final link (open with O_NOFOLLOW, lstat, unlink,
 * rmdir, mkdir, rename) are then safe against a swap at every step.
 *
 * Elsewhere (macOS, or Linux without /proc) `at` is the folder's host path, checked to be a real folder when it was
 * reached; a swap between that check and its use can still lead outside. DESCRIPTOR_WALK says which guarantee holds.
 */
export interface DirHandle {
  readonly at: string;
  close(): void;
}

export const DESCRIPTOR_WALK = process.platform === 'linux' && existsSync('/proc/self/fd');

const O_DIRECTORY = constants.O_DIRECTORY ?? 0;
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
/** Linux's O_PATH (not in Node's constants): a descriptor naming a file without opening it for reading or writing. */
const O_PATH = 0o10000000;

/** The path of `name` inside a held folder (names never contain `/`, `.` or `..`: they come from a normalised path). */
export const entryPath = (dir: DirHandle, name: string) => `${dir.at}/${name}`;

/**
 * The error the walk raises when a name on the way is not a folder: nothing there or a symbolic link is ENOENT (a
 * link is invisible; `link` says which, for the policy's report), a file is ENOTDIR.
 */
export class WalkError extends Error {
  override readonly name = 'WalkError';
  constructor(
    readonly code: 'ENOENT' | 'ENOTDIR',
    readonly link = false,
  ) {
    super(code);
  }
}

function fromFd(fd: number): DirHandle {
  let open = true;
  return {
    at: `/proc/self/fd/${fd}`,
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

const fromPath = (path: string): DirHandle => ({ at: path, close() {} });

/** Opens a mount's root: its path was resolved when the mount was configured and is trusted. */
export function openRoot(host: string): DirHandle {
  if (!DESCRIPTOR_WALK) return fromPath(host);
  return fromFd(openSync(host, constants.O_RDONLY | O_DIRECTORY));
}

/** Opens the folder `name` inside `parent`, never through a link. */
export function openChild(parent: DirHandle, name: string): DirHandle {
  const path = entryPath(parent, name);
  if (!DESCRIPTOR_WALK) {
    const info = lstatOrAbsent(path);
    if (!info || info.isSymbolicLink()) throw new WalkError('ENOENT', info !== undefined);
    if (!info.isDirectory()) throw new WalkError('ENOTDIR');
    return fromPath(path);
  }
  try {
    return fromFd(openSync(path, constants.O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') throw new WalkError('ENOENT');
    // O_NOFOLLOW on a link answers ELOOP or, with O_DIRECTORY, ENOTDIR: look at what is there to tell the two apart.
    if (code === 'ENOTDIR' || code === 'ELOOP') {
      const info = lstatOrAbsent(path);
      throw new WalkError(!info || info.isSymbolicLink() ? 'ENOENT' : 'ENOTDIR', info?.isSymbolicLink() ?? false);
    }
    throw error;
  }
}

/** An entry of any kind pinned without following it: its own stat, and an `at` that reaches exactly it. */
export interface PinnedEntry {
  readonly at: string;
  readonly info: Stats;
  close(): void;
}

/** Pins `name` inside `parent` (for changing its mode or times through `at`, which a swap cannot redirect). */
export function pinEntry(parent: DirHandle, name: string): PinnedEntry {
  const path = entryPath(parent, name);
  if (!DESCRIPTOR_WALK) return { at: path, info: lstatSync(path), close() {} };
  const fd = openSync(path, O_PATH | O_NOFOLLOW);
  try {
    return { at: `/proc/self/fd/${fd}`, info: fstatSync(fd), close: () => closeSync(fd) };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function lstatOrAbsent(path: string) {
  try {
    return lstatSync(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}
