import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { type Confiner, ConfinedPathError, type Resolved } from './fs-confiner';

/** The error shape the guest sees; messages name guest paths only. */
export class FsBridgeError extends Error {
  override readonly name = 'FsBridgeError';
  constructor(
    readonly code: string,
    message: string,
    /** The sandbox's policy refused the access (as opposed to the file simply not being there). */
    readonly denied = false,
  ) {
    super(message);
  }
}

export interface Stat {
  type: 'file' | 'dir';
  size: number;
  mtimeMs: number;
}

export interface Dirent extends Stat {
  name: string;
}

export interface ReadResult {
  data: string;
  size: number;
  binary: boolean;
  truncated: boolean;
}

const SNIFF_BYTES = 8192;

/** Text has no NUL byte in its first 8 KB; anything else is treated as binary. */
function looksBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, SNIFF_BYTES);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}

/**
 * The file operations a guest may ask for, each through the confiner. Files are opened without following a final
 * symlink, and the path is checked again after opening, so a link swapped in between is still refused.
 */
export class ConfinedFs {
  constructor(private readonly confiner: Confiner) {}

  stat(path: string): Stat {
    const target = this.resolve(path, 'read');
    return this.guard(target, () => toStat(statSync(target.host)));
  }

  readdir(path: string): Dirent[] {
    const target = this.resolve(path, 'read');
    return this.guard(target, () => {
      const out: Dirent[] = [];
      for (const entry of readdirSync(target.host, { withFileTypes: true })) {
        if (!entry.isFile() && !entry.isDirectory()) continue;
        const host = join(target.host, entry.name);
        if (this.confiner.isHidden(host)) continue;
        try {
          out.push({ name: entry.name, ...toStat(statSync(host)) });
        } catch {
          // Removed while listing: leave it out.
        }
      }
      return out;
    });
  }

  readFile(path: string, options: { as: 'text' | 'base64'; maxBytes: number }): ReadResult {
    const target = this.resolve(path, 'read');
    return this.guard(target, () => {
      const fd = openSync(target.host, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        this.recheck(target);
        const info = fstatSync(fd);
        if (info.isDirectory()) throw new FsBridgeError('EISDIR', `${target.guest} is a folder`);
        const length = Math.min(info.size, options.maxBytes);
        const buffer = Buffer.alloc(length);
        let read = 0;
        while (read < length) {
          const n = readSync(fd, buffer, read, length - read, read);
          if (n === 0) break;
          read += n;
        }
        const bytes = buffer.subarray(0, read);
        const binary = looksBinary(bytes);
        const data = options.as === 'base64' ? bytes.toString('base64') : binary ? '' : bytes.toString('utf8');
        return { data, size: info.size, binary, truncated: read < info.size };
      } finally {
        closeSync(fd);
      }
    });
  }

  /** Writes (or with `append`, adds to) a file; `encoding: 'base64'` carries bytes that are not text. */
  writeFile(path: string, content: string, options: { encoding?: 'utf8' | 'base64'; append?: boolean } = {}): { created: boolean } {
    const target = this.resolve(path, 'write');
    return this.guard(target, () => {
      this.ensureParent(target);
      let created = false;
      let fd: number;
      const mode = options.append ? constants.O_APPEND : constants.O_TRUNC;
      try {
        fd = openSync(target.host, constants.O_WRONLY | mode | constants.O_NOFOLLOW);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        fd = openSync(target.host, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
        created = true;
      }
      try {
        this.recheck(target);
        const bytes = Buffer.from(content, options.encoding ?? 'utf8');
        let written = 0;
        while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, options.append ? null : written);
      } finally {
        closeSync(fd);
      }
      return { created };
    });
  }

  /** Creates a folder and any missing parents; an existing folder is fine. */
  mkdir(path: string): void {
    const target = this.resolve(path, 'write');
    this.guard(target, () => this.ensureDir(target.host, target));
  }

  /** Removes a file, or a folder (with `recursive`, everything in it); links inside are removed, never followed. */
  rm(path: string, options: { recursive?: boolean; force?: boolean } = {}): void {
    const target = this.resolve(path, 'write');
    if (target.host === target.mount.host) throw new FsBridgeError('EPERM', `${target.guest} is a mount point and cannot be removed`, true);
    this.guard(target, () => {
      let info;
      try {
        info = lstatSync(target.host);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' && options.force) return;
        throw error;
      }
      if (info.isDirectory()) {
        if (options.recursive) rmSync(target.host, { recursive: true, force: true });
        else rmdirSync(target.host);
      } else unlinkSync(target.host);
    });
  }

