import picomatch from 'picomatch';
import { fsCall, outsideWorkspaceHint, tryFsCall } from './fs-errors';
import type { GuestFs, WalkedTree } from './guest-fs';
import { joinPath, normalizePath, relativeTo } from './paths';
import { type ToolResult, fail, runTool, stringInput } from './result';
import { formatCount } from './text';
import { MAX_VISITED_ENTRIES } from './walk';

export interface GlobInput {
  pattern: string;
  path?: string;
}

const MAX_RESULTS = 1000;

/** Lists the files matching a glob pattern under a folder, newest first. */
export function glob(fs: GuestFs, input: GlobInput): ToolResult {
  return runTool(() => {
    const pattern = stringInput(input.pattern, 'pattern').trim();
    const root = normalizePath(typeof input.path === 'string' ? input.path : '/');
    const rootStat = fsCall(root, () => fs.stat(root), {
      ENOENT: `Folder not found: ${root}.${outsideWorkspaceHint(fs, root)}`,
    });
    if (rootStat.type !== 'dir') fail(`${root} is a file, not a folder; glob searches folders. To open it, use read.`);

    const { files, truncated } = findMatches(fs, absolutePattern(root, pattern));
    files.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const shown = files.slice(0, MAX_RESULTS);
    const notes: string[] = [];
    if (files.length > shown.length)
      notes.push(
        `… showing the ${formatCount(shown.length)} newest of ${formatCount(files.length)} matching files; narrow the pattern or path.`,
      );
    if (truncated)
      notes.push(
        `… the search stopped after ${formatCount(MAX_VISITED_ENTRIES)} entries, so some matches may be missing; narrow the pattern or path.`,
      );
    const listing = shown.length > 0 ? shown.map((f) => f.path) : [`No files match "${pattern}" under ${root}.`];
    return {
      content: [...listing, ...notes].join('\n'),
      metadata: { count: shown.length, truncated: truncated || files.length > shown.length },
    };
  });
}

/**
 * The pattern as a path from `/` without the leading slash, the form picomatch matches walked paths in. A pattern
 * starting with `/` is absolute; any other is relative to the search folder. A leading `./` means nothing.
 */
function absolutePattern(root: string, pattern: string): string {
  const relative = pattern.replace(/^(\.\/)+/, '');
  if (relative.startsWith('/')) return relative.replace(/^\/+/, '');
  return root === '/' ? relative : `${root.slice(1)}/${relative}`;
}

function findMatches(fs: GuestFs, pattern: string): WalkedTree {
  const scan = picomatch.scan(pattern);
  if (!scan.isGlob) {
    // A plain path: the file itself, if there is one.
    const path = normalizePath(pattern);
    const stat = tryFsCall(() => fs.stat(path));
    return { files: stat?.type === 'file' ? [{ path, size: stat.size, mtimeMs: stat.mtimeMs }] : [], truncated: false };
  }
  // Walk only the folder the pattern's literal start names (`src` of `src/**/*.ts`). A base with escapes is not a
  // plain folder name, so the walk starts at the root instead.
  const escaped = scan.base.includes('\\');
  const start = escaped ? '/' : normalizePath(scan.base);
  // Rebuilt on the normalised start, so that a `..` in the literal part cannot keep paths from matching.
  const glob = escaped ? pattern : relativeTo('/', joinPath(start, scan.glob));
  const matches = picomatch(glob, { dot: false, windows: false });
  const startStat = tryFsCall(() => fs.stat(start));
  if (startStat?.type !== 'dir') return { files: [], truncated: false };
  const tree = fsCall(start, () => fs.walk(start));
  return { files: tree.files.filter((file) => matches(file.path.slice(1))), truncated: tree.truncated };
}
