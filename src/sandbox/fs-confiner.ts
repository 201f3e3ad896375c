import { lstatSync, realpathSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';

export interface Mount {
  /** A real folder on this machine. */
  host: string;
  /** Where the guest sees it: an absolute guest path. The workspace is mounted at `/`. */
  guest: string;
  readOnly: boolean;
}

export type ConfinedCode = 'ENOENT' | 'EACCES' | 'EROFS' | 'EINVAL';

/**
 * A path the guest may not use. The message names only the guest path: host paths never reach the guest, the
 * model or the user through it.
 */
export class ConfinedPathError extends Error {
  override readonly name = 'ConfinedPathError';
  constructor(
    readonly code: ConfinedCode,
    readonly guestPath: string,
    message: string,
    /** The path exists but policy hides or refuses it (a symlink, the runtime's folder, a read-only mount). */
    readonly denied = false,
  ) {
    super(message);
  }
}

export interface Resolved {
  guest: string;
  host: string;
  mount: Mount;
}

const within = (path: string, root: string) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * Maps guest paths to host paths and refuses every way out: the guest path is normalised so it cannot climb above
 * `/`; the longest mount is chosen; the deepest existing ancestor's real path must equal its lexical path, so no
 * symlink on the way is followed (symlinks are invisible); hidden host folders (the runtime's own `.boxagnts/`)
 * look absent; read-only mounts refuse writes.
 */
export class Confiner {
  readonly mounts: readonly Mount[];
  private readonly hidden: readonly string[];

  constructor(options: { workDir: string; mounts?: readonly Mount[]; hidden?: readonly string[] }) {
    const root: Mount = { host: realpathSync(options.workDir), guest: '/', readOnly: false };
    const extra = (options.mounts ?? []).map((m) => ({ host: realpathSync(m.host), guest: Confiner.normalize(m.guest), readOnly: m.readOnly }));
    this.mounts = [root, ...extra].sort((a, b) => b.guest.length - a.guest.length);
    this.hidden = (options.hidden ?? []).map((h) => join(realpathIfExists(dirname(h)), relative(dirname(h), h)));
  }

  /** `/`-rooted, `.`/`..` folded; `..` at the root stays at the root. */
  static normalize(path: string): string {
    return posix.normalize(posix.resolve('/', path));
  }

  resolve(path: string, access: 'read' | 'write'): Resolved {
    if (typeof path !== 'string' || path.includes('\0')) throw new ConfinedPathError('EINVAL', String(path), 'Invalid path');
    const guest = Confiner.normalize(path);
    const mount = this.mounts.find((m) => m.guest === '/' || guest === m.guest || guest.startsWith(`${m.guest}/`))!;
    const host = join(mount.host, posix.relative(mount.guest, guest));
    if (this.isHidden(host)) throw new ConfinedPathError('ENOENT', guest, `No such file or folder: ${guest}`, true);
    this.assertNoLinks(host, mount, guest);
    if (access === 'write' && mount.readOnly) throw new ConfinedPathError('EROFS', guest, `${guest} is on a read-only mount`, true);
    return { guest, host, mount };
  }

  /** Whether a host path lies in a hidden folder (it must look absent, also in listings). */
  isHidden(host: string): boolean {
    return this.hidden.some((h) => within(host, h));
  }

  /**
   * Walks up to the deepest existing ancestor: its real path must be exactly its lexical path (a symlink anywhere
   * on the way makes them differ) and lie inside the mount.
   */
  assertNoLinks(host: string, mount: Mount, guest: string): void {
    let existing = host;
    for (;;) {
      try {
        lstatSync(existing);
        break;
      } catch {
        const parent = dirname(existing);
        if (parent === existing) break;
        existing = parent;
      }
    }
    let real: string;
    try {
      real = realpathSync(existing);
    } catch {
      throw new ConfinedPathError('ENOENT', guest, `No such file or folder: ${guest}`, true);
    }
    if (real !== existing || !within(real, mount.host)) throw new ConfinedPathError('ENOENT', guest, `No such file or folder: ${guest}`, true);
  }
}

function realpathIfExists(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
