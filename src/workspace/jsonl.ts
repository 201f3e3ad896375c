export interface JsonlLine {
  /** 1-based line number in the file. */
  line: number;
  value: unknown;
}

export interface JsonlParse {
  lines: JsonlLine[];
  /** Lines that could not be used, described for the user. */
  problems: string[];
  /** The file does not end in a newline: its last line was cut off by a crash. */
  tornTail: boolean;
}

/**
 * Splits on LF only (JSON strings may hold U+2028/U+2029, which readline would split on) and parses each line.
 * A broken line is reported and skipped; nothing here throws on bad content.
 */
export function parseJsonl(text: string): JsonlParse {
  const lines: JsonlLine[] = [];
  const problems: string[] = [];
  const parts = text.split('\n');
  const tornTail = parts.at(-1) !== '';
  if (!tornTail) parts.pop();
  parts.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const isLast = index === parts.length - 1;
    try {
      lines.push({ line, value: JSON.parse(raw) as unknown });
    } catch {
      problems.push(
        isLast && tornTail
          ? `line ${line} was cut off (an interrupted write) and was skipped`
          : `line ${line} is not valid JSON and was skipped`,
      );
    }
  });
  return { lines, problems, tornTail };
}
