import { matchesWildcard } from '../permissions/wildcard';
import { toolSearchTool } from './native/tool-search';
import type { ToolSource } from './source';
import type { Tool } from './tool';

/** Past this many tools, MCP and extension tools are offered by name only until tool_search reveals them. */
export const DEFER_TOOLS_ABOVE = 40;

/** Which tools a run gets: the union of its sources, narrowed by name or pattern (`read`, `mcp__github__*`). */
export interface ToolSelection {
  sources: readonly ToolSource[];
  /** Only tools matching one of these; absent: every tool of the sources. */
  allow?: readonly string[] | undefined;
  /** Never tools matching one of these (also beats `allow`). */
  deny?: readonly string[] | undefined;
}

export interface SelectedTools {
  tools: Tool[];
  /** Offered to the model by name only, until tool_search reveals them. */
  deferred: ReadonlySet<string>;
}

const matchesAny = (patterns: readonly string[] | undefined, name: string) =>
  patterns?.some((p) => matchesWildcard(p, name)) ?? false;

/**
 * The tools of one run, as its selection says. When there are many, MCP and extension tools are deferred and
 * tool_search lists them; tool_search is part of the run unless the selection leaves it out.
 */
export function selectTools(selection: ToolSelection): SelectedTools {
  const chosen = (name: string) =>
    (selection.allow === undefined || matchesAny(selection.allow, name)) && !matchesAny(selection.deny, name);
  const tools = selection.sources.flatMap((source) => source.tools()).filter((tool) => chosen(tool.name));
  const deferred = new Set(
    tools.length > DEFER_TOOLS_ABOVE
      ? tools.filter((t) => t.source === 'mcp' || t.source === 'extension').map((t) => t.name)
      : [],
  );
  return { tools: chosen('tool_search') ? [...tools, toolSearchTool([...deferred])] : tools, deferred };
}
