import { Fd, wasi } from '@bjorn3/browser_wasi_shim';
import { type ConfinedFs, type Dirent, FsBridgeError, type Stat } from '../../fs/confined-fs';

/** Files larger than this are neither read nor written by a guest (EFBIG): it bounds the host memory one file takes. */
const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;

/** Every right: the shim does not enforce rights, but wasi-libc masks the rights it asks for with a directory's. */
const ALL_RIGHTS = (1n << 29n) - 1n;
const READ_RIGHTS = BigInt(
  wasi.RIGHTS_FD_READ | wasi.RIGHTS_FD_SEEK | wasi.RIGHTS_FD_TELL | wasi.RIGHTS_FD_FILESTAT_GET,
);
const WRITE_RIGHTS = BigInt(
  wasi.RIGHTS_FD_WRITE | wasi.RIGHTS_FD_DATASYNC | wasi.RIGHTS_FD_SYNC | wasi.RIGHTS_FD_FILESTAT_SET_SIZE,
);

const ERRNO: Record<string, number> = {
  ENOENT: wasi.ERRNO_NOENT,
  EACCES: wasi.ERRNO_ACCES,
  EPERM: wasi.ERRNO_PERM,
  EROFS: wasi.ERRNO_ROFS,
  EINVAL: wasi.ERRNO_INVAL,
  ENOTDIR: wasi.ERRNO_NOTDIR,
  EISDIR: wasi.ERRNO_ISDIR,
  EEXIST: wasi.ERRNO_EXIST,
  ENOSPC: wasi.ERRNO_NOSPC,
  EFBIG: wasi.ERRNO_FBIG,
  ENAMETOOLONG: wasi.ERRNO_NAMETOOLONG,
  EMFILE: wasi.ERRNO_MFILE,
  ENOTEMPTY: wasi.ERRNO_NOTEMPTY,
};

type FilestatResult = { ret: number; filestat: wasi.Filestat | null };
type OpenResult = { ret: number; fd_obj: Fd | null };

/** A WASI error raised inside this module and returned to the guest as its errno. */
class Errno extends Error {
  constructor(readonly errno: number) {
    super(`WASI errno ${errno}`);
  }
}

/**
 * The guest's file system for one run: a preopened directory for its `/`, whose every lookup, read and write goes
 * through `ConfinedFs` when the guest asks (nothing is copied up front). Writes are buffered per open file and saved
 * with `ConfinedFs.writeFile` when the guest closes or syncs the file, or at exit (`closeAll`). Files and empty
 * folders can be removed and renamed; symlinks and hard links are refused (ENOTSUP), and `..` never leaves the
 * directory it starts from.
 */
export class WasiFs {
  /** The first access the sandbox's policy refused, reported as `limitHit: 'fs'` (or `'disk'` for the write quota). */
  denied: { limit: 'fs' | 'disk'; detail: string } | null = null;
  /** What the guest cannot learn from an errno: files that could not be saved when it exited. */
  readonly notes: string[] = [];
  readonly maxFileBytes: number;
  private readonly openFiles = new Set<GuestFile>();
  private readonly inodes = new Map<string, bigint>();

  constructor(
    readonly fs: ConfinedFs,
    options: { maxFileBytes?: number } = {},
  ) {
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  }

  /** The preopened directory (guest fd 3) through which a WASI program finds `/`. */
  root(): Fd {
    return new GuestDir(this, '/', true);
  }

  /** Saves the files the program left open, as a process's files are when it exits. */
  closeAll(): void {
    for (const file of [...this.openFiles]) {
      const errno = file.fd_close();
      if (errno !== wasi.ERRNO_SUCCESS) this.notes.push(`${file.path} could not be saved (WASI errno ${errno})`);
    }
  }

