import { type ParseError, findNodeAtLocation, parse, parseTree, printParseErrorCode, visit } from 'jsonc-parser';
import type { z } from 'zod';
import { type JsonPath, PROTOTYPE_KEYS, prototypeKeyProblem } from './prototype-keys';

/** A JSON file that failed to parse or validate, described so a person can find and fix the problem. */
export class JsonFileError extends Error {
  override readonly name = 'JsonFileError';
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly line?: number,
    readonly field?: string,
  ) {
    const where = [line !== undefined ? `line ${line}` : '', field ? `field "${field}"` : '']
      .filter(Boolean)
      .join(', ');
    super(`${file}${where ? ` (${where})` : ''}: ${problem}`);
  }
}

export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

/** Strict JSON: comments, trailing commas and prototype keys are errors, reported with their line. */
export function parseJsonText(file: string, text: string): unknown {
  if (text.trim() === '') throw new JsonFileError(file, 'the file is empty; it must hold a JSON object such as {}');
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, STRICT);
  const first = errors[0];
  if (!first) {
    refusePrototypeKeys(file, text);
    return value;
  }
  const before = text.slice(0, first.offset).trimEnd();
  if (before.endsWith(',') && /^\s*[}\]]/.test(text.slice(first.offset))) {
    throw new JsonFileError(
      file,
      'invalid JSON: trailing comma (JSON allows no comma after the last item)',
      lineOf(text, before.length - 1),
    );
  }
  throw new JsonFileError(file, `invalid JSON: ${describeParseError(first)}`, lineOf(text, first.offset));
}

/**
 * The parser assigns each key, so a `__proto__` key has already replaced an object's prototype in the value: the
 * file is refused, never used, naming the first such key where it stands.
 */
function refusePrototypeKeys(file: string, text: string): void {
  let found: { path: JsonPath; line: number } | undefined;
  visit(
    text,
    {
      onObjectProperty(property, _offset, _length, startLine, _startCharacter, pathSupplier) {
        if (!found && PROTOTYPE_KEYS.has(property))
          found = { path: [...pathSupplier(), property], line: startLine + 1 };
      },
    },
    STRICT,
  );
  if (found)
    throw new JsonFileError(file, prototypeKeyProblem(String(found.path.at(-1))), found.line, fieldPath(found.path));
}

function describeParseError(error: ParseError): string {
  const code = printParseErrorCode(error.error);
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** Dotted path of a zod issue, as a user would write it (`providers.ollama.baseURL`). */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part) => (typeof part === 'number' ? `[${part}]` : String(part)))
    .join('.')
    .replace(/\.\[/g, '[');
}

/** The first problem zod found, as a field path and a sentence. */
export function describeFirstIssue(error: z.ZodError): {
  field: string;
  problem: string;
  path: readonly PropertyKey[];
} {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const path = [...issue.path, issue.keys[0]!];
    return {
      field: fieldPath(path),
      problem: `unknown field${issue.keys.length > 1 ? `s ${issue.keys.join(', ')}` : ''}; check the spelling`,
      path,
    };
  }
  return { field: fieldPath(issue.path), problem: issue.message, path: issue.path };
}

/** Validates parsed JSON against a schema; the first problem is reported with its field and, when found, its line. */
export function validateJson<S extends z.ZodType>(file: string, text: string, value: unknown, schema: S): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { field, problem, path } = describeFirstIssue(result.error);
  const node = findNodeAtLocation(
    parseTree(text)!,
    path.filter((p): p is string | number => typeof p !== 'symbol'),
  );
  const line = node ? lineOf(text, node.parent?.type === 'property' ? node.parent.offset : node.offset) : undefined;
  throw new JsonFileError(file, problem, line, field || undefined);
}
