import { tryFsCall } from './fs-errors';
import type { GuestDirent, GuestFs, WalkedFile, WalkedTree } from './guest-fs';
import { IgnoreRules } from './gitignore';
import { joinPath } from './paths';

export type { WalkedFile } from './guest-fs';

export interface WalkSummary {
  /** The walk stopped at the cap on entries, so files may be missing. */
  truncated: boolean;
}

/**
 * Folders no walk enters, whatever .gitignore says: version-control internals and installed packages are rarely
 * what a model looks for and can be huge. A walk that starts inside one was asked for by name, so it goes ahead.
 */
const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['.git', 'node_modules']);

/** Bounds the work of one search in a huge tree; the guest has no clock to stop by. */
export const MAX_VISITED_ENTRIES = 50_000;

interface Frame {
  folder: string;
  entries: GuestDirent[];
  next: number;
  rules: IgnoreRules;
}

/**
 * Calls `onFile` for each file under `folder`, depth first in name order, skipping .git, node_modules and
 * gitignored entries. A failure to list `folder` itself is thrown; folders below that cannot be listed are skipped.
 */
export function walkFiles(fs: GuestFs, folder: string, onFile: (file: WalkedFile) => void): WalkSummary {
  // An explicit stack rather than recursion: QuickJS has a small native stack and trees can be deep.
  const stack: Frame[] = [
    { folder, entries: sortedEntries(fs.readdir(folder)), next: 0, rules: IgnoreRules.forFolder(fs, folder) },
  ];
  let visited = 0;
  while (stack.length > 0) {
    const frame = stack.at(-1)!;
    const entry = frame.entries[frame.next++];
    if (!entry) {
      stack.pop();
      continue;
    }
    if (++visited > MAX_VISITED_ENTRIES) return { truncated: true };
    const path = joinPath(frame.folder, entry.name);
    if (entry.type === 'dir') {
      if (SKIPPED_FOLDERS.has(entry.name) || frame.rules.ignores(path, true)) continue;
      const entries = tryFsCall(() => fs.readdir(path));
      if (!entries) continue;
      const hasGitignore = entries.some((e) => e.name === '.gitignore' && e.type === 'file');
      stack.push({
        folder: path,
        entries: sortedEntries(entries),
        next: 0,
        rules: frame.rules.enter(fs, path, hasGitignore),
      });
    } else if (!frame.rules.ignores(path, false)) {
      onFile({ path, size: entry.size, mtimeMs: entry.mtimeMs });
    }
  }
  return { truncated: false };
}

/** The whole walk as one list: what `GuestFs.walk` answers, computed where the files are. */
export function collectFiles(fs: GuestFs, folder: string): WalkedTree {
  const files: WalkedFile[] = [];
  const { truncated } = walkFiles(fs, folder, (file) => files.push(file));
  return { files, truncated };
}

function sortedEntries(entries: GuestDirent[]): GuestDirent[] {
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