  /**
   * `path_rename`, which the shim can only do for its own in-memory inodes: both ends are checked by ConfinedFs, and
   * a file the guest still has open under the old name is saved first, so its unsaved writes move with it.
   */
  rename(from: Fd | undefined, fromPath: string, to: Fd | undefined, toPath: string): number {
    if (!(from instanceof GuestDir) || !(to instanceof GuestDir))
      return from && to ? wasi.ERRNO_NOTDIR : wasi.ERRNO_BADF;
    return this.attempt(
      () => {
        const source = this.resolve(from.path, fromPath);
        const target = this.resolve(to.path, toPath);
        if (!this.find(source)) throw new Errno(wasi.ERRNO_NOENT);
        this.requireParent(target);
        for (const file of this.openFiles) if (file.path === source) file.fd_sync();
        this.fs.rename(source, target);
        return wasi.ERRNO_SUCCESS;
      },
      (errno) => errno,
    );
  }

  track(file: GuestFile, open: boolean): void {
    if (open) this.openFiles.add(file);
    else this.openFiles.delete(file);
  }

  /** A stable inode number per guest path, for the duration of the run. */
  inode(path: string): bigint {
    let ino = this.inodes.get(path);
    if (ino === undefined) {
      ino = BigInt(this.inodes.size + 1);
      this.inodes.set(path, ino);
    }
    return ino;
  }

  /** Runs a file operation; an error becomes the errno to return, a policy refusal is also remembered. */
  attempt<T>(work: () => T, failed: (errno: number) => T): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof Errno) return failed(error.errno);
      if (error instanceof FsBridgeError) {
        if (error.limit) this.denied ??= { limit: error.limit, detail: error.message };
        return failed(ERRNO[error.code] ?? wasi.ERRNO_IO);
      }
      throw error;
    }
  }

  /**
   * The guest path of `path` relative to the directory `base`. WASI paths are relative, and `..` may not climb above
   * the directory they start from: that is how a WASI program would try to leave its sandbox, so it is refused as the
   * policy's (ENOTCAPABLE).
   */
  resolve(base: string, path: string): string {
    if (path.startsWith('/')) throw new Errno(wasi.ERRNO_NOTCAPABLE);
    const parts = base === '/' ? [] : base.slice(1).split('/');
    const floor = parts.length;
    for (const part of path.split('/')) {
      if (part === '' || part === '.') continue;
      if (part !== '..') parts.push(part);
      else if (parts.length > floor) parts.pop();
      else {
        this.denied ??= { limit: 'fs', detail: `${path} leads outside ${base}` };
        throw new Errno(wasi.ERRNO_NOTCAPABLE);
      }
    }
    return `/${parts.join('/')}`;
  }

  /** The entry at `path`, or null when it does not exist. A path the policy hides is refused, never "absent". */
  find(path: string): Stat | null {
    try {
      return this.fs.stat(path);
    } catch (error) {
      if (error instanceof FsBridgeError && error.code === 'ENOENT' && error.limit === null) return null;
      throw error;
    }
  }

  /** The folder that would hold a new entry at `path` must exist already, as with POSIX open and mkdir. */
  requireParent(path: string): void {
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    const stat = this.find(parent);
    if (!stat) throw new Errno(wasi.ERRNO_NOENT);
    if (stat.type !== 'dir') throw new Errno(wasi.ERRNO_NOTDIR);
  }

  /**
   * Refuses early (EROFS, at open rather than at close) a write where the policy would refuse it. ConfinedFs has no
   * check without a write; creating the existing parent folder is one: it writes nothing, and is refused where a write
   * would be.
   */
  requireWritable(path: string): void {
    this.fs.mkdir(path.slice(0, path.lastIndexOf('/')) || '/');
  }
}

function filestat(files: WasiFs, path: string, stat: Stat): wasi.Filestat {
  return new wasi.Filestat(
    files.inode(path),
    stat.type === 'dir' ? wasi.FILETYPE_DIRECTORY : wasi.FILETYPE_REGULAR_FILE,
    BigInt(stat.size),
  );
}

class GuestDir extends Fd {
  /** Read when the guest starts a listing (cookie 0), so a listing is one consistent snapshot: [name, path, type]. */
  private listing: [string, string, number][] = [];

  constructor(
    private readonly files: WasiFs,
    readonly path: string,
    private readonly preopened: boolean,
  ) {
    super();
  }

