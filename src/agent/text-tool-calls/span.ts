// Where a JSON-like value written in a model's text ends. Models write almost-JSON (single quotes, comments), so the
// scan knows both kinds of string and both kinds of comment; it does not check anything else.

const OPEN_BRACE = 123; // {
const OPEN_BRACKET = 91; // [
const CLOSE_BRACE = 125; // }
const CLOSE_BRACKET = 93; // ]
const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;
const BACKSLASH = 92;
const SLASH = 47;
const STAR = 42;
const NEWLINE = 10;

export const opensValue = (text: string, at: number): boolean => {
  const code = text.charCodeAt(at);
  return code === OPEN_BRACE || code === OPEN_BRACKET;
};

/**
 * The index just past the bracket that closes the `{` or `[` at `start`, or -1 when the text (or `limit`) ends first:
 * a value cut short, or missing its last braces. Brackets are counted, not matched: `{]` closes, which repair sorts
 * out later.
 */
export function valueEnd(text: string, start: number, limit = text.length): number {
  let depth = 0;
  for (let i = start; i < limit; i++) {
    const code = text.charCodeAt(i);
    if (code === OPEN_BRACE || code === OPEN_BRACKET) depth++;
    else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      if (--depth === 0) return i + 1;
    } else if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
      i = stringEnd(text, i + 1, code, limit) - 1;
    } else if (code === SLASH && text.charCodeAt(i + 1) === SLASH) {
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? text.length : eol;
    } else if (code === SLASH && text.charCodeAt(i + 1) === STAR) {
      const close = text.indexOf('*/', i + 2);
      i = close === -1 ? text.length : close + 1;
    }
  }
  return -1;
}

/**
 * The index just past the quote that closes a string opened before `from`, or `limit` when none does first. A
 * single-quoted string also ends at a line break: an apostrophe in an unquoted word must not swallow the rest.
 */
export function stringEnd(text: string, from: number, quote: number, limit = text.length): number {
  for (let i = from; i < limit; i++) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH) i++;
    else if (code === quote) return i + 1;
    else if (code === NEWLINE && quote === SINGLE_QUOTE) return i;
  }
  return limit;
}

/** The JSON-like values one after another at `from` (separated by white space, commas or semicolons). */
export function readValues(text: string, from: number, until = text.length): { raws: string[]; end: number } {
  const raws: string[] = [];
  let i = from;
  let end = from;
  for (;;) {
    while (i < until && /[\s,;]/.test(text[i]!)) i++;
    if (i >= until || !opensValue(text, i)) break;
    const close = valueEnd(text, i, until);
    const stop = close === -1 ? until : close;
    raws.push(text.slice(i, stop));
    i = end = stop;
  }
  return { raws, end };
}
