import { randomBytes } from 'node:crypto';
import {
  type BigIntStats,
  type Stats,
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { type Confiner, ConfinedPathError, type Located, protectedError } from './confiner';
import { type DirHandle, WalkError, entryPath, openChild, openRoot, pinEntry } from './dir-handle';
import { errnoCode } from './errors';

/** Which limit a refusal belongs to: the file-system policy, or the call's disk quota. */
export type FsLimit = 'fs' | 'disk';

/** The error shape the guest sees; messages name guest paths only. */
export class FsBridgeError extends Error {
  override readonly name = 'FsBridgeError';
  constructor(
    readonly code: string,
    message: string,
    /** Set when the sandbox's policy refused the access (as opposed to the file simply not being there). */
    readonly limit: FsLimit | null = null,
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

export interface ConfinedFsOptions {
  /** Bytes this instance may write in all (one sandboxed call); null or absent: no quota. */
  maxWriteBytes?: number | null | undefined;
}

const SNIFF_BYTES = 8192;
const COPY_CHUNK = 1024 * 1024;
const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_APPEND } = constants;
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
// Opening a FIFO for reading would wait for a writer forever; non-blocking, it opens at once and is then refused.
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

/** Text has no NUL byte in its first 8 KB; anything else is treated as binary. */
export function looksBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, SNIFF_BYTES);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}

/** The entry a path names, reached through its parent folder held open (or the mount root itself). */
interface Leaf {
  located: Located;
  /** The held folder the entry is in; null when the path is a mount's root. */
  parent: DirHandle | null;
  name: string;
  /** A path that reaches exactly this entry: through the held parent, or the held root. */
  path: string;
}

/**
 * The file operations of the sandbox and the Files API, each confined to its mount. A path is first judged by the
 * Confiner from its names alone; then the names are walked one folder at a time, each opened without following a
 * link, and the operation happens relative to the last folder held open. No path string is resolved again after the
 * check, so a folder swapped for a link while an operation runs leads nowhere (on Linux; see dir-handle.ts for the
 * other platforms). Only regular files and folders exist for the guest: links and special files look absent.
 */
export class ConfinedFs {
  private written = 0;

  constructor(
    private readonly confiner: Confiner,
    private readonly options: ConfinedFsOptions = {},
  ) {}

  /** Bytes written so far through this instance. */
  get bytesWritten(): number {
    return this.written;
  }

  stat(path: string): Stat {
    return this.onLeaf(path, 'read', (leaf) => toStat(this.info(leaf)));
  }

  readdir(path: string): Dirent[] {
    return this.onFolder(path, 'read', (dir, located) => {
      const out: Dirent[] = [];
      const hidden = this.confiner.hiddenNamesIn(located);
      for (const entry of readdirSync(dir.at, { withFileTypes: true })) {
        if ((!entry.isFile() && !entry.isDirectory()) || hidden.has(entry.name)) continue;
        try {
          const info = lstatSync(entryPath(dir, entry.name));
          if (info.isFile() || info.isDirectory()) out.push({ name: entry.name, ...toStat(info) });
        } catch {
          // Removed while listing: leave it out.
        }
      }
      return out;
    });
  }

  readFile(path: string, options: { as: 'text' | 'base64'; maxBytes: number }): ReadResult {
    return this.onLeaf(path, 'read', (leaf) => {
      const fd = this.openFile(leaf, O_RDONLY);
      try {
        const info = fstatSync(fd);
        const bytes = readStart(fd, Math.min(info.size, options.maxBytes));
        const binary = looksBinary(bytes);
        const data = options.as === 'base64' ? bytes.toString('base64') : binary ? '' : bytes.toString('utf8');
        return { data, size: info.size, binary, truncated: bytes.length < info.size };
      } finally {
        closeSync(fd);
      }
    });
  }

  /** Writes (or with `append`, adds to) a file, creating missing folders; `encoding: 'base64'` carries bytes. */
  writeFile(
    path: string,
    content: string,
    options: { encoding?: 'utf8' | 'base64'; append?: boolean } = {},
  ): { created: boolean } {
    const bytes = Buffer.from(content, options.encoding ?? 'utf8');
    return this.onLeaf(
      path,
      'write',
      (leaf) => {
        this.charge(bytes.length, leaf.located.guest);
        const { fd, created } = this.openForWriting(leaf, options.append === true);
        try {
          let written = 0;
          while (written < bytes.length)
            written += writeSync(fd, bytes, written, bytes.length - written, options.append ? null : written);
        } finally {
          closeSync(fd);
        }
        return { created };
      },
      { createParents: true },
    );
  }