  override fd_prestat_get(): { ret: number; prestat: wasi.Prestat | null } {
    if (!this.preopened) return super.fd_prestat_get();
    return { ret: wasi.ERRNO_SUCCESS, prestat: wasi.Prestat.dir('/') };
  }

  override fd_fdstat_get(): { ret: number; fdstat: wasi.Fdstat | null } {
    const fdstat = new wasi.Fdstat(wasi.FILETYPE_DIRECTORY, 0);
    fdstat.fs_rights_base = ALL_RIGHTS;
    fdstat.fs_rights_inherited = ALL_RIGHTS;
    return { ret: wasi.ERRNO_SUCCESS, fdstat };
  }

  override fd_filestat_get(): FilestatResult {
    return this.files.attempt<FilestatResult>(
      () => ({ ret: wasi.ERRNO_SUCCESS, filestat: filestat(this.files, this.path, this.files.fs.stat(this.path)) }),
      (ret) => ({ ret, filestat: null }),
    );
  }

  override fd_readdir_single(cookie: bigint): { ret: number; dirent: wasi.Dirent | null } {
    return this.files.attempt(
      () => {
        if (cookie === 0n) this.listing = this.list();
        const entry = this.listing[Number(cookie)];
        if (!entry) return { ret: wasi.ERRNO_SUCCESS, dirent: null };
        const [name, path, type] = entry;
        return { ret: wasi.ERRNO_SUCCESS, dirent: new wasi.Dirent(cookie + 1n, this.files.inode(path), name, type) };
      },
      (ret) => ({ ret, dirent: null }),
    );
  }

  private list(): [string, string, number][] {
    const type = (e: Dirent) => (e.type === 'dir' ? wasi.FILETYPE_DIRECTORY : wasi.FILETYPE_REGULAR_FILE);
    return [
      ['.', this.path, wasi.FILETYPE_DIRECTORY],
      ['..', this.path.slice(0, this.path.lastIndexOf('/')) || '/', wasi.FILETYPE_DIRECTORY],
      ...this.files.fs
        .readdir(this.path)
        .map((e): [string, string, number] => [e.name, join(this.path, e.name), type(e)]),
    ];
  }

  override path_filestat_get(_flags: number, relative: string): FilestatResult {
    return this.files.attempt<FilestatResult>(
      () => {
        const path = this.files.resolve(this.path, relative);
        return { ret: wasi.ERRNO_SUCCESS, filestat: filestat(this.files, path, this.files.fs.stat(path)) };
      },
      (ret) => ({ ret, filestat: null }),
    );
  }

  override path_create_directory(relative: string): number {
    return this.files.attempt(
      () => {
        const path = this.files.resolve(this.path, relative);
        if (this.files.find(path)) throw new Errno(wasi.ERRNO_EXIST);
        this.files.requireParent(path);
        this.files.fs.mkdir(path);
        return wasi.ERRNO_SUCCESS;
      },
      (errno) => errno,
    );
  }

  override path_unlink_file(relative: string): number {
    return this.files.attempt(
      () => {
        const path = this.files.resolve(this.path, relative);
        const stat = this.files.find(path);
        if (!stat) throw new Errno(wasi.ERRNO_NOENT);
        if (stat.type === 'dir') throw new Errno(wasi.ERRNO_ISDIR);
        this.files.fs.rm(path);
        return wasi.ERRNO_SUCCESS;
      },
      (errno) => errno,
    );
  }

  override path_remove_directory(relative: string): number {
    return this.files.attempt(
      () => {
        const path = this.files.resolve(this.path, relative);
        const stat = this.files.find(path);
        if (!stat) throw new Errno(wasi.ERRNO_NOENT);
        if (stat.type !== 'dir') throw new Errno(wasi.ERRNO_NOTDIR);
        if (this.files.fs.readdir(path).length > 0) throw new Errno(wasi.ERRNO_NOTEMPTY);
        this.files.fs.rm(path);
        return wasi.ERRNO_SUCCESS;
      },
      (errno) => errno,
    );
  }

