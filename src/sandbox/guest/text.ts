/** Text helpers the tools share; written by hand because the guest has no TextEncoder or Intl. */

/** `12345` → `12,345`. */
export function formatCount(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `1 line`, `2 lines`, `1,234 lines`: a count with its noun, plural when it is not one. */
export function countOf(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** A byte count for people: `812 bytes`, `4.2 KB`, `10 MB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${formatCount(bytes)} bytes`;
  const inKb = bytes < 1024 * 1024;
  const value = inKb ? bytes / 1024 : bytes / (1024 * 1024);
  return `${value.toFixed(1).replace(/\.0$/, '')} ${inKb ? 'KB' : 'MB'}`;
}

/** How many bytes `text` takes as UTF-8 (a lone surrogate is written as U+FFFD, three bytes). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Whether a UTF-16 unit is the second half of a surrogate pair (a cut just before it would split a character). */
export function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** The first `max` UTF-16 units of `text`, one fewer when the cut would split a surrogate pair. */
export function prefixOf(text: string, max: number): string {
  if (text.length <= max) return text;
  return text.slice(0, isLowSurrogate(text.charCodeAt(max)) ? max - 1 : max);
}

/** The lines of `text`, without their `\n` or `\r\n`; a final line break does not start another line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  // A plain string split is much faster in QuickJS than a regex one; CR is removed only where there is one.
  const lines = (text.includes('\r') ? text.replace(/\r\n/g, '\n') : text).split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** The 1-based number of the line holding `text[index]`. */
export function lineNumberAt(text: string, index: number): number {
  let line = 1;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < index; nl = text.indexOf('\n', nl + 1)) line++;
  return line;
}

/** A line shortened to `max` characters, saying how long it really is. */
export function cutLine(line: string, max: number): string {
  return line.length <= max ? line : `${prefixOf(line, max)}… [line cut: ${formatCount(line.length)} characters]`;
}

export const MAX_LINE_CHARS = 2000;

/** One line as `cat -n` shows it: the right-aligned number, a tab, the line (long lines cut). */
export function numberedLine(lineNumber: number, line: string): string {
  return `${String(lineNumber).padStart(6)}\t${cutLine(line, MAX_LINE_CHARS)}`;
}