  /** Creates a folder and any missing parents; an existing folder is fine. */
  mkdir(path: string): void {
    this.onLeaf(
      path,
      'write',
      (leaf) => {
        if (!leaf.parent) return;
        try {
          mkdirSync(leaf.path, { mode: 0o755 });
        } catch (error) {
          if (errnoCode(error) !== 'EEXIST') throw error;
          if (!this.info(leaf).isDirectory())
            throw new FsBridgeError('EEXIST', `${leaf.located.guest} already exists as a file`);
        }
      },
      { createParents: true },
    );
  }

  /**
   * Removes a file, or a folder (with `recursive`, everything in it). Links are removed, never followed; protected
   * files inside are left in place and reported once the rest is gone.
   */
  rm(path: string, options: { recursive?: boolean; force?: boolean } = {}): void {
    try {
      this.onLeaf(path, 'write', (leaf) => {
        const parent = this.notMountRoot(leaf, 'removed');
        const info = lstatSync(leaf.path);
        if (!info.isDirectory()) return unlinkSync(leaf.path);
        if (!options.recursive) return rmdirSync(leaf.path);
        const kept: string[] = [];
        this.removeTree(parent, leaf.name, leaf.located, kept);
        if (kept.length > 0) throw protectedError(kept[0]!);
      });
    } catch (error) {
      if (options.force && error instanceof FsBridgeError && error.code === 'ENOENT' && error.limit === null) return;
      throw error;
    }
  }

  /** Moves or renames; both ends are checked, and neither may be a mount's root or carry protected files. */
  rename(from: string, to: string): void {
    this.assertNotGuarding(from);
    this.assertNotGuarding(to);
    this.onLeaf(from, 'write', (source) => {
      this.notMountRoot(source, 'moved');
      lstatSync(source.path);
      this.onLeaf(
        to,
        'write',
        (target) => {
          this.notMountRoot(target, 'replaced');
          renameSync(source.path, target.path);
        },
        { createParents: true },
      );
    });
  }

  /** Copies a file, or a folder with `recursive`; links and special files in the source are left out. */
  copy(from: string, to: string, options: { recursive?: boolean } = {}): void {
    const info = this.stat(from);
    if (info.type === 'file') return this.copyFile(from, to);
    const source = this.locate(from, 'read').guest;
    if (!options.recursive) throw new FsBridgeError('EISDIR', `${source} is a folder (copy it recursively)`);
    const target = this.locate(to, 'write').guest;
    if (target === source || target.startsWith(`${source}/`))
      throw new FsBridgeError('EINVAL', `${source} cannot be copied into itself`);
    this.mkdir(to);
    for (const entry of this.readdir(from)) this.copy(`${from}/${entry.name}`, `${to}/${entry.name}`, options);
  }

  /** Permission bits only (no set-id or sticky bits). */
  chmod(path: string, mode: number): void {
    this.onPinned(path, (pinned) => chmodSync(pinned.at, mode & 0o777));
  }

  utimes(path: string, atimeMs: number, mtimeMs: number): void {
    this.onPinned(path, (pinned) => utimesSync(pinned.at, atimeMs / 1000, mtimeMs / 1000));
  }

  // ——— for the Files API: whole-file saves, downloads and moves to and from the runtime's own folders ———

  /** Whether anything (a link included) has this name. */
  exists(path: string): boolean {
    try {
      return this.onLeaf(path, 'read', (leaf) => {
        if (!leaf.parent) return true;
        lstatSync(leaf.path);
        return true;
      });
    } catch (error) {
      if (error instanceof FsBridgeError && error.code === 'ENOENT' && error.limit === null) return false;
      throw error;
    }
  }

  /** Full-precision stat of a file or folder, for versions. */
  statBig(path: string): BigIntStats {
    return this.onLeaf(path, 'read', (leaf) => {
      const info = leaf.parent ? lstatSync(leaf.path, { bigint: true }) : statSync(leaf.path, { bigint: true });
      if (!info.isFile() && !info.isDirectory()) throw this.absent(leaf);
      return info;
    });
  }

