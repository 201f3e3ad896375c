import { randomBytes } from 'node:crypto';
import {
  type BigIntStats,
  closeSync,
  createReadStream,
  existsSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, extname, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { type FileContent, type FileEntry, type SavedFile, type TrashItem, TrashItemSchema } from '../contract/files';
import { ConfinedFs, type Dirent, FsBridgeError, looksBinary, readStart } from '../fs/confined-fs';
import { ConfinedPathError, Confiner } from '../fs/confiner';
import { errnoCode } from '../fs/errors';
import { mediaTypeOf } from '../fs/media-types';
import type { WorkspacePaths } from './paths';

/** Files larger than this are not opened as text in the editor. */
export const MAX_TEXT_BYTES = 5 * 1024 * 1024;

/** A refusal of the file API, with the HTTP status and code the route answers with. */
export class FileApiError extends Error {
  override readonly name = 'FileApiError';
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 413 | 428,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** What a trashed entry's `meta.json` is read for: the item but its id, which is the name of its folder. */
const TrashMeta = TrashItemSchema.omit({ id: true });
const TRASH_ID = /^[a-z0-9]{8,20}-[a-f0-9]{8}$/;

/**
 * A path from a request: workspace-relative with `/` separators. Anything that could mean something else on the
 * way to the disk is refused outright rather than normalised: `..` and `.` segments, backslashes, absolute paths,
 * empty segments, NUL. (The confiner would fold them safely anyway; refusing them keeps requests unambiguous.)
 */
export function checkPath(path: unknown, options: { allowRoot?: boolean } = {}): string {
  if (typeof path !== 'string') throw new FileApiError(400, 'invalid_path', 'A path is required.');
  if (path === '') {
    if (options.allowRoot) return '';
    throw new FileApiError(400, 'invalid_path', 'This needs a file or folder, not the workspace itself.');
  }
  const reason =
    path.length > 4096
      ? 'it is too long'
      : path.includes('\0')
        ? 'it contains a NUL character'
        : path.includes('\\')
          ? 'it contains a backslash (use / between folders)'
          : path.startsWith('/')
            ? 'it is absolute (paths are relative to the workspace)'
            : path.split('/').some((part) => part === '' || part === '.' || part === '..')
              ? 'it has an empty, "." or ".." part'
              : null;
  if (reason) throw new FileApiError(400, 'invalid_path', `Invalid path "${path.slice(0, 200)}": ${reason}.`);
  return path;
}

/** A single file or folder name, for rename and uploads. */
export function checkName(name: unknown): string {
  if (
    typeof name !== 'string' ||
    name === '' ||
    name === '.' ||
    name === '..' ||
    /[/\\\0]/.test(name) ||
    Buffer.byteLength(name) > 255
  ) {
    throw new FileApiError(
      400,
      'invalid_name',
      `Invalid name ${JSON.stringify(String(name).slice(0, 100))}: a name has no / or \\ and is at most 255 bytes.`,
    );
  }
  return name;
}

/** How people sort names: case aside, and file2 before file10. */
const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

const guestOf = (path: string) => `/${path}`;
const parentOf = (path: string) => posix.dirname(path).replace(/^\.$/, '');
const joinPath = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);

function versionOf(stats: BigIntStats): string {
  return `${stats.ino.toString(36)}-${stats.size.toString(36)}-${stats.mtimeNs.toString(36)}`;
}

/** The bytes a file or folder takes, its symbolic links counted as links (never followed). */
function diskBytes(path: string): number {
  const info = lstatSync(path);
  if (!info.isDirectory()) return info.size;
  return readdirSync(path).reduce((sum, name) => sum + diskBytes(join(path, name)), 0);
}

/** `name (1).ext`, `name (2).ext`, … until one is free. */
function freeName(exists: (name: string) => boolean, name: string, label: (n: number) => string): string {
  if (!exists(name)) return name;
  const ext = name.startsWith('.') && extname(name) === name ? '' : extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 1; ; n++) {
    const candidate = `${stem}${label(n)}${ext}`;
    if (!exists(candidate)) return candidate;
  }
}

/**
 * The workspace's files as the dashboard sees them: the same confined file system as the sandbox does all the work
 * (nothing above the root, no symbolic link followed, `.boxagnts/` invisible, and no path re-resolved after its check).
 * Deleting moves to `.boxagnts/trash/`, from where an item can be restored until the trash is emptied.
 */
