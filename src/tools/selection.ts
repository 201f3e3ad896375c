import { matchesWildcard } from '../permissions/wildcard';
import { toolSearchTool } from './native/tool-search';
import type { ToolSource } from './source';
import type { Tool } from './tool';

/**
 * Past this many tools, MCP and extension tools are offered by name only until tool_search reveals them, like the
 * tools marked `defer` (rarely needed by a coding run) always are.
 */
export const DEFER_TOOLS_ABOVE = 40;

/** About how many tokens a tool's definition costs in a request (four characters a token). */
export function definitionTokens(name: string, description: string, inputSchema: unknown): number {
  return Math.ceil((name.length + description.length + JSON.stringify(inputSchema).length) / 4);
}

/** Which tools a run gets: the union of its sources, narrowed by name or pattern (`read`, `mcp__github__*`). */
export interface ToolSelection {
  sources: readonly ToolSource[];
  /** Only tools matching one of these; absent: every tool of the sources. */
  allow?: readonly string[] | undefined;
  /** Never tools matching one of these (also beats `allow`). */
  deny?: readonly string[] | undefined;
  /** Offer tools matching one of these in full even if they would be offered by name only (the workspace's `tools.offered`). */
  offer?: readonly string[] | undefined;
  /**
   * MCP and extension tools are offered by name only when their definitions would take more tokens than this (10 %
   * of the model's context window), as they are past DEFER_TOOLS_ABOVE tools.
   */
  deferAboveTokens?: number | undefined;
  /** The tools the run's children may be given, by name; absent: the run's own. */
  delegable?: readonly string[] | undefined;
  /**
   * Only these tools (and those `offer` names) are offered in full, every other one by name through tool_search: for a
   * small context window, where every definition costs a share of the conversation.
   */
  core?: readonly string[] | undefined;
}

export interface SelectedTools {
  tools: Tool[];
  /** Offered to the model by name only, until tool_search reveals them. */
  deferred: ReadonlySet<string>;
}

const matchesAny = (patterns: readonly string[] | undefined, name: string) =>
  patterns?.some((p) => matchesWildcard(p, name)) ?? false;

/**
 * The tools of one run, as its selection says. Tools marked `defer`, and MCP and extension tools when there are many,
 * are deferred unless the selection offers them, and tool_search lists them; tool_search is part of the run unless
 * the selection leaves it out.
 */
export function selectTools(selection: ToolSelection): SelectedTools {
  const chosen = (name: string) =>
    (selection.allow === undefined || matchesAny(selection.allow, name)) && !matchesAny(selection.deny, name);
  const tools = selection.sources.flatMap((source) => source.tools()).filter((tool) => chosen(tool.name));
  const external = tools.filter((t) => t.source === 'mcp' || t.source === 'extension');
  const externalTokens = external.reduce((sum, t) => sum + definitionTokens(t.name, t.description, t.inputSchema), 0);
  const many =
    tools.length > DEFER_TOOLS_ABOVE ||
    (selection.deferAboveTokens !== undefined && externalTokens > selection.deferAboveTokens);
  const deferred = new Set(
    tools
      .filter(
        (t) =>
          t.defer ||
          (many && (t.source === 'mcp' || t.source === 'extension')) ||
          (selection.core !== undefined && !matchesAny(selection.core, t.name)),
      )
      .filter((t) => !matchesAny(selection.offer, t.name))
      .map((t) => t.name),
  );
  return { tools: chosen('tool_search') ? [...tools, toolSearchTool([...deferred])] : tools, deferred };
}