  /** Moves or renames within the sandbox; both ends are checked, and the source must not be a mount point. */
  rename(from: string, to: string): void {
    const source = this.resolve(from, 'write');
    const destination = this.resolve(to, 'write');
    if (source.host === source.mount.host) throw new FsBridgeError('EPERM', `${source.guest} is a mount point and cannot be moved`, true);
    this.guard(source, () => {
      lstatSync(source.host);
      this.ensureParent(destination);
      renameSync(source.host, destination.host);
    });
  }

  /** Copies a file, or a folder with `recursive`; links in the source are skipped, so a copy never creates one. */
  copy(from: string, to: string, options: { recursive?: boolean } = {}): void {
    const source = this.resolve(from, 'read');
    this.guard(source, () => {
      const info = statSync(source.host);
      if (info.isDirectory()) {
        if (!options.recursive) throw new FsBridgeError('EISDIR', `${source.guest} is a folder (copy it recursively)`);
        this.mkdir(to);
        for (const entry of this.readdir(from)) this.copy(`${from}/${entry.name}`, `${to}/${entry.name}`, options);
      } else {
        const data = this.readFile(from, { as: 'base64', maxBytes: Number.MAX_SAFE_INTEGER });
        this.writeFile(to, data.data, { encoding: 'base64' });
      }
    });
  }

  /** Permission bits only (no set-id or sticky bits). */
  chmod(path: string, mode: number): void {
    const target = this.resolve(path, 'write');
    this.guard(target, () => chmodSync(target.host, mode & 0o777));
  }

  utimes(path: string, atimeMs: number, mtimeMs: number): void {
    const target = this.resolve(path, 'write');
    this.guard(target, () => utimesSync(target.host, atimeMs / 1000, mtimeMs / 1000));
  }

  private resolve(path: string, access: 'read' | 'write'): Resolved {
    try {
      return this.confiner.resolve(path, access);
    } catch (error) {
      if (error instanceof ConfinedPathError) throw new FsBridgeError(error.code, error.message, error.denied);
      throw error;
    }
  }

  /** Re-runs the symlink check once a file is open: a component swapped for a link since the first check is caught. */
  private recheck(target: Resolved): void {
    try {
      this.confiner.assertNoLinks(target.host, target.mount, target.guest);
    } catch (error) {
      if (error instanceof ConfinedPathError) throw new FsBridgeError(error.code, error.message, error.denied);
      throw error;
    }
  }

  private ensureParent(target: Resolved): void {
    this.ensureDir(dirname(target.host), target);
  }

  /** Creates missing folders one level at a time, checking each, so creation never happens through a link. */
  private ensureDir(host: string, target: Resolved): void {
    const missing: string[] = [];
    let cursor = host;
    while (cursor.startsWith(target.mount.host) && cursor !== target.mount.host) {
      try {
        const info = statSync(cursor);
        if (!info.isDirectory()) throw new FsBridgeError('ENOTDIR', `${target.guest}: a parent is a file, not a folder`);
        break;
      } catch (error) {
        if (error instanceof FsBridgeError) throw error;
        missing.unshift(cursor);
        cursor = dirname(cursor);
      }
    }
    for (const dir of missing) {
      this.confiner.assertNoLinks(dir, target.mount, target.guest);
      mkdirSync(dir, { mode: 0o755 });
    }
  }

  /** Turns system errors into guest errors that name only the guest path. */
  private guard<T>(target: Resolved, work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof FsBridgeError) throw error;
      if (error instanceof ConfinedPathError) throw new FsBridgeError(error.code, error.message, error.denied);
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      throw new FsBridgeError(code === 'ELOOP' ? 'ENOENT' : code, describe(code, target.guest));
    }
  }
}

function toStat(info: { isDirectory(): boolean; size: number; mtimeMs: number }): Stat {
  return { type: info.isDirectory() ? 'dir' : 'file', size: info.size, mtimeMs: info.mtimeMs };
}

function describe(code: string, guest: string): string {
  switch (code) {
    case 'ENOENT':
    case 'ELOOP':
      return `No such file or folder: ${guest}`;
    case 'ENOTDIR':
      return `${guest}: a part of the path is a file, not a folder`;
    case 'EISDIR':
      return `${guest} is a folder`;
    case 'EACCES':
    case 'EPERM':
      return `Permission denied: ${guest}`;
    case 'ENOSPC':
      return `No space left on the device writing ${guest}`;
    case 'EEXIST':
      return `${guest} already exists`;
    default:
      return `Could not access ${guest} (${code})`;
  }
}
