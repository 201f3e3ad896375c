import { z } from 'zod';
import { type Tool, defineTool } from '../tool';

const MAX_RESULTS = 10;

function score(tool: Tool, words: string[]): number {
  const name = tool.name.toLowerCase();
  const text = tool.description.toLowerCase();
  return words.reduce(
    (sum, word) => sum + (name === word ? 10 : name.includes(word) ? 5 : 0) + (text.includes(word) ? 1 : 0),
    0,
  );
}

const DESCRIPTION = 'Find tools by keywords: returns their descriptions and input schemas, and makes them callable.';

/** Made once: every run's selection adds it, and converting its schema for the model is not free. */
const TOOL_SEARCH = defineTool({
  name: 'tool_search',
  description: DESCRIPTION,
  permissionLevel: 'read',
  input: z.strictObject({
    query: z.string().min(1).max(200).describe('Keywords, or a tool name.'),
    limit: z.number().int().min(1).max(MAX_RESULTS).default(5),
  }),
  async execute({ query, limit }, ctx) {
    const words = query
      .toLowerCase()
      .split(/[\s,]+/)
      .filter(Boolean);
    const found = ctx.catalog
      .all()
      .filter((t) => t.name !== 'tool_search')
      .map((tool) => ({ tool, score: score(tool, words) }))
      .filter((m) => m.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, limit)
      .map((m) => m.tool);
    if (found.length === 0) return { content: `No tool matches "${query}".` };
    const hidden = new Set(ctx.catalog.deferred());
    ctx.catalog.reveal(found.map((t) => t.name).filter((n) => hidden.has(n)));
    const text = found
      .map(
        (t) => `## ${t.name} (${t.permissionLevel})\n${t.description}\nInput schema: ${JSON.stringify(t.inputSchema)}`,
      )
      .join('\n\n');
    return { content: `${text}\n\nThese tools can be called now.`, metadata: { tools: found.map((t) => t.name) } };
  },
});

/**
 * Keyword search over the run's tools. When there are many (MCP servers), most are offered to the model by name
 * only, listed in this tool's description; searching shows their full descriptions and input schemas and makes
 * them callable.
 */
export function toolSearchTool(deferred: readonly string[]): Tool {
  if (deferred.length === 0) return TOOL_SEARCH;
  return {
    ...TOOL_SEARCH,
    description: `${DESCRIPTION} Offered by name only until found: ${deferred.join(', ')}.`,
  };
}
