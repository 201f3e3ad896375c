import { fsCall, outsideWorkspaceHint } from './fs-errors';
import type { GuestFs } from './guest-fs';
import { changeOf } from './patch';
import { normalizePath } from './paths';
import { type DiffPreview, type GuestPreview, type ToolResult, fail, runPreview, runTool, stringInput } from './result';
import { countOf, formatCount, formatSize, lineNumberAt, numberedLine, splitLines } from './text';

export interface EditInput {
  file_path: string;
  old_string: string;
  new_string: string;
  replace_all?: boolean;
}

/** The most of a file the guest edits; a larger one would be cut short when written back. */
const MAX_EDIT_BYTES = 10 * 1024 * 1024;
/** Lines shown around the change in the result. */
const SNIPPET_CONTEXT = 3;
const SNIPPET_MAX_LINES = 30;

/** An edit worked out but not yet written. */
interface PlannedEdit {
  path: string;
  before: string;
  after: string;
  replacements: number;
  /** Where the first replacement starts in `after`, and how long the text put there is. */
  at: number;
  length: number;
}

/** Replaces an exact string in a file: once when it is unique, or every occurrence with replace_all. */
export function edit(fs: GuestFs, input: EditInput): ToolResult {
  return runTool(() => {
    const plan = planEdit(fs, input);
    fsCall(plan.path, () => fs.writeFile(plan.path, plan.after));
    const what =
      plan.replacements === 1 ? 'Replaced 1 occurrence' : `Replaced all ${formatCount(plan.replacements)} occurrences`;
    const which = plan.replacements === 1 ? '' : ' (the first replacement)';
    return {
      content: `${what} in ${plan.path}. The changed area${which} now reads:\n${snippet(plan)}`,
      metadata: {
        path: plan.path,
        replacements: plan.replacements,
        line: lineNumberAt(plan.after, plan.at),
        ...changeOf(plan.path, plan.before, plan.after),
      },
    };
  });
}

/**
 * The file before and after the edit. An edit that would fail (missing file, text not found, ambiguous match)
 * gives a PreviewError carrying the message `edit` would return, rather than a diff nobody should approve.
 */
export function previewEdit(fs: GuestFs, input: EditInput): GuestPreview {
  return runPreview((): DiffPreview => {
    const { path, before, after } = planEdit(fs, input);
    return { kind: 'diff', path, before, after };
  });
}

function planEdit(fs: GuestFs, input: EditInput): PlannedEdit {
  const path = normalizePath(stringInput(input.file_path, 'file_path'));
  const oldString = stringInput(input.old_string, 'old_string', { allowEmpty: true });
  const newString = stringInput(input.new_string, 'new_string', { allowEmpty: true });
  if (oldString === '') fail('old_string is empty. To create a file or replace all of its content, use write.');
  if (oldString === newString) fail('old_string and new_string are the same; the edit would change nothing.');

  const before = readForEdit(fs, path);
  const match = findMatch(before, oldString, newString);
  if (!match)
    fail(
      `old_string was not found in ${path}. Read the file to see its current text; the match must be exact, including whitespace and indentation.`,
    );
  if (match.count > 1 && input.replace_all !== true) {
    fail(
      `old_string occurs ${formatCount(match.count)} times in ${path}. Include more of the surrounding text to pick one, or set replace_all to replace every occurrence.`,
    );
  }

  // split/join and slicing rather than String.replace, which would treat `$&` and friends in new_string specially.
  const after =
    match.count > 1
      ? before.split(match.oldText).join(match.newText)
      : before.slice(0, match.first) + match.newText + before.slice(match.first + match.oldText.length);
  return { path, before, after, replacements: match.count, at: match.first, length: match.newText.length };
}

function readForEdit(fs: GuestFs, path: string): string {
  const file = fsCall(path, () => fs.readFile(path, { as: 'text', maxBytes: MAX_EDIT_BYTES }), {
    ENOENT: `File not found: ${path}.${outsideWorkspaceHint(fs, path) || ' To create a file, use write.'}`,
    EISDIR: `${path} is a folder, not a file.`,
  });
  if (file.binary) fail(`${path} is a binary file; edit changes text files only.`);
  if (file.truncated)
    fail(`${path} is ${formatSize(file.size)}; files up to ${formatSize(MAX_EDIT_BYTES)} can be edited.`);
  return file.data;
}

interface Match {
  oldText: string;
  newText: string;
  count: number;
  first: number;
}

/**
 * Finds old_string in the file, keeping its line endings: in a CRLF file the model's `\n` stands for `\r\n`.
 * If that form is absent the text is tried as given, which is what matches in a file with mixed line endings.
 */
function findMatch(text: string, oldString: string, newString: string): Match | undefined {
  const forms = usesCrlf(text)
    ? [[toCrlf(oldString), toCrlf(newString)] as const, [oldString, newString] as const]
    : [[oldString, newString] as const];
  for (const [oldText, newText] of forms) {
    const first = text.indexOf(oldText);
    if (first === -1) continue;
    let count = 0;
    for (let at = first; at !== -1; at = text.indexOf(oldText, at + oldText.length)) count++;
    return { oldText, newText, count, first };
  }
  return undefined;
}

/** A file uses CRLF when its first line ends so; editors decide the same way. */
function usesCrlf(text: string): boolean {
  const newline = text.indexOf('\n');
  return newline > 0 && text[newline - 1] === '\r';
}

/** `\n` → `\r\n`, leaving existing `\r\n` alone. */
function toCrlf(text: string): string {
  return text.replace(/(?<!\r)\n/g, '\r\n');
}

/** The lines around the first replacement, numbered like read shows them. */
function snippet(plan: PlannedEdit): string {
  const lines = splitLines(plan.after);
  const firstChanged = lineNumberAt(plan.after, plan.at);
  const lastChanged = lineNumberAt(plan.after, plan.at + Math.max(plan.length - 1, 0));
  const from = Math.max(1, firstChanged - SNIPPET_CONTEXT);
  const to = Math.min(lines.length, lastChanged + SNIPPET_CONTEXT, from + SNIPPET_MAX_LINES - 1);
  const out: string[] = [];
  for (let n = from; n <= to; n++) out.push(numberedLine(n, lines[n - 1]!));
  if (to < lastChanged) out.push(`… ${countOf(lastChanged - to, 'more changed line')}`);
  if (out.length === 0) out.push('(the file is now empty)');
  return out.join('\n');
}
