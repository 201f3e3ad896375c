import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { z } from 'zod';
import { type Tool, defineTool } from '../../src/tools/tool';

/**
 * A stand-in `write` tool for permission tests: it writes a file under `root` and offers a diff preview. The
 * product's own sandboxed write tool is tested with the sandbox.
 */
export function testWriteTool(root: string): Tool {
  const resolve = (path: string) => join(root, normalize(path).replace(/^(\.\.[/\\])+/, ''));
  return defineTool({
    name: 'write',
    description: 'Write a file (test tool).',
    permissionLevel: 'write',
    input: z.strictObject({ file_path: z.string(), content: z.string() }),
    subject: ({ file_path }) => file_path.replace(/^\/+/, ''),
    preview: async ({ file_path, content }) => ({ kind: 'diff', path: file_path, before: await readFile(resolve(file_path), 'utf8').catch(() => ''), after: content }),
    async execute({ file_path, content }) {
      await mkdir(dirname(resolve(file_path)), { recursive: true });
      await writeFile(resolve(file_path), content);
      return { content: `Wrote ${content.length} characters to ${file_path}.` };
    },
  });
}

/** Many tools from a pretend MCP server, to make the run defer them. */
export function fakeMcpTools(count: number): Tool[] {
  return Array.from({ length: count }, (_, i) =>
    defineTool({
      name: `mcp__fake__tool_${i}`,
      description: i === 7 ? 'Looks up the weather forecast for a city.' : `Fake MCP tool number ${i}.`,
      permissionLevel: 'read',
      source: 'mcp',
      input: z.strictObject({ city: z.string().optional() }),
      async execute() {
        return { content: `fake tool ${i} ran` };
      },
    }),
  );
}