  override path_open(
    _dirflags: number,
    relative: string,
    oflags: number,
    rights: bigint,
    _inheriting: bigint,
    fdflags: number,
  ): OpenResult {
    return this.files.attempt<OpenResult>(
      () => ({ ret: wasi.ERRNO_SUCCESS, fd_obj: this.open(relative, oflags, rights, fdflags) }),
      (ret) => ({ ret, fd_obj: null }),
    );
  }

  private open(relative: string, oflags: number, rights: bigint, fdflags: number): Fd {
    const files = this.files;
    const path = files.resolve(this.path, relative);
    const wantsDir = (oflags & wasi.OFLAGS_DIRECTORY) !== 0 || relative.endsWith('/');
    const truncate = (oflags & wasi.OFLAGS_TRUNC) !== 0;
    const append = (fdflags & wasi.FDFLAGS_APPEND) !== 0;
    const mode = {
      readable: (rights & BigInt(wasi.RIGHTS_FD_READ)) !== 0n,
      writable: (rights & BigInt(wasi.RIGHTS_FD_WRITE)) !== 0n || truncate || append,
      append,
    };
    const existing = files.find(path);
    if (existing) {
      if (oflags & wasi.OFLAGS_CREAT && oflags & wasi.OFLAGS_EXCL) throw new Errno(wasi.ERRNO_EXIST);
      if (existing.type === 'dir') {
        if (mode.writable) throw new Errno(wasi.ERRNO_ISDIR);
        return new GuestDir(files, path, false);
      }
      if (wantsDir) throw new Errno(wasi.ERRNO_NOTDIR);
      if (truncate) files.fs.writeFile(path, '');
      else if (mode.writable) files.requireWritable(path);
      return new GuestFile(files, path, mode, truncate ? 0 : existing.size, truncate);
    }
    if (!(oflags & wasi.OFLAGS_CREAT)) throw new Errno(wasi.ERRNO_NOENT);
    if (wantsDir) throw new Errno(wasi.ERRNO_INVAL);
    files.requireParent(path);
    // O_CREAT creates the file at open, as POSIX does: a refusal (a read-only mount) comes back from open.
    files.fs.writeFile(path, '');
    return new GuestFile(files, path, mode, 0, true);
  }
}

const join = (dir: string, name: string) => (dir === '/' ? `/${name}` : `${dir}/${name}`);

/** An open regular file: read lazily on first need, written into a buffer, saved when closed or synced. */
class GuestFile extends Fd {
  /** The content, once read (or known empty); `length` bytes of it are the file, the rest is spare capacity. */
  private data: Uint8Array | null;
  private length: number;
  private position = 0;
  private dirty = false;

  constructor(
    private readonly files: WasiFs,
    readonly path: string,
    private readonly mode: { readable: boolean; writable: boolean; append: boolean },
    size: number,
    empty: boolean,
  ) {
    super();
    this.data = empty ? new Uint8Array(0) : null;
    this.length = size;
    files.track(this, true);
  }

  override fd_fdstat_get(): { ret: number; fdstat: wasi.Fdstat | null } {
    const fdstat = new wasi.Fdstat(wasi.FILETYPE_REGULAR_FILE, this.mode.append ? wasi.FDFLAGS_APPEND : 0);
    fdstat.fs_rights_base = (this.mode.readable ? READ_RIGHTS : 0n) | (this.mode.writable ? WRITE_RIGHTS : 0n);
    return { ret: wasi.ERRNO_SUCCESS, fdstat };
  }

  override fd_filestat_get(): FilestatResult {
    return {
      ret: wasi.ERRNO_SUCCESS,
      filestat: new wasi.Filestat(this.files.inode(this.path), wasi.FILETYPE_REGULAR_FILE, BigInt(this.length)),
    };
  }

  override fd_read(size: number): { ret: number; data: Uint8Array } {
    const { ret, data } = this.fd_pread(size, BigInt(this.position));
    this.position += data.length;
    return { ret, data };
  }

