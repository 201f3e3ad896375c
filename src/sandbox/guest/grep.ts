import picomatch from 'picomatch';
import { extensionsOfType, KNOWN_TYPES } from './file-types';
import { fsCall, outsideWorkspaceHint, tryFsCall } from './fs-errors';
import type { GuestFs } from './guest-fs';
import { baseName, extensionOf, normalizePath, relativeTo } from './paths';
import { type ToolResult, countInput, fail, runTool, stringInput } from './result';
import { countOf, cutLine, formatCount, formatSize, splitLines } from './text';
import { type WalkedFile, MAX_VISITED_ENTRIES } from './walk';
import { compilePattern } from './pattern';

export interface GrepInput {
  pattern: string;
  path?: string;
  glob?: string;
  type?: string;
  output_mode?: 'files_with_matches' | 'content' | 'count';
  context?: number;
  case_insensitive?: boolean;
  head_limit?: number;
  multiline?: boolean;
}

type OutputMode = NonNullable<GrepInput['output_mode']>;
const OUTPUT_MODES: readonly OutputMode[] = ['files_with_matches', 'content', 'count'];

const DEFAULT_HEAD_LIMIT = 250;
/** Larger files are skipped: they are rarely source and would stall the sandbox. */
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const MAX_CONTEXT = 20;
/** Matching lines of minified files can be enormous; the model needs only where they are. */
const MAX_SHOWN_LINE_CHARS = 1000;

/** Searches file contents with a JavaScript regular expression. */
export function grep(fs: GuestFs, input: GrepInput): ToolResult {
  return runTool(() => {
    const pattern = stringInput(input.pattern, 'pattern');
    const mode = input.output_mode ?? 'files_with_matches';
    if (!OUTPUT_MODES.includes(mode)) fail(`output_mode must be one of ${OUTPUT_MODES.join(', ')}.`);
    const multiline = input.multiline === true;
    const caseFlag = input.case_insensitive === true ? 'i' : '';
    // Compiled here in either mode: an invalid pattern is reported before any file is searched.
    const regex = compileRegex(pattern, `${caseFlag}${multiline ? 'gms' : ''}`);
    const root = normalizePath(typeof input.path === 'string' ? input.path : '/');
    const accepts = fileFilter(input.glob, input.type);
    const context = mode === 'content' ? countInput(input.context, 0, 0, MAX_CONTEXT) : 0;
    const headLimit = countInput(input.head_limit, DEFAULT_HEAD_LIMIT, 1);

    const found: FileHits[] = [];
    const out = new Output(headLimit);
    let matches = 0;
    let skippedLarge = 0;
    const search = (file: WalkedFile) => {
      if (file.size > MAX_FILE_BYTES) {
        skippedLarge++;
        return;
      }
      if (!multiline) {
        // Matched by the host, at native speed; only a file with matches is read here, to show its lines.
        const match = tryFsCall(() => fs.match(file.path, pattern, caseFlag));
        if (!match || !('lines' in match) || match.lines.length === 0) return;
        matches += match.lines.length;
        found.push({ path: file.path, mtimeMs: file.mtimeMs, count: match.lines.length });
        if (mode !== 'content') return;
        if (out.full) {
          // Its lines would be cut anyway: counted, not read.
          out.cut = true;
          return;
        }
        const read = tryFsCall(() => fs.readFile(file.path, { as: 'text', maxBytes: MAX_FILE_BYTES }));
        if (read)
          showLines(
            out,
            file.path,
            { lines: splitLines(read.data), matched: match.lines, count: match.lines.length },
            context,
          );
        return;
      }
      const read = tryFsCall(() => fs.readFile(file.path, { as: 'text', maxBytes: MAX_FILE_BYTES }));
      if (!read || read.binary || read.truncated) return;
      const hits = multilineHits(read.data, regex);
      if (hits.matched.length === 0) return;
      matches += hits.count;
      found.push({ path: file.path, mtimeMs: file.mtimeMs, count: hits.count });
      if (mode === 'content') showLines(out, file.path, hits, context);
    };

    const rootStat = fsCall(root, () => fs.stat(root), {
      ENOENT: `Path not found: ${root}.${outsideWorkspaceHint(fs, root)}`,
    });
    let walkTruncated = false;
    if (rootStat.type === 'file') {
      // A file named by path is searched whatever the filters and .gitignore say: it was asked for.
      search({ path: root, size: rootStat.size, mtimeMs: rootStat.mtimeMs });
    } else {
      const tree = fsCall(root, () => fs.walk(root));
      for (const file of tree.files) if (accepts(relativeTo(root, file.path))) search(file);
      walkTruncated = tree.truncated;
    }

    if (mode === 'files_with_matches') {
      found.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      for (const hit of found) out.add(hit.path);
    } else if (mode === 'count') {
      for (const hit of found) out.add(`${hit.path}:${hit.count}`);
    }

    const notes: string[] = [];
    if (out.cut) {
      const shown = countOf(headLimit, mode === 'content' ? 'line' : 'file');
      notes.push(`… output cut at ${shown} (head_limit); raise head_limit or narrow the search to see more.`);
    }
    if (skippedLarge > 0) notes.push(`… skipped ${countOf(skippedLarge, 'file')} over ${formatSize(MAX_FILE_BYTES)}.`);
    if (walkTruncated)
      notes.push(
        `… the search stopped after ${formatCount(MAX_VISITED_ENTRIES)} entries, so some matches may be missing; narrow the path.`,
      );
    const body =
      found.length > 0 ? out.lines : [`No matches for ${JSON.stringify(pattern)} in ${root}${filterNote(input)}.`];
    return {
      content: [...body, ...notes].join('\n'),
      metadata: { matches, files: found.length, truncated: out.cut || walkTruncated },
    };
  });
}

