import { asGuestFsError, fsCall } from './fs-errors';
import type { GuestFs } from './guest-fs';
import { changeOf } from './patch';
import { normalizePath } from './paths';
import { type DiffPreview, type GuestPreview, type ToolResult, fail, runPreview, runTool, stringInput } from './result';
import { countOf, formatSize, splitLines, utf8Length } from './text';

export interface WriteInput {
  file_path: string;
  content: string;
}

/** Previews show at most this much of the current file; a bigger one is summarised. */
const MAX_PREVIEW_BYTES = 10 * 1024 * 1024;

function checkedInput(input: WriteInput): { path: string; content: string } {
  const path = normalizePath(stringInput(input.file_path, 'file_path'));
  if (path === '/') fail('file_path names the workspace root, which is a folder.');
  return { path, content: stringInput(input.content, 'content', { allowEmpty: true }) };
}

/** Writes a whole file, creating it and its parent folders when missing. */
export function write(fs: GuestFs, input: WriteInput): ToolResult {
  return runTool(() => {
    const { path, content } = checkedInput(input);
    const before = currentText(fs, path);
    const { created } = fsCall(path, () => fs.writeFile(path, content));
    const bytes = utf8Length(content);
    const lines = splitLines(content).length;
    return {
      content: `${created ? 'Created' : 'Overwrote'} ${path} (${countOf(bytes, 'byte')}, ${countOf(lines, 'line')}).`,
      metadata: { path, created, bytes, lines, ...changeOf(path, before, content) },
    };
  });
}

/** The file as it is now and as the write would leave it; an error when the write cannot happen. */
export function previewWrite(fs: GuestFs, input: WriteInput): GuestPreview {
  return runPreview((): DiffPreview => {
    const { path, content } = checkedInput(input);
    return { kind: 'diff', path, before: currentText(fs, path), after: content };
  });
}

/** The text a write would replace: '' for a new file, a placeholder for one that cannot be shown as text. */
function currentText(fs: GuestFs, path: string): string {
  const file = fsCall(path, () => {
    try {
      return fs.readFile(path, { as: 'text', maxBytes: MAX_PREVIEW_BYTES });
    } catch (error) {
      if (asGuestFsError(error)?.code === 'ENOENT') return undefined;
      throw error;
    }
  });
  if (!file) return '';
  if (file.binary) return '[binary file]';
  if (file.truncated) return `[file too large to show: ${formatSize(file.size)}]`;
  return file.data;
}