  override fd_pread(size: number, offset: bigint): { ret: number; data: Uint8Array } {
    if (!this.mode.readable) return { ret: wasi.ERRNO_BADF, data: new Uint8Array(0) };
    return this.files.attempt(
      () => {
        const content = this.content();
        const start = Math.min(Number(offset), this.length);
        return { ret: wasi.ERRNO_SUCCESS, data: content.slice(start, Math.min(start + size, this.length)) };
      },
      (ret) => ({ ret, data: new Uint8Array(0) }),
    );
  }

  override fd_write(data: Uint8Array): { ret: number; nwritten: number } {
    if (this.mode.append) this.position = this.length;
    const result = this.fd_pwrite(data, BigInt(this.position));
    this.position += result.nwritten;
    return result;
  }

  override fd_pwrite(data: Uint8Array, offset: bigint): { ret: number; nwritten: number } {
    if (!this.mode.writable) return { ret: wasi.ERRNO_BADF, nwritten: 0 };
    return this.files.attempt(
      () => {
        const start = Number(offset);
        this.content();
        this.resize(Math.max(this.length, start + data.length));
        this.data!.set(data, start);
        return { ret: wasi.ERRNO_SUCCESS, nwritten: data.length };
      },
      (ret) => ({ ret, nwritten: 0 }),
    );
  }

  override fd_seek(offset: bigint, whence: number): { ret: number; offset: bigint } {
    const from =
      whence === wasi.WHENCE_SET
        ? 0
        : whence === wasi.WHENCE_CUR
          ? this.position
          : whence === wasi.WHENCE_END
            ? this.length
            : null;
    const target = from === null ? -1 : from + Number(offset);
    if (target < 0) return { ret: wasi.ERRNO_INVAL, offset: BigInt(this.position) };
    this.position = target;
    return { ret: wasi.ERRNO_SUCCESS, offset: BigInt(target) };
  }

  override fd_tell(): { ret: number; offset: bigint } {
    return { ret: wasi.ERRNO_SUCCESS, offset: BigInt(this.position) };
  }

  override fd_filestat_set_size(size: bigint): number {
    if (!this.mode.writable) return wasi.ERRNO_BADF;
    return this.files.attempt(
      () => {
        this.resize(Number(size));
        return wasi.ERRNO_SUCCESS;
      },
      (errno) => errno,
    );
  }

  override fd_sync(): number {
    return this.save();
  }

  override fd_close(): number {
    this.files.track(this, false);
    return this.save();
  }

  /** The file's bytes, read through ConfinedFs the first time they are needed. */
  private content(): Uint8Array {
    if (this.data) return this.data;
    const read = this.files.fs.readFile(this.path, { as: 'base64', maxBytes: this.files.maxFileBytes });
    if (read.truncated) throw new Errno(wasi.ERRNO_FBIG);
    this.data = new Uint8Array(Buffer.from(read.data, 'base64'));
    this.length = this.data.length;
    return this.data;
  }

  /** Sets the file's length; growing zero-fills, and capacity doubles so many small writes stay linear. */
  private resize(length: number): void {
    if (length > this.files.maxFileBytes) throw new Errno(wasi.ERRNO_FBIG);
    const content = this.content();
    if (length > content.length) {
      const grown = new Uint8Array(Math.min(Math.max(length, content.length * 2), this.files.maxFileBytes));
      grown.set(content.subarray(0, this.length));
      this.data = grown;
    } else if (length < this.length) {
      content.fill(0, length, this.length);
    }
    this.length = length;
    this.dirty = true;
  }

  /** Writes the buffered content through ConfinedFs (as base64: the bytes are saved exactly, text or not). */
  private save(): number {
    if (!this.dirty) return wasi.ERRNO_SUCCESS;
    this.dirty = false;
    const content = Buffer.from(this.data!.buffer, this.data!.byteOffset, this.length).toString('base64');
    return this.files.attempt(
      () => {
        this.files.fs.writeFile(this.path, content, { encoding: 'base64' });
        return wasi.ERRNO_SUCCESS;
      },
      (errno) => errno,
    );
  }
}
