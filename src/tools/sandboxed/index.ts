import { z } from 'zod';
import type { Sandbox } from '../../sandbox/service';
import type { Tool } from '../tool';
import { bashTool } from './bash';
import { ruleSubject, sandboxError, sandboxedTool } from './sandboxed-tool';

const FilePath = z
  .string()
  .min(1)
  .max(4096)
  .describe('Path of the file: "/" is the workspace root; relative paths start there.');

/** The tools that touch files, fetch URLs or run code: every one runs in the WebAssembly sandbox. */
export function sandboxedTools(sandbox: Sandbox): Tool[] {
  return [
    bashTool(sandbox),
    sandboxedTool(sandbox, {
      name: 'read',
      description:
        'Read a file with line numbers (like cat -n): up to 2,000 lines from `offset` (1-based); page with offset and limit. Lines over 2,000 characters are cut. Images come back as images; other binary files are described.',
      permissionLevel: 'read',
      input: z.strictObject({
        file_path: FilePath,
        offset: z.number().int().min(1).optional().describe('First line to read, 1-based.'),
        limit: z.number().int().min(1).max(20_000).optional().describe('How many lines to read (default 2,000).'),
      }),
      subject: (input) => ruleSubject(input.file_path),
      pathInputs: ['file_path'],
    }),
    sandboxedTool(sandbox, {
      name: 'write',
      description:
        'Write a whole file, creating it and its parent folders if needed and replacing it otherwise. Prefer edit for changes to an existing file. Read a file before overwriting it.',
      permissionLevel: 'write',
      input: z.strictObject({
        file_path: FilePath,
        content: z.string().max(10_000_000).describe('The complete new contents.'),
      }),
      subject: (input) => ruleSubject(input.file_path),
      pathInputs: ['file_path'],
      previewable: true,
    }),
    sandboxedTool(sandbox, {
      name: 'edit',
      description:
        'Replace exact text in a file. `old_string` must match exactly (whitespace included) and be unique unless `replace_all` is set; include surrounding lines to make it unique. Line endings are kept. Read the file first.',
      permissionLevel: 'write',
      input: z.strictObject({
        file_path: FilePath,
        old_string: z.string().min(1).describe('The exact text to replace.'),
        new_string: z.string().describe('The text to put in its place.'),
        replace_all: z.boolean().optional().describe('Replace every occurrence instead of requiring exactly one.'),
      }),
      subject: (input) => ruleSubject(input.file_path),
      pathInputs: ['file_path'],
      previewable: true,
    }),
    sandboxedTool(sandbox, {
      name: 'glob',
      description:
        'Find files by name pattern, e.g. "**/*.ts" or "src/**/test_*.py". Results are paths, newest first. Skips .git, node_modules and whatever .gitignore excludes; long results are cut with a note.',
      permissionLevel: 'read',
      input: z.strictObject({
        pattern: z.string().min(1).max(1000).describe('A glob pattern; ** matches any number of folders.'),
        path: z.string().max(4096).optional().describe('Folder to search under (default: the workspace root).'),
      }),
      subject: (input) => ruleSubject(input.path),
      pathInputs: ['path', 'pattern'],
    }),
    sandboxedTool(sandbox, {
      name: 'grep',
      description:
        'Search file contents with a JavaScript regular expression. output_mode: "files_with_matches" (default), "content" (lines as path:line:text, with `context` lines around) or "count". Filter files by `glob` ("*.ts") or `type` ("py"). Skips binary files, .git, node_modules and gitignored files.',
      permissionLevel: 'read',
      input: z.strictObject({
        pattern: z.string().min(1).max(2000).describe('A JavaScript regular expression (no slashes).'),
        path: z.string().max(4096).optional().describe('File or folder to search (default: the workspace root).'),
        glob: z.string().max(1000).optional(),
        type: z
          .string()
          .max(20)
          .optional()
          .describe('Extension family: js, ts, py, rust, go, java, c, cpp, md, json, yaml, html, css, sh, txt.'),
        output_mode: z.enum(['content', 'files_with_matches', 'count']).optional(),
        context: z
          .number()
          .int()
          .min(0)
          .max(50)
          .optional()
          .describe('Lines of context before and after each match (content mode).'),
        case_insensitive: z.boolean().optional(),
        head_limit: z
          .number()
          .int()
          .min(1)
          .max(10_000)
          .optional()
          .describe('At most this many output lines or files (default 250).'),
        multiline: z.boolean().optional().describe('Let the pattern match across lines.'),
      }),
      subject: (input) => ruleSubject(input.path),
      pathInputs: ['path'],
    }),
    sandboxedTool(sandbox, {
      name: 'web_fetch',
      description:
        'Fetch a URL and return its content, HTML converted to Markdown. Only hosts allowed by the workspace network policy can be reached (Settings → Security); private and local addresses are refused. The text is capped at max_chars.',
      permissionLevel: 'network',
      defer: true,
      input: z.strictObject({
        url: z.string().min(1).max(8192).describe('An http or https URL.'),
        max_chars: z
          .number()
          .int()
          .min(100)
          .max(1_000_000)
          .optional()
          .describe('Cap on the returned text (default 50,000).'),
      }),
      subject: (input) => input.url,
    }),
    sandboxedTool(sandbox, {
      name: 'jsexec',
      description:
        'Run JavaScript (an ES module) in an isolated QuickJS interpreter and return the value of its exported `main` function (awaited if async) together with its console output. No files or network unless the workspace grants them to jsexec; no Node APIs. Time, memory and stack are limited. Example: export function main() { return [1,2,3].map(x => x * 2) }',
      permissionLevel: 'execute',
      defer: true,
      input: z.strictObject({
        code: z.string().min(1).max(1_000_000).describe('The module source; export a main function.'),
      }),
      present: (result) => {
        const error = sandboxError(result.output);
        const consoleText = result.stderr ? `Console output:\n${result.stderr}\n\n` : '';
        if (result.exitCode !== 0)
          return { content: `${consoleText}The code threw: ${error ?? 'unknown error'}`, isError: true };
        // A string is shown as its text: a long one keeps its lines, so its saved copy can be read in pages.
        if (typeof result.output === 'string')
          return { content: `${consoleText}main() returned a string:\n${result.output}` };
        const value = result.output === undefined ? 'undefined' : JSON.stringify(result.output, null, 2);
        return { content: `${consoleText}main() returned: ${value}` };
      },
    }),
  ];
}