export class WorkspaceFiles {
  private readonly fs: ConfinedFs;
  private readonly trashDir: string;
  private readonly uploadsDir: string;
  /** Saves of one path run one at a time, so a version check and its write cannot interleave with another's. */
  private readonly saving = new Map<string, Promise<unknown>>();

  constructor(
    paths: WorkspacePaths,
    private readonly limits: { trashMaxBytes(): number },
  ) {
    this.fs = new ConfinedFs(new Confiner({ workDir: paths.root, hidden: [paths.dataDir] }));
    this.trashDir = join(paths.dataDir, 'trash');
    this.uploadsDir = paths.uploadsDir;
  }

  list(dir: string): FileEntry[] {
    const type = this.statOf(dir).type;
    if (type !== 'dir') throw new FileApiError(400, 'not_a_folder', `${dir} is a file, not a folder.`);
    return this.attempt(() => this.fs.readdir(guestOf(dir)))
      .map((e: Dirent) => ({
        name: e.name,
        path: joinPath(dir, e.name),
        type: e.type,
        size: e.size,
        mtimeMs: e.mtimeMs,
      }))
      .sort((a, b) => (a.type === b.type ? byName.compare(a.name, b.name) : a.type === 'dir' ? -1 : 1));
  }

  /** Reads through one open descriptor, so the content and the version always belong to the same file. */
  read(path: string): FileContent {
    const { fd } = this.attempt(() => this.fs.openForReading(guestOf(path)));
    try {
      for (let attempt = 0; ; attempt++) {
        const before = fstatSync(fd, { bigint: true });
        const base = {
          path,
          size: Number(before.size),
          mtimeMs: Number(before.mtimeMs),
          version: versionOf(before),
          mediaType: mediaTypeOf(path),
        };
        if (before.size > BigInt(MAX_TEXT_BYTES)) return { ...base, kind: 'too_large', limit: MAX_TEXT_BYTES };
        const bytes = readStart(fd, Number(before.size));
        // Changed while it was read: read again, so content and version always belong together.
        if (versionOf(fstatSync(fd, { bigint: true })) !== base.version && attempt < 3) continue;
        return looksBinary(bytes)
          ? { ...base, kind: 'binary' }
          : { ...base, kind: 'text', content: bytes.toString('utf8') };
      }
    } finally {
      closeSync(fd);
    }
  }

  /** The version a save would have to name now, or null when there is no such file. */
  version(path: string): string | null {
    const stats = this.currentStats(path);
    return stats ? versionOf(stats) : null;
  }

  /**
   * Saves text over a file (atomically: a crash leaves the old or the new bytes). An existing file is only replaced
   * when `expected` names its current version; otherwise nothing is written and the current version is reported.
   * `expected: null` creates a file that must not exist yet.
   */
  async write(path: string, content: string, expected: string | null | undefined): Promise<SavedFile> {
    const previous = this.saving.get(path) ?? Promise.resolve();
    // The previous save's error went to its own caller; this one only waits for it to settle.
    const work = previous.catch(() => undefined).then(() => this.writeNow(path, content, expected));
    this.saving.set(path, work);
    try {
      return await work;
    } finally {
      if (this.saving.get(path) === work) this.saving.delete(path);
    }
  }

  private writeNow(path: string, content: string, expected: string | null | undefined) {
    const current = this.currentStats(path);
    if (current?.isDirectory()) throw new FileApiError(400, 'is_a_folder', `${path} is a folder.`);
    if (current && expected === undefined)
      throw new FileApiError(
        428,
        'version_required',
        `${path} exists: send If-Match with the version you loaded, so a newer change on disk is not overwritten.`,
      );
    if (current && expected !== versionOf(current)) {
      throw new FileApiError(
        409,
        'version_conflict',
        `${path} changed on disk since it was loaded; nothing was written.`,
        { version: versionOf(current) },
      );
    }
    if (!current && expected)
      throw new FileApiError(
        409,
        'version_conflict',
        `${path} was removed on disk since it was loaded; nothing was written.`,
        { version: null },
      );
    // The written file's own stat, not the path's: by the time the rename is done someone may have changed it again.
    const saved = this.attempt(() =>
      this.fs.writeFileAtomic(guestOf(path), content, current ? Number(current.mode & 0o777n) : 0o644),
    );
    return { path, version: versionOf(saved), size: Number(saved.size), mtimeMs: Number(saved.mtimeMs) };
  }

