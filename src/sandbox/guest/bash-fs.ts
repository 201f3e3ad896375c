import type { FsStat, IFileSystem } from 'just-bash/browser';
import { fromBase64, toBase64 } from './base64';
import { GuestFsError, type GuestStat } from './guest-fs';
import { hostCall } from './host-bridge';
import { normalizePath } from './paths';

const MAX_READ = 64 * 1024 * 1024;

/**
 * A file's stat. There are no links in the sandbox, so the guest path names the file: it is the identity that cp
 * and mv compare to tell the same file from another (without one they refuse to overwrite anything).
 */
function toStat(stat: GuestStat, path: string): FsStat {
  return {
    isFile: stat.type === 'file',
    isDirectory: stat.type === 'dir',
    isSymbolicLink: false,
    mode: stat.type === 'dir' ? 0o755 : 0o644,
    size: stat.size,
    mtime: new Date(stat.mtimeMs),
    identity: `path:${normalizePath(path)}`,
  };
}

/** just-bash wants errors like Node's: a code and a message that starts with it. */
export function shellFsError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

function nodeStyle(error: unknown): unknown {
  return error instanceof GuestFsError ? shellFsError(error.code, error.message) : error;
}

async function call<T>(work: () => T): Promise<T> {
  try {
    return work();
  } catch (error) {
    throw nodeStyle(error);
  }
}

/**
 * just-bash's file system, backed by the host: every operation goes through `__host`, and so through the confiner.
 * There are no links here — the shell can neither see nor make them.
 */
export const hostBashFs: IFileSystem = {
  readFile: (path) => call(() => hostCall('readFile', { path, as: 'text', maxBytes: MAX_READ }).data),
  readFileBuffer: (path) =>
    call(() => fromBase64(hostCall('readFile', { path, as: 'base64', maxBytes: MAX_READ }).data)),
  writeFile: (path, content) =>
    call(() => {
      hostCall(
        'writeFile',
        typeof content === 'string' ? { path, content } : { path, content: toBase64(content), encoding: 'base64' },
      );
    }),
  appendFile: (path, content) =>
    call(() => {
      hostCall(
        'writeFile',
        typeof content === 'string'
          ? { path, content, append: true }
          : { path, content: toBase64(content), encoding: 'base64', append: true },
      );
    }),
  exists: async (path) => {
    try {
      hostCall('stat', { path });
      return true;
    } catch {
      return false;
    }
  },
  stat: (path) => call(() => toStat(hostCall('stat', { path }), path)),
  lstat: (path) => call(() => toStat(hostCall('stat', { path }), path)),
  mkdir: (path, options) =>
    call(() => {
      if (!options?.recursive) {
        let exists = false;
        try {
          hostCall('stat', { path });
          exists = true;
        } catch {
          // Absent: create it below.
        }
        if (exists) throw new GuestFsError('EEXIST', `${normalizePath(path)} already exists`);
      }
      hostCall('mkdir', { path });
    }),
  readdir: (path) => call(() => hostCall('readdir', { path }).map((e) => e.name)),
  readdirWithFileTypes: (path) =>
    call(() =>
      hostCall('readdir', { path }).map((e) => ({
        name: e.name,
        isFile: e.type === 'file',
        isDirectory: e.type === 'dir',
        isSymbolicLink: false,
      })),
    ),
  rm: (path, options) =>
    call(() => void hostCall('rm', { path, recursive: options?.recursive === true, force: options?.force === true })),
  cp: (src, dest, options) =>
    call(() => void hostCall('copy', { path: src, to: dest, recursive: options?.recursive === true })),
  mv: (src, dest) => call(() => void hostCall('rename', { path: src, to: dest })),
  resolvePath: (base, path) => normalizePath(path.startsWith('/') ? path : `${base}/${path}`),
  getAllPaths: () => [],
  chmod: (path, mode) => call(() => void hostCall('chmod', { path, mode })),
  symlink: async () => {
    throw nodeStyle(new GuestFsError('EPERM', 'symbolic links cannot be created in the sandbox'));
  },
  link: async () => {
    throw nodeStyle(new GuestFsError('EPERM', 'links cannot be created in the sandbox'));
  },
  readlink: async (path) => {
    throw nodeStyle(new GuestFsError('EINVAL', `${normalizePath(path)} is not a symbolic link`));
  },
  realpath: (path) =>
    call(() => {
      hostCall('stat', { path });
      return normalizePath(path);
    }),
  utimes: (path, atime, mtime) =>
    call(() => void hostCall('utimes', { path, atimeMs: atime.getTime(), mtimeMs: mtime.getTime() })),
};