  /**
   * Replaces a file so a reader or a crash sees the old bytes or the new ones: a temp file beside it, fsync, rename
   * over it, fsync the folder — all inside the held parent folder. Returns the written file's own stat.
   */
  writeFileAtomic(path: string, data: string, mode: number): BigIntStats {
    return this.onLeaf(
      path,
      'write',
      (leaf) => {
        const parent = this.notMountRoot(leaf, 'replaced');
        const temp = `.boxagnts-save.${randomBytes(6).toString('hex')}.tmp`;
        const fd = openSync(entryPath(parent, temp), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
        let written: BigIntStats;
        try {
          const bytes = Buffer.from(data, 'utf8');
          let offset = 0;
          while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset, offset);
          fsyncSync(fd);
          written = fstatSync(fd, { bigint: true });
        } catch (error) {
          closeSync(fd);
          unlinkSync(entryPath(parent, temp));
          throw error;
        }
        closeSync(fd);
        try {
          renameSync(entryPath(parent, temp), leaf.path);
        } catch (error) {
          unlinkSync(entryPath(parent, temp));
          throw error;
        }
        syncFolder(parent);
        return written;
      },
      { createParents: true },
    );
  }

  /** An open descriptor of a regular file, for streaming it; the caller closes it. */
  openForReading(path: string): { fd: number; info: Stats } {
    return this.onLeaf(path, 'read', (leaf) => {
      const fd = this.openFile(leaf, O_RDONLY);
      return { fd, info: fstatSync(fd) };
    });
  }

  /** Moves a file or folder out of the confined tree to a host path the runtime owns (the trash). */
  moveOut(path: string, hostTarget: string): void {
    this.assertNotGuarding(path);
    this.onLeaf(path, 'write', (leaf) => {
      this.notMountRoot(leaf, 'moved');
      lstatSync(leaf.path);
      renameSync(leaf.path, hostTarget);
    });
  }

  /**
   * Moves a file or folder the runtime owns (an upload, a trashed item) into the confined tree at `path`, creating
   * missing folders. Never replaces anything: a taken name is EEXIST.
   */
  moveIn(hostSource: string, path: string): void {
    this.assertNotGuarding(path);
    this.onLeaf(
      path,
      'write',
      (leaf) => {
        this.notMountRoot(leaf, 'replaced');
        if (lstatSync(hostSource).isDirectory()) {
          // rename() of a folder refuses a non-empty target and cannot replace a file; an empty folder it would
          // replace is checked for first.
          if (this.present(leaf)) throw new FsBridgeError('EEXIST', `${leaf.located.guest} already exists`);
          return renameSync(hostSource, leaf.path);
        }
        // link() fails on a taken name, atomically: a file is never replaced, whatever appears meanwhile.
        try {
          linkSync(hostSource, leaf.path);
        } catch (error) {
          if (errnoCode(error) !== 'EXDEV') throw error;
          this.copyIn(hostSource, leaf);
        }
        unlinkSync(hostSource);
      },
      { createParents: true },
    );
  }

  /** Where a path lies on the host, for watching it (never for reading or writing through). */
  hostPathOf(path: string): string {
    const located = this.locate(path, 'read');
    return join(located.mount.host, ...located.names);
  }

  // ——— the walk ———

  private locate(path: string, access: 'read' | 'write'): Located {
    try {
      return this.confiner.locate(path, access);
    } catch (error) {
      if (error instanceof ConfinedPathError) throw bridge(error);
      throw error;
    }
  }

  /** Moving a folder to or from a name like `.vscode` would create or remove protected files without writing them. */
  private assertNotGuarding(path: string): void {
    const { guest } = this.locate(path, 'write');
    if (this.confiner.guardsBelow(guest)) throw bridge(protectedError(guest));
  }

  /**
   * Walks to the folder that holds the path's last name, each step opened without following a link (creating
   * missing folders when asked), and runs `work` on the entry there. Errors become guest errors naming the guest path.
   */
  private onLeaf<T>(
    path: string,
    access: 'read' | 'write',
    work: (leaf: Leaf) => T,
    options: { createParents?: boolean } = {},
  ): T {
    const located = this.locate(path, access);
    const root = this.guarded(located.guest, () => openRoot(located.mount.host));
    const held: DirHandle[] = [root];
    try {
      return this.guarded(located.guest, () => {
        if (located.names.length === 0) return work({ located, parent: null, name: '', path: root.at });
        let dir = root;
        for (const name of located.names.slice(0, -1)) {
          dir = this.enter(dir, name, options.createParents === true);
          held.push(dir);
        }
        const name = located.names.at(-1)!;
        return work({ located, parent: dir, name, path: entryPath(dir, name) });
      });
    } finally {
      for (const dir of held) dir.close();
    }
  }