  mkdir(path: string): void {
    if (this.exists(path)) throw new FileApiError(409, 'exists', `${path} already exists.`);
    this.attempt(() => this.fs.mkdir(guestOf(path)));
  }

  rename(path: string, name: string): string {
    const to = joinPath(parentOf(path), checkName(name));
    if (to === path) return path;
    this.moveOne(path, to);
    return to;
  }

  /** Moves each item into the folder `to`; stops at the first that cannot move (one whose name is taken there). */
  move(paths: string[], to: string): string[] {
    this.requireFolder(to);
    return paths.map((path) => {
      const target = joinPath(to, basename(path));
      if (target === path) return path;
      if (to === path || to.startsWith(`${path}/`))
        throw new FileApiError(400, 'into_itself', `${path} cannot be moved into itself.`);
      this.moveOne(path, target);
      return target;
    });
  }

  /** Copies each item into `to`; a name already there gets " copy", " copy 2", … (links inside are left out). */
  copy(paths: string[], to: string): string[] {
    this.requireFolder(to);
    return paths.map((path) => {
      this.statOf(path);
      if (to === path || to.startsWith(`${path}/`))
        throw new FileApiError(400, 'into_itself', `${path} cannot be copied into itself.`);
      const name = freeName(
        (n) => this.exists(joinPath(to, n)),
        basename(path),
        (n) => (n === 1 ? ' copy' : ` copy ${n}`),
      );
      const target = joinPath(to, name);
      this.attempt(() => this.fs.copy(guestOf(path), guestOf(target), { recursive: true }));
      return target;
    });
  }

  /**
   * Moves items to the trash; each can be restored until the trash is emptied, or until newer items push it past the
   * trash's size cap (`files.trashMaxBytes`), oldest first.
   */
  trash(paths: string[]): TrashItem[] {
    mkdirSync(this.trashDir, { recursive: true, mode: 0o700 });
    const trashed = paths.map((path) => {
      const type = this.statOf(path).type;
      const id = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
      const item: TrashItem = { id, path, name: basename(path), type, deletedAt: new Date().toISOString() };
      const dir = join(this.trashDir, id);
      mkdirSync(dir, { mode: 0o700 });
      writeFileSync(join(dir, 'meta.json'), JSON.stringify(item), { mode: 0o600 });
      try {
        this.attempt(() => this.fs.moveOut(guestOf(path), join(dir, 'item')));
      } catch (error) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
      const sized = { ...item, bytes: diskBytes(join(dir, 'item')) };
      writeFileSync(join(dir, 'meta.json'), JSON.stringify(sized), { mode: 0o600 });
      return sized;
    });
    this.capTrash(new Set(trashed.map((item) => item.id)));
    return trashed;
  }

  /** Removes the oldest items, `keep` aside, while the trash holds more than its cap. */
  private capTrash(keep: ReadonlySet<string>): void {
    const items = this.trashItems();
    const sizes = new Map(items.map((item) => [item.id, item.bytes ?? diskBytes(join(this.trashDir, item.id))]));
    let total = [...sizes.values()].reduce((sum, bytes) => sum + bytes, 0);
    const cap = this.limits.trashMaxBytes();
    for (const item of items.toReversed()) {
      if (total <= cap) break;
      if (keep.has(item.id)) continue;
      rmSync(join(this.trashDir, item.id), { recursive: true, force: true });
      total -= sizes.get(item.id) ?? 0;
    }
  }

  trashItems(): TrashItem[] {
    if (!existsSync(this.trashDir)) return [];
    const items: TrashItem[] = [];
    for (const id of readdirSync(this.trashDir)) {
      if (!TRASH_ID.test(id)) continue;
      try {
        const meta = TrashMeta.parse(JSON.parse(readFileSync(join(this.trashDir, id, 'meta.json'), 'utf8')));
        if (existsSync(join(this.trashDir, id, 'item'))) items.push({ id, ...meta });
      } catch {
        // An entry without readable metadata cannot be restored; emptying the trash removes it.
      }
    }
    return items.sort((a, b) => b.deletedAt.localeCompare(a.deletedAt));
  }

