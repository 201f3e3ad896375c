import { JSONRepairError, jsonrepair } from 'jsonrepair';
import { stringEnd } from './span';

/** A parsed value and the repairs it needed, or why it could not be parsed ("Colon expected at character 12"). */
export type Parsed = { ok: true; value: unknown; repairs: string[] } | { ok: false; reason: string };

/**
 * Parses JSON as small models write it. Valid JSON costs one JSON.parse; anything else goes through jsonrepair
 * (trailing commas, single quotes, unquoted keys, missing brackets, Python literals, comments, raw line breaks in
 * strings), and the repairs are named in words from a scan of the original, for the model and the user to see.
 */
export function parseAlmostJson(raw: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(raw), repairs: [] };
  } catch {
    // Not strict JSON: the repair below either fixes it or says what is wrong.
  }
  let repaired: string;
  try {
    repaired = jsonrepair(raw);
  } catch (error) {
    // Where it went wrong, as an excerpt: the model can find that, not a character count.
    const where = error instanceof JSONRepairError ? ` near \`${excerpt(raw, error.position)}\`` : '';
    const what = error instanceof Error ? error.message.replace(/ at position \d+$/, '') : String(error);
    return { ok: false, reason: `${what}${where}` };
  }
  const repairs = describeRepairs(raw);
  return { ok: true, value: JSON.parse(repaired), repairs: repairs.length ? repairs : ['repaired malformed JSON'] };
}

const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;
const PYTHON_LITERALS = new Set(['True', 'False', 'None']);
const JSON_LITERALS = new Set(['true', 'false', 'null']);
const WORD = /[A-Za-z_$][\w$]*/y;
const NUMBER = /-?[\d.]+(?:[eE][+-]?\d+)?/y;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * What jsonrepair will have had to fix in `raw`, in words ("removed a trailing comma", "closed 1 brace"). A scan
 * of tokens, not a parser: it may miss a fix, never invents one for valid JSON.
 */
export function describeRepairs(raw: string): string[] {
  const found = new Set<string>();
  const open: string[] = [];
  /** Brackets the repair has to close. */
  const closed: string[] = [];
  // A value has just ended, so a comma, colon or closing bracket should come next.
  let afterValue = false;
  const value = () => {
    if (afterValue) found.add('added a missing comma');
    afterValue = true;
  };
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === '"' || c === "'" || c === '“' || c === '‘') {
      value();
      const curly = c === '“' || c === '‘';
      if (c === "'") found.add('replaced single quotes with double quotes');
      if (curly) found.add('replaced curly quotes with straight ones');
      const close = c === '“' ? '”' : c === '‘' ? '’' : c;
      const end = curly ? curlyEnd(raw, i + 1, close) : stringEnd(raw, i + 1, raw.charCodeAt(i));
      if (end - 1 === i || raw[end - 1] !== close) found.add('closed an unterminated string');
      if (c === '"' && raw.slice(i, end).includes('\n')) found.add('escaped line breaks inside a string');
      i = end;
    } else if (c === '/' && (raw[i + 1] === '/' || raw[i + 1] === '*')) {
      found.add('removed comments');
      const close = raw[i + 1] === '/' ? raw.indexOf('\n', i) : raw.indexOf('*/', i + 2);
      i = close === -1 ? raw.length : close + (raw[i + 1] === '/' ? 0 : 2);
    } else if (c === '{' || c === '[') {
      if (afterValue) found.add('added a missing comma');
      afterValue = false;
      open.push(c);
      i++;
    } else if (c === '}' || c === ']') {
      const opener = c === '}' ? '{' : '[';
      const at = open.lastIndexOf(opener);
      if (at === -1) found.add(`removed an extra ${c}`);
      // Brackets left open inside this one were closed by the repair, as those open at the end are.
      else closed.push(...open.splice(at).slice(1));
      afterValue = true;
      i++;
    } else if (c === ',') {
      const next = /\S/.exec(raw.slice(i + 1, i + 200))?.[0];
      if (next === '}' || next === ']' || next === undefined) found.add('removed a trailing comma');
      afterValue = false;
      i++;
    } else if (c === ':') {
      afterValue = false;
      i++;
    } else {
      const wordEnd = matchEnd(WORD, raw, i);
      const numberEnd = wordEnd === -1 ? matchEnd(NUMBER, raw, i) : -1;
      if (wordEnd !== -1) {
        const word = raw.slice(i, wordEnd);
        const isKey = /^\s*:/.test(raw.slice(wordEnd, wordEnd + 50));
        if (afterValue) found.add('added a missing comma');
        afterValue = !isKey;
        if (isKey) found.add('quoted keys');
        else if (PYTHON_LITERALS.has(word)) found.add('turned Python True/False/None into JSON');
        else if (!JSON_LITERALS.has(word)) found.add('quoted a bare word');
        i = wordEnd;
      } else if (numberEnd !== -1) {
        value();
        i = numberEnd;
      } else i++;
    }
  }
  closed.push(...open);
  const braces = closed.filter((c) => c === '{').length;
  const brackets = closed.length - braces;
  if (braces && brackets) found.add(`closed ${plural(braces, 'brace')} and ${plural(brackets, 'bracket')}`);
  else if (braces) found.add(`closed ${plural(braces, 'brace')}`);
  else if (brackets) found.add(`closed ${plural(brackets, 'bracket')}`);
  return [...found];
}

function excerpt(raw: string, at: number): string {
  const start = Math.max(0, at - 20);
  return `${start > 0 ? '…' : ''}${raw.slice(start, at + 10)}${at + 10 < raw.length ? '…' : ''}`;
}

/** The index just past the curly quote `close` from `from` on, or the text's length. */
function curlyEnd(raw: string, from: number, close: string): number {
  const at = raw.indexOf(close, from);
  return at === -1 ? raw.length : at + 1;
}

/** Where `pattern` (sticky) matches at `at` ends, or -1. */
function matchEnd(pattern: RegExp, raw: string, at: number): number {
  pattern.lastIndex = at;
  return pattern.test(raw) ? pattern.lastIndex : -1;
}
