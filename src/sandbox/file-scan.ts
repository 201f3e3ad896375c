import { type ConfinedFs, FsBridgeError } from '../fs/confined-fs';
import { errorMessage } from '../fs/errors';
import { compilePattern } from './guest/pattern';

/**
 * The longest one file's regex scan may run. V8's regex engine cannot be interrupted, so a pattern that backtracks
 * catastrophically is stopped by the pool ending the worker: the scan announces itself in shared memory
 * (`ScanSignal`), and the pool watches it (pool.ts). Ordinary scans of a 5 MB file take tens of milliseconds.
 */
export const SCAN_BUDGET_MS = 2000;

/** Indices in the worker's control words: whether a scan runs now, and which one (so the pool sees a new scan). */
export const CONTROL_SCANNING = 1;
export const CONTROL_SCAN_SEQ = 2;
export const CONTROL_WORDS = 3;

/** How a scan tells the pool it runs; the engine is given one by its worker (a no-op where nothing watches). */
export interface ScanSignal {
  begin(): void;
  end(): void;
}

export type FileMatch = { lines: number[] } | { skipped: 'binary' | 'too large' };

/** Larger files are skipped, as the guest's grep skips them: rarely source, and slow to scan. */
const MAX_FILE_BYTES = 5 * 1024 * 1024;

/**
 * The 1-based numbers of the lines of a file that `pattern` matches, scanned here by V8 rather than in the
 * interpreter: the guest's grep decides what to search and asks for this per file. The pattern is compiled as the
 * guest compiles it (guest/pattern.ts).
 */
export function matchFile(
  fs: ConfinedFs,
  args: { path: string; pattern: string; flags: string },
  signal: ScanSignal,
): FileMatch {
  const read = fs.readFile(args.path, { as: 'text', maxBytes: MAX_FILE_BYTES });
  if (read.binary) return { skipped: 'binary' };
  if (read.truncated) return { skipped: 'too large' };
  signal.begin();
  try {
    return { lines: matchText(read.data, args.pattern, args.flags) };
  } finally {
    signal.end();
  }
}

/** The 1-based numbers of the lines of `text` that `pattern` matches (CRLF read as LF, so `$` matches at line ends). */
export function matchText(text: string, pattern: string, flags: string): number[] {
  const { regex, screen } = compile(pattern, flags);
  const normalized = text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
  if (screen && !screen.test(normalized)) return [];
  const lines = normalized.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const matched: number[] = [];
  lines.forEach((line, i) => {
    if (regex.test(line)) matched.push(i + 1);
  });
  return matched;
}

interface Compiled {
  regex: RegExp;
  /**
   * The pattern with the `m` flag, run once over a whole file: it rules most files out before they are split into
   * lines (`^` and `$` then match at line ends, so a file with a matching line matches too). Patterns with a
   * lookbehind could judge a line differently with its newline in view, so they get none.
   */
  screen: RegExp | null;
}

let last: { key: string; compiled: Compiled } | null = null;

/** The pattern as the guest compiles it; one grep asks for the same pattern file after file, so the last is kept. */
function compile(pattern: string, flags: string): Compiled {
  const key = `${flags}/${pattern}`;
  if (last?.key === key) return last.compiled;
  let regex: RegExp;
  try {
    regex = compilePattern(pattern, flags);
  } catch (error) {
    throw new FsBridgeError('EINVAL', `invalid regular expression: ${errorMessage(error)}`);
  }
  const compiled = { regex, screen: regex.source.includes('(?<') ? null : new RegExp(regex.source, `${regex.flags}m`) };
  last = { key, compiled };
  return compiled;
}