  /** Puts an item back where it was; refused (and left in the trash) when that place is taken. */
  restore(id: string): TrashItem {
    const item = TRASH_ID.test(id) ? this.trashItems().find((i) => i.id === id) : undefined;
    if (!item) throw new FileApiError(404, 'not_found', 'There is no such item in the trash.');
    const path = checkPath(item.path);
    const taken = () =>
      new FileApiError(409, 'exists', `${item.path} exists again; move or rename it first, then restore.`);
    if (this.exists(path)) throw taken();
    try {
      this.attempt(() => this.fs.moveIn(join(this.trashDir, id, 'item'), guestOf(path)));
    } catch (error) {
      throw error instanceof FileApiError && error.code === 'exists' ? taken() : error;
    }
    rmSync(join(this.trashDir, id), { recursive: true, force: true });
    return item;
  }

  emptyTrash(): number {
    const count = existsSync(this.trashDir) ? readdirSync(this.trashDir).length : 0;
    rmSync(this.trashDir, { recursive: true, force: true });
    return count;
  }

  /** A file to send, read through the descriptor the confined walk opened. */
  openForDownload(path: string): { stream: Readable; size: number; name: string; mediaType: string } {
    const { fd, info } = this.attempt(() => this.fs.openForReading(guestOf(path)));
    return {
      stream: createReadStream('', { fd, autoClose: true }),
      size: info.size,
      name: basename(path),
      mediaType: mediaTypeOf(path),
    };
  }

  /** A private folder for uploads in progress: they reach the workspace only when whole, by `placeUpload`. */
  uploadStaging(dir: string): string {
    this.requireFolder(dir);
    mkdirSync(this.uploadsDir, { recursive: true, mode: 0o700 });
    return this.uploadsDir;
  }

  /** Moves a finished upload into `dir` as `name`, or `name (1)` … when taken (also if taken meanwhile). */
  placeUpload(temp: string, dir: string, name: string): string {
    for (;;) {
      const chosen = freeName(
        (n) => this.exists(joinPath(dir, n)),
        checkName(name),
        (n) => ` (${n})`,
      );
      const path = joinPath(dir, chosen);
      try {
        this.attempt(() => this.fs.moveIn(temp, guestOf(path)));
        return path;
      } catch (error) {
        if (!(error instanceof FileApiError && error.code === 'exists')) throw error;
      }
    }
  }

  /** The host path of a folder, for watching it. */
  hostOf(path: string): string {
    this.statOf(path);
    return this.attempt(() => this.fs.hostPathOf(guestOf(path)));
  }

  private moveOne(from: string, to: string): void {
    this.statOf(from);
    if (this.exists(to)) throw new FileApiError(409, 'exists', `${to} already exists.`);
    this.attempt(() => this.fs.rename(guestOf(from), guestOf(to)));
  }

  private requireFolder(dir: string): void {
    if (this.statOf(dir).type !== 'dir') throw new FileApiError(400, 'not_a_folder', `${dir} is a file, not a folder.`);
  }

  private statOf(path: string) {
    return this.attempt(() => this.fs.stat(guestOf(path)));
  }

  private exists(path: string): boolean {
    return this.attempt(() => this.fs.exists(guestOf(path)));
  }

  /** The full stat of what is at `path` now, or null when nothing is. */
  private currentStats(path: string): BigIntStats | null {
    try {
      return this.attempt(() => this.fs.statBig(guestOf(path)));
    } catch (error) {
      if (error instanceof FileApiError && error.status === 404 && !this.exists(path)) return null;
      throw error;
    }
  }

  /** Confiner and file-system errors as API refusals; what is hidden or refused looks like what is absent. */
  private attempt<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (error instanceof FileApiError) throw error;
      if (error instanceof ConfinedPathError || error instanceof FsBridgeError) {
        const code = error.code;
        const message = error.message.replace(/(^|\s)\//g, '$1');
        if (code === 'ENOENT' || code === 'ELOOP') throw new FileApiError(404, 'not_found', message);
        if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM')
          throw new FileApiError(403, 'forbidden', message);
        if (code === 'EEXIST' || code === 'ENOTEMPTY') throw new FileApiError(409, 'exists', message);
        if (code === 'EISDIR') throw new FileApiError(400, 'is_a_folder', message);
        if (code === 'ENOTDIR' || code === 'EINVAL') throw new FileApiError(400, 'invalid_path', message);
      }
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ELOOP') throw new FileApiError(404, 'not_found', 'No such file or folder.');
      throw error;
    }
  }
}
