import { type ConfinedFs, FsBridgeError } from '../fs/confined-fs';
import { errorMessage } from '../fs/errors';

/**
 * The longest one file's regex scan may run. V8's regex engine cannot be interrupted, so a pattern that backtracks
 * catastrophically is stopped by the pool ending the worker: the scan announces itself in shared memory
 * (`ScanSignal`), and the pool watches it (pool.ts). Ordinary scans of a 5 MB file take tens of milliseconds.
 */
export const SCAN_BUDGET_MS = 2000;

/** Indices in the worker's control words: whether a scan runs now, and which one (so the pool sees a new scan). */
export const CONTROL_SCANNING = 2;
export const CONTROL_SCAN_SEQ = 3;
export const CONTROL_WORDS = 4;

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
 * interpreter: the guest's grep decides what to search and asks for this per file. The pattern is tried with the
 * `u` flag first, then without, as the guest compiles it.
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

/** The lines of `text` that `pattern` matches, compiled as the guest compiles it. */
export function matchText(text: string, pattern: string, flags: string): number[] {
  return matchingLines(text, compile(pattern, flags));
}

/** The 1-based numbers of the lines of `text` that `regex` matches (CRLF read as LF, so `$` matches at line ends). */
function matchingLines(text: string, regex: RegExp): number[] {
  const normalized = text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
  // One pass over the whole text rules most files out before they are split into lines (the `m` flag lets `^` and
  // `$` match at line ends, so a file with a matching line matches too; patterns with lookbehind get no screen).
  const screen = regex.source.includes('(?<') ? null : new RegExp(regex.source, `${regex.flags}m`);
  if (screen && !screen.test(normalized)) return [];
  const lines = normalized.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const matched: number[] = [];
  lines.forEach((line, i) => {
    if (regex.test(line)) matched.push(i + 1);
  });
  return matched;
}

let last: { key: string; regex: RegExp } | null = null;

/** The pattern as the guest compiles it; one grep asks for the same pattern file after file, so the last is kept. */
function compile(pattern: string, flags: string): RegExp {
  const key = `${flags}/${pattern}`;
  if (last?.key === key) return last.regex;
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, `${flags}u`);
  } catch {
    // Retried without the u flag, which accepts the looser syntax models often write.
    try {
      regex = new RegExp(pattern, flags);
    } catch (error) {
      throw new FsBridgeError('EINVAL', `invalid regular expression: ${errorMessage(error)}`);
    }
  }
  last = { key, regex };
  return regex;
}
