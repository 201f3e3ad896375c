/**
 * The synchronous file system the host lends the guest tools. Every path is an absolute guest path: `/` is the
 * workspace root. The host confines each call to the workspace and reports failures as GuestFsError.
 */

/**
 * A file-system error the host reports; `message` never contains host paths. Codes: ENOENT, ENOTDIR, EISDIR,
 * EACCES (outside the sandbox / forbidden), EROFS (read-only mount), EFBIG (too large), EEXIST, EINVAL.
 */
export class GuestFsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GuestFsError';
  }
}

export interface GuestStat {
  type: 'file' | 'dir';
  size: number;
  mtimeMs: number;
}

export interface GuestDirent {
  name: string;
  type: 'file' | 'dir';
  size: number;
  mtimeMs: number;
}

export interface GuestReadResult {
  /** UTF-8 text (as: 'text') or base64 (as: 'base64'); '' for a binary file read as text. */
  data: string;
  /** The whole file's size in bytes. */
  size: number;
  /** The host saw NUL bytes / non-text content in the first 8 KB. */
  binary: boolean;
  /** `data` stops at maxBytes. */
  truncated: boolean;
}

export interface WalkedFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** The files under a folder; `truncated`: the walk stopped at its cap on entries, so files may be missing. */
export interface WalkedTree {
  files: WalkedFile[];
  truncated: boolean;
}

/** The 1-based numbers of a file's lines a pattern matches; or why the file was not searched. */
export type GuestMatch = { lines: number[] } | { skipped: 'binary' | 'too large' };

export interface GuestFs {
  /**
   * The lines of the file at `path` that `pattern` (with `flags`, '' or 'i') matches, one at a time, scanned by the
   * host: a regex over every file of a tree is the costliest work a search does in the interpreter. Throws
   * GuestFsError.
   */
  match(path: string, pattern: string, flags: '' | 'i'): GuestMatch;
  /**
   * The files under `folder`, depth first in name order, skipping .git, node_modules and gitignored entries
   * (walk.ts says how). The host does the whole walk in one call: walking from the guest cost a trip and
   * interpreted work per entry. Throws GuestFsError when `folder` itself cannot be listed.
   */
  walk(folder: string): WalkedTree;
  /** Throws GuestFsError. */
  stat(path: string): GuestStat;
  /** Symlinks and the runtime's own folder are never listed. */
  readdir(path: string): GuestDirent[];
  readFile(path: string, options: { as: 'text' | 'base64'; maxBytes: number }): GuestReadResult;
  /** Creates missing parent folders. */
  writeFile(path: string, content: string): { created: boolean };
}
