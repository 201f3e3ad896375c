import { createHash } from 'node:crypto';

/** Tool names providers accept: letters, digits, `_` and `-`, at most 64. */
const MAX_NAME = 64;

/** Our name for a server's tool: `mcp__SERVER__TOOL`, sanitised and, when too long, shortened with a hash that keeps it unique. */
export function mcpToolName(server: string, tool: string): string {
  const clean = tool.replace(/[^A-Za-z0-9_-]/g, '_');
  const full = `mcp__${server}__${clean}`;
  if (full.length <= MAX_NAME) return full;
  const hash = createHash('sha256').update(tool).digest('hex').slice(0, 6);
  return `${full.slice(0, MAX_NAME - 7)}_${hash}`;
}