  /** Holds the folder a path names (the mount root, or a folder inside) for `work`. */
  private onFolder<T>(path: string, access: 'read' | 'write', work: (dir: DirHandle, located: Located) => T): T {
    return this.onLeaf(path, access, (leaf) => {
      if (!leaf.parent) return work(openRootOf(leaf), leaf.located);
      const dir = this.enter(leaf.parent, leaf.name, false);
      try {
        return work(dir, leaf.located);
      } finally {
        dir.close();
      }
    });
  }

  /** Pins an entry for changing its mode or times; a mount's root is left alone. */
  private onPinned(path: string, work: (pinned: { at: string }) => void): void {
    this.onLeaf(path, 'write', (leaf) => {
      const parent = this.notMountRoot(leaf, 'changed');
      const pinned = pinEntry(parent, leaf.name);
      try {
        if (!pinned.info.isFile() && !pinned.info.isDirectory()) throw this.absent(leaf);
        work(pinned);
      } finally {
        pinned.close();
      }
    });
  }

  private enter(dir: DirHandle, name: string, create: boolean): DirHandle {
    try {
      return openChild(dir, name);
    } catch (error) {
      if (!create || !(error instanceof WalkError) || error.code !== 'ENOENT' || error.link) throw error;
      try {
        mkdirSync(entryPath(dir, name), { mode: 0o755 });
      } catch (made) {
        if (errnoCode(made) !== 'EEXIST') throw made;
      }
      return openChild(dir, name);
    }
  }

  /** Removes a folder's contents through held descriptors, then the folder; protected entries are kept and listed. */
  private removeTree(parent: DirHandle, name: string, located: Located, kept: string[]): void {
    if (this.confiner.isHidden(located)) return;
    if (this.confiner.isProtected(located.guest)) {
      kept.push(located.guest);
      return;
    }
    const path = entryPath(parent, name);
    let info: Stats;
    try {
      info = lstatSync(path);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return;
      throw error;
    }
    if (!info.isDirectory()) return unlinkSync(path);
    const dir = openChild(parent, name);
    const before = kept.length;
    try {
      for (const entry of readdirSync(dir.at)) this.removeTree(dir, entry, this.confiner.child(located, entry), kept);
    } finally {
      dir.close();
    }
    if (kept.length === before) rmdirSync(path);
  }

  /** A host file copied to a new name in the tree (a move across devices); never replaces what is there. */
  private copyIn(hostSource: string, leaf: Leaf): void {
    const input = openSync(hostSource, O_RDONLY);
    try {
      const output = openSync(leaf.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, fstatSync(input).mode & 0o777);
      try {
        copyBytes(input, output);
      } finally {
        closeSync(output);
      }
    } finally {
      closeSync(input);
    }
  }

  private copyFile(from: string, to: string): void {
    this.onLeaf(from, 'read', (source) => {
      const input = this.openFile(source, O_RDONLY);
      try {
        this.onLeaf(
          to,
          'write',
          (target) => {
            this.charge(fstatSync(input).size, target.located.guest);
            const { fd: output } = this.openForWriting(target, false);
            try {
              copyBytes(input, output);
            } finally {
              closeSync(output);
            }
          },
          { createParents: true },
        );
      } finally {
        closeSync(input);
      }
    });
  }

  /** Opens a regular file without following a link; folders are EISDIR, anything else looks absent. */
  private openFile(leaf: Leaf, flags: number): number {
    if (!leaf.parent) throw new FsBridgeError('EISDIR', `${leaf.located.guest} is a folder`);
    let fd: number;
    try {
      fd = openSync(leaf.path, flags | O_NOFOLLOW | O_NONBLOCK);
    } catch (error) {
      if (errnoCode(error) === 'ELOOP') throw this.absent(leaf);
      throw error;
    }
    const info = fstatSync(fd);
    if (info.isFile()) return fd;
    closeSync(fd);
    if (info.isDirectory()) throw new FsBridgeError('EISDIR', `${leaf.located.guest} is a folder`);
    throw this.absent(leaf);
  }