interface FileHits {
  path: string;
  mtimeMs: number;
  count: number;
}

/** The pattern compiled as the host compiles it too (pattern.ts); an invalid one fails the call with its reason. */
function compileRegex(pattern: string, flags: string): RegExp {
  try {
    return compilePattern(pattern, flags);
  } catch (error) {
    fail(
      `Invalid regular expression ${JSON.stringify(pattern)}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** The test a walked file must pass: `glob` (against its path from the search root, or its name when the glob has no `/`) and `type`. */
function fileFilter(glob: unknown, type: unknown): (relative: string) => boolean {
  const tests: ((relative: string) => boolean)[] = [];
  if (typeof glob === 'string' && glob.trim() !== '') {
    // dot: true because grep searches hidden files, so `**/*.yml` should reach `.github/workflows/ci.yml`.
    const matches = picomatch(glob.trim(), { dot: true, windows: false });
    tests.push(glob.includes('/') ? matches : (relative) => matches(baseName(relative)));
  }
  if (typeof type === 'string' && type.trim() !== '') {
    const extensions = extensionsOfType(type);
    if (!extensions)
      fail(
        `Unknown type ${JSON.stringify(type)}. Known types: ${KNOWN_TYPES.join(', ')}; or filter with glob instead.`,
      );
    tests.push((relative) => extensions.has(extensionOf(relative)));
  }
  return (relative) => tests.every((test) => test(relative));
}

function filterNote(input: GrepInput): string {
  const filters = [
    typeof input.glob === 'string' && input.glob ? `glob ${JSON.stringify(input.glob)}` : '',
    typeof input.type === 'string' && input.type ? `type ${input.type}` : '',
  ];
  const used = filters.filter(Boolean);
  return used.length > 0 ? ` (${used.join(', ')})` : '';
}

interface TextHits {
  lines: string[];
  /** 1-based numbers of the lines to show as matching, ascending. */
  matched: number[];
  /** Matching lines, or in multiline mode matches. */
  count: number;
}

/**
 * A multiline search over the whole text (single-line searches are matched by the host, file-scan.ts): every line a
 * match spans is shown as matching; matches come in order, so one cursor counts lines.
 */
function multilineHits(text: string, regex: RegExp): TextHits {
  // Searching LF text lets `$` match at the end of a CRLF line; line numbers do not change.
  const normalized = text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
  const lines = splitLines(normalized);
  const matched: number[] = [];
  let count = 0;
  let line = 1;
  let position = 0;
  const moveTo = (index: number) => {
    for (let nl = normalized.indexOf('\n', position); nl !== -1 && nl < index; nl = normalized.indexOf('\n', nl + 1))
      line++;
    position = Math.max(position, index);
  };
  regex.lastIndex = 0;
  for (let match = regex.exec(normalized); match; match = regex.exec(normalized)) {
    count++;
    moveTo(match.index);
    const first = Math.max(line, (matched.at(-1) ?? 0) + 1);
    moveTo(match.index + Math.max(match[0].length - 1, 0));
    for (let n = first; n <= line; n++) matched.push(n);
    // An empty match would be found again at the same place forever.
    if (match[0] === '') regex.lastIndex++;
  }
  return { lines, matched: matched.filter((n) => n <= lines.length), count };
}

/** Adds a file's matching lines as `path:line:text`, with context lines as `path-line-text`, groups split by `--`. */
function showLines(out: Output, path: string, hits: TextHits, context: number): void {
  const { lines, matched } = hits;
  let next = 0;
  while (next < matched.length && !out.cut) {
    const from = Math.max(1, matched[next]! - context);
    let to = Math.min(lines.length, matched[next]! + context);
    let end = next + 1;
    while (end < matched.length && matched[end]! - context <= to + 1)
      to = Math.min(lines.length, matched[end++]! + context);
    if (context > 0) out.separate();
    for (let n = from, m = next; n <= to; n++) {
      const isMatch = matched[m] === n;
      if (isMatch) m++;
      const mark = isMatch ? ':' : '-';
      if (!out.add(`${path}${mark}${n}${mark}${cutLine(lines[n - 1]!, MAX_SHOWN_LINE_CHARS)}`)) return;
    }
    next = end;
  }
}

/** Output lines up to head_limit; `--` separators do not count and are written only between shown lines. */
class Output {
  readonly lines: string[] = [];
  cut = false;
  private shown = 0;
  private pendingSeparator = false;

  constructor(private readonly limit: number) {}

  separate(): void {
    this.pendingSeparator = this.shown > 0;
  }

  /** Whether another line would be cut: then a file's lines need not be read to be shown. */
  get full(): boolean {
    return this.shown >= this.limit;
  }

  /** False once the limit is reached. */
  add(line: string): boolean {
    if (this.shown >= this.limit) {
      this.cut = true;
      return false;
    }
    if (this.pendingSeparator) this.lines.push('--');
    this.pendingSeparator = false;
    this.lines.push(line);
    this.shown++;
    return true;
  }
}
