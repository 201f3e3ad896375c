import { fsCall, outsideWorkspaceHint } from './fs-errors';
import type { GuestFs } from './guest-fs';
import { extensionOf, normalizePath } from './paths';
import { type ToolResult, countInput, fail, runTool, stringInput } from './result';
import { countOf, formatCount, formatSize, numberedLine, splitLines } from './text';

export interface ReadInput {
  file_path: string;
  offset?: number;
  limit?: number;
}

const DEFAULT_LIMIT = 2000;
/** The most of a text file the guest holds in memory; lines past it cannot be read. */
const MAX_TEXT_BYTES = 10 * 1024 * 1024;
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Stops one read from flooding the model's context (2,000 minified lines would be 4 million characters). */
const MAX_OUTPUT_CHARS = 256_000;

/** Images the model can look at, by extension. */
const IMAGE_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

/** Reads a file: text as numbered lines, images as image blocks, other binary files only described. */
export function read(fs: GuestFs, input: ReadInput): ToolResult {
  return runTool(() => {
    const path = normalizePath(stringInput(input.file_path, 'file_path'));
    if (path === '/') fail('file_path names the workspace root, which is a folder. To list files, use glob.');
    const mediaType = IMAGE_TYPES[extensionOf(path)];
    return mediaType ? readImage(fs, path, mediaType) : readText(fs, path, input);
  });
}

function readFile(fs: GuestFs, path: string, as: 'text' | 'base64', maxBytes: number) {
  return fsCall(path, () => fs.readFile(path, { as, maxBytes }), {
    ENOENT: `File not found: ${path}.${outsideWorkspaceHint(fs, path)}`,
    EISDIR: `${path} is a folder, not a file. To list its files, use glob with path "${path}" and pattern "*" (or "**/*" to go deeper).`,
  });
}

function emptyFile(path: string): ToolResult {
  return { content: `${path} is empty (0 bytes).`, metadata: { path, lines: 0, totalLines: 0, truncated: false } };
}

function readImage(fs: GuestFs, path: string, mediaType: string): ToolResult {
  const file = readFile(fs, path, 'base64', MAX_IMAGE_BYTES);
  if (file.size === 0) return emptyFile(path);
  if (file.truncated)
    fail(`Image ${path} is ${formatSize(file.size)}; images up to ${formatSize(MAX_IMAGE_BYTES)} can be shown.`);
  return {
    content: [
      { type: 'image', data: file.data, mediaType },
      { type: 'text', text: `Image ${path} (${mediaType}, ${countOf(file.size, 'byte')}).` },
    ],
    metadata: { path, mediaType, size: file.size },
  };
}

function readText(fs: GuestFs, path: string, input: ReadInput): ToolResult {
  const file = readFile(fs, path, 'text', MAX_TEXT_BYTES);
  if (file.binary)
    return {
      content: `Binary file ${path} (${countOf(file.size, 'byte')}); not shown.`,
      metadata: { path, size: file.size, binary: true },
    };
  if (file.size === 0) return emptyFile(path);

  const lines = splitLines(file.data);
  // The host stopped mid-file, so the last line read is probably cut short: leave it out unless it is all there is.
  if (file.truncated && lines.length > 1 && !file.data.endsWith('\n')) lines.pop();
  const readable = file.truncated
    ? `${path} is ${formatSize(file.size)}; only its first ${formatSize(MAX_TEXT_BYTES)} (${countOf(lines.length, 'line')}) can be read.`
    : '';

  const start = countInput(input.offset, 1, 1);
  const limit = countInput(input.limit, DEFAULT_LIMIT, 1);
  if (start > lines.length)
    fail(readable || `${path} has ${countOf(lines.length, 'line')}; offset ${formatCount(start)} is past its end.`);

  const out: string[] = [];
  let chars = 0;
  let next = start;
  while (next <= lines.length && next < start + limit) {
    const line = numberedLine(next, lines[next - 1]!);
    // Lines are cut at 2,000 characters, so the first always fits and every read makes progress.
    if (chars + line.length > MAX_OUTPUT_CHARS) break;
    out.push(line);
    chars += line.length + 1;
    next++;
  }

  const remaining = lines.length - next + 1;
  if (remaining > 0)
    out.push(
      `… ${formatCount(remaining)}${file.truncated ? '+' : ''} more ${remaining === 1 && !file.truncated ? 'line' : 'lines'}; continue with offset=${next}`,
    );
  else if (readable) out.push(`… ${readable}`);
  return {
    content: out.join('\n'),
    metadata: { path, lines: next - start, totalLines: lines.length, truncated: remaining > 0 || file.truncated },
  };
}
