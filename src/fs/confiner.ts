import { realpathSync } from 'node:fs';
import { basename, dirname, join, posix, relative, sep } from 'node:path';
import { isProtected, protectsBelow } from './protected-paths';

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
    /** The path exists but policy hides or refuses it (the runtime's folder, a read-only mount, a protected file). */
    readonly denied = false,
  ) {
    super(message);
  }
}

/** Where a guest path lies: its mount and the names below the mount's root, found without touching the disk. */
export interface Located {
  guest: string;
  mount: Mount;
  /** The path's names below the mount root; empty for the root itself. */
  names: string[];
}

export interface ConfinerOptions {
  workDir: string;
  /** The work folder (`/`) refuses every change. */
  readOnly?: boolean | undefined;
  mounts?: readonly Mount[];
  /** Host folders that must look absent (the runtime's own `.boxagnts/`). */
  hidden?: readonly string[];
  /**
   * Keep the files that make host programs run code (`.git/**`, `.envrc`, …; see protected-paths.ts) read-only,
   * except the workspace-relative paths listed (each a file or a whole folder). Absent: nothing is protected (the
   * user's own Files page).
   */
  protect?: { writable: readonly string[] } | undefined;
}

const within = (path: string, root: string) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * Decides, from the guest path alone, which mount a path is on and whether the policy lets it be used: the path is
 * normalised so it cannot climb above `/`, the longest mount is chosen, hidden folders look absent, read-only mounts
 * and protected files refuse writes. It never follows anything on disk: ConfinedFs walks the names it returns one
 * descriptor at a time, so what the policy judged is what gets used.
 */
export class Confiner {
  readonly mounts: readonly Mount[];
  private readonly hidden: readonly string[];
  private readonly protect: ConfinerOptions['protect'];

  constructor(options: ConfinerOptions) {
    const root: Mount = { host: realpathSync(options.workDir), guest: '/', readOnly: options.readOnly === true };
    const extra = (options.mounts ?? []).map((m) => ({
      host: realpathSync(m.host),
      guest: Confiner.normalize(m.guest),
      readOnly: m.readOnly,
    }));
    this.mounts = [root, ...extra].sort((a, b) => b.guest.length - a.guest.length);
    this.hidden = (options.hidden ?? []).map((h) => join(realpathIfExists(dirname(h)), relative(dirname(h), h)));
    this.protect = options.protect;
  }

  /** `/`-rooted, `.`/`..` folded; `..` at the root stays at the root. */
  static normalize(path: string): string {
    return posix.normalize(posix.resolve('/', path));
  }

  /**
   * Locates a guest path and applies the policy. `write` covers every change: creating, writing, removing, renaming
   * and changing times or permissions.
   */
  locate(path: string, access: 'read' | 'write'): Located {
    if (typeof path !== 'string' || path.includes('\0'))
      throw new ConfinedPathError('EINVAL', String(path), 'Invalid path');
    const guest = Confiner.normalize(path);
    const mount = this.mounts.find((m) => m.guest === '/' || guest === m.guest || guest.startsWith(`${m.guest}/`))!;
    const below = posix.relative(mount.guest, guest);
    const located: Located = { guest, mount, names: below === '' ? [] : below.split('/') };
    if (this.isHidden(located)) throw new ConfinedPathError('ENOENT', guest, `No such file or folder: ${guest}`, true);
    if (access === 'write') {
      if (mount.readOnly) throw new ConfinedPathError('EROFS', guest, `${guest} is on a read-only mount`, true);
      if (this.isProtected(guest)) throw protectedError(guest);
    }
    return located;
  }

  /** A name inside a located folder, for walking a tree. */
  child(parent: Located, name: string): Located {
    return { guest: posix.join(parent.guest, name), mount: parent.mount, names: [...parent.names, name] };
  }

  /**
   * Whether a located path is, or is inside, a hidden folder: it must look absent, also in listings. A mount whose
   * root is itself inside a hidden folder (the runtime's read-only `/.tool-output`) was given on purpose and shows.
   */
  isHidden(located: Located): boolean {
    if (this.hidden.length === 0) return false;
    const host = join(located.mount.host, ...located.names);
    return this.hidden.some((h) => within(host, h) && !within(located.mount.host, h));
  }

  /**
   * The names in a (visible) folder that are hidden: an entry of a visible folder can only be hidden by being a
   * hidden folder itself. One set per listing, instead of a check per entry.
   */
  hiddenNamesIn(folder: Located): Set<string> {
    const host = join(folder.mount.host, ...folder.names);
    return new Set(
      this.hidden.filter((h) => dirname(h) === host && !within(folder.mount.host, h)).map((h) => basename(h)),
    );
  }

  /** Whether writing at this guest path is refused because a host program would run code from it. */
  isProtected(guest: string): boolean {
    return this.protect !== undefined && isProtected(guest) && !this.writableByRule(guest);
  }

  /**
   * Whether something moved or renamed to (or from) this path could become (or carry away) a protected file: a folder
   * renamed to `.vscode` brings its `settings.json` along.
   */
  guardsBelow(guest: string): boolean {
    return this.protect !== undefined && protectsBelow(guest) && !this.writableByRule(guest);
  }

  private writableByRule(guest: string): boolean {
    const relativePath = guest.slice(1);
    return this.protect!.writable.some((entry) => relativePath === entry || relativePath.startsWith(`${entry}/`));
  }
}

export function protectedError(guest: string): ConfinedPathError {
  return new ConfinedPathError(
    'EROFS',
    guest,
    `${guest} is read-only: host programs run code from it (git, direnv, editors), so the sandbox never writes it. The user can allow it with "sandbox.writableProtected" in the workspace settings.`,
    true,
  );
}

function realpathIfExists(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
