import { YAMLError, parse, stringify } from 'yaml';
import { prototypeKeyPath, prototypeKeyProblem } from './prototype-keys';

/** A Markdown file whose YAML front matter could not be read; `line` is the file's line (1-based) when known. */
export class FrontMatterError extends Error {
  override readonly name = 'FrontMatterError';
  constructor(
    readonly problem: string,
    readonly line?: number,
  ) {
    super(line !== undefined ? `line ${line}: ${problem}` : problem);
  }
}

const OPENING = /^\uFEFF?---[ \t]*\r?\n/;
const CLOSING = /^---[ \t]*$/m;

/**
 * Splits a Markdown file into its YAML front matter (between `---` lines at the top) and its body. YAML is read with
 * the core schema only: no custom tags, nothing evaluated, aliases bounded, keys unique, and no prototype keys.
 */
export function readFrontMatter(text: string): { data: Record<string, unknown>; body: string } {
  const opening = OPENING.exec(text);
  if (!opening) throw new FrontMatterError('the file must start with front matter between two "---" lines', 1);
  const rest = text.slice(opening[0].length);
  const closing = CLOSING.exec(rest);
  if (!closing) throw new FrontMatterError('the front matter has no closing "---" line');
  const yaml = rest.slice(0, closing.index);
  const body = rest.slice(closing.index + closing[0].length).replace(/^\r?\n/, '');
  let data: unknown;
  try {
    // Errors only: an unknown tag is kept as the text it tags (never run), and needs no warning on stderr.
    data = parse(yaml, { schema: 'core', uniqueKeys: true, maxAliasCount: 100, prettyErrors: true, logLevel: 'error' });
  } catch (error) {
    if (!(error instanceof YAMLError)) throw error;
    const line = error.linePos?.[0].line;
    throw new FrontMatterError(
      `invalid YAML: ${error.message.split('\n')[0]}`,
      line === undefined ? undefined : line + 1,
    );
  }
  if (data === null || data === undefined) data = {};
  if (!isRecord(data)) throw new FrontMatterError('the front matter must be a set of "key: value" lines', 2);
  const bad = prototypeKeyPath(data);
  if (bad) throw new FrontMatterError(`${prototypeKeyProblem(String(bad.at(-1)))} (at ${bad.join('.')})`);
  return { data, body };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A Markdown file with `data` as its front matter (fields left undefined are omitted) and `body` below it. */
export function writeFrontMatter(data: Record<string, unknown>, body: string): string {
  const defined = Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined));
  const text = body.endsWith('\n') || body === '' ? body : `${body}\n`;
  return `---\n${stringify(defined, { lineWidth: 0 })}---\n${text}`;
}