  /** Opens a file for writing, creating it when absent; emptied first unless appending. */
  private openForWriting(leaf: Leaf, append: boolean): { fd: number; created: boolean } {
    const flags = O_WRONLY | (append ? O_APPEND : 0);
    for (let attempt = 0; ; attempt++) {
      try {
        const fd = this.openFile(leaf, flags);
        if (!append) ftruncateSync(fd, 0);
        return { fd, created: false };
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT' || error instanceof FsBridgeError) throw error;
      }
      try {
        return { fd: openSync(leaf.path, flags | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644), created: true };
      } catch (error) {
        // Created by someone else in between: open what is there now, once.
        if (errnoCode(error) !== 'EEXIST' || attempt > 0) throw error;
      }
    }
  }

  /** The stat of a file or folder; a link or a special file looks absent. */
  private info(leaf: Leaf): Stats {
    const info = leaf.parent ? lstatSync(leaf.path) : statSync(leaf.path);
    if (!info.isFile() && !info.isDirectory()) throw this.absent(leaf);
    return info;
  }

  private present(leaf: Leaf): boolean {
    try {
      lstatSync(leaf.path);
      return true;
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return false;
      throw error;
    }
  }

  private notMountRoot(leaf: Leaf, verb: string): DirHandle {
    if (!leaf.parent)
      throw new FsBridgeError('EPERM', `${leaf.located.guest} is a mount point and cannot be ${verb}`, 'fs');
    return leaf.parent;
  }

  /** Counts bytes against the call's quota before they are written; refuses the whole write past it. */
  private charge(bytes: number, guest: string): void {
    const max = this.options.maxWriteBytes;
    if (max !== null && max !== undefined && this.written + bytes > max) {
      throw new FsBridgeError(
        'EDQUOT',
        `Disk quota exceeded writing ${guest}: one call may write at most ${formatBytes(max)} (sandbox.maxWriteBytes)`,
        'disk',
      );
    }
    this.written += bytes;
  }

  private absent(leaf: Leaf): FsBridgeError {
    return new FsBridgeError('ENOENT', `No such file or folder: ${leaf.located.guest}`, 'fs');
  }

  /** Turns system errors into guest errors that name only the guest path. */
  private guarded<T>(guest: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof FsBridgeError) throw error;
      if (error instanceof ConfinedPathError) throw bridge(error);
      if (error instanceof WalkError) {
        throw new FsBridgeError(error.code, describe(error.code, guest), error.link ? 'fs' : null);
      }
      const code = errnoCode(error) ?? 'EIO';
      throw new FsBridgeError(
        code === 'ELOOP' ? 'ENOENT' : code,
        describe(code, guest),
        code === 'ELOOP' ? 'fs' : null,
      );
    }
  }
}

/** Up to `length` bytes from the start of an open file (fewer if it is shorter now). */
export function readStart(fd: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const n = readSync(fd, buffer, read, length - read, read);
    if (n === 0) break;
    read += n;
  }
  return buffer.subarray(0, read);
}

function bridge(error: ConfinedPathError): FsBridgeError {
  return new FsBridgeError(error.code, error.message, error.denied ? 'fs' : null);
}

function copyBytes(input: number, output: number): void {
  const buffer = Buffer.alloc(COPY_CHUNK);
  for (let position = 0; ;) {
    const n = readSync(input, buffer, 0, COPY_CHUNK, position);
    if (n === 0) return;
    for (let done = 0; done < n;) done += writeSync(output, buffer, done, n - done);
    position += n;
  }
}

function openRootOf(leaf: Leaf): DirHandle {
  // The root is already held by the walk; a second handle would only be closed twice.
  return { at: leaf.path, close() {} };
}

function syncFolder(dir: DirHandle): void {
  const fd = openSync(dir.at, O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function toStat(info: { isDirectory(): boolean; size: number; mtimeMs: number }): Stat {
  return { type: info.isDirectory() ? 'dir' : 'file', size: info.size, mtimeMs: info.mtimeMs };
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB` : `${bytes} bytes`;
}

function describe(code: string, guest: string): string {
  switch (code) {
    case 'ENOENT':
    case 'ELOOP':
      return `No such file or folder: ${guest}`;
    case 'ENOTDIR':
      return `${guest}: not a folder (or a part of the path is a file)`;
    case 'EISDIR':
      return `${guest} is a folder`;
    case 'EACCES':
    case 'EPERM':
      return `Permission denied: ${guest}`;
    case 'ENOSPC':
      return `No space left on the device writing ${guest}`;
    case 'EEXIST':
      return `${guest} already exists`;
    case 'ENOTEMPTY':
      return `${guest} is not empty`;
    case 'EXDEV':
      return `${guest} is on another device than the other end of the move`;
    default:
      return `Could not access ${guest} (${code})`;
  }
}
