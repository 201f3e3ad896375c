import { z } from 'zod';
import { type Tool, defineTool } from '../../src/tools/tool';

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
