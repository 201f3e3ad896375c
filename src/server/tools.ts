import { Hono } from 'hono';
import { type ToolDescription, type ToolList, ToolToggleBodySchema } from '../contract/tools';
import { workspaceToolSelection } from '../runtime/run-specs';
import { contextWindowOf } from '../runtime/skills';
import { definitionTokens, selectTools } from '../tools/selection';
import type { ServerContext } from './context';
import { ApiError } from './errors';
import { readBody } from './validate';

/**
 * Every tool of the workspace, and switching one off (a switched-off tool is never offered to the model). WebAssembly
 * tools also say where they come from, and tool folders that failed to load are listed with the reason.
 */
export function toolRoutes(ctx: ServerContext): Hono {
  const { settings } = ctx.workspace;
  return new Hono()
    .get('/', (c) => {
      const { disabled: off } = settings.get().tools;
      const disabled = new Set(off);
      const window = contextWindowOf(ctx.workspace, ctx.runtime.catalog, ctx.runtime.localServers, undefined);
      const { tools: chosen, deferred } = selectTools(
        workspaceToolSelection(settings.get(), ctx.runtime.sources, window),
      );
      const cost = (t: { name: string; description: string; inputSchema: unknown }) =>
        definitionTokens(t.name, t.description, t.inputSchema);
      const offeredTokens = chosen.filter((t) => !deferred.has(t.name)).reduce((sum, t) => sum + cost(t), 0);
      const extensions = new Map(
        ctx.runtime.extensions.info().map((e) => [e.name, { folder: e.folder, origin: e.origin, state: e.state }]),
      );
      const tools = ctx.runtime
        .allTools()
        .map((t): ToolDescription => ({
          name: t.name,
          description: t.description,
          permissionLevel: t.permissionLevel,
          source: t.source,
          inputSchema: t.inputSchema,
          enabled: !disabled.has(t.name),
          onRequest: deferred.has(t.name),
          tokens: cost(t),
          ...(extensions.has(t.name) ? { extension: extensions.get(t.name) } : {}),
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
      return c.json({ tools, problems: ctx.runtime.extensions.problems(), offeredTokens } satisfies ToolList);
    })
    .put('/:name', async (c) => {
      const name = c.req.param('name');
      if (!ctx.runtime.allTools().some((t) => t.name === name))
        throw new ApiError(404, 'tool_not_found', `There is no tool named "${name}".`);
      const { enabled } = await readBody(c, ToolToggleBodySchema);
      await settings.update((raw) => {
        const tools = (raw.tools && typeof raw.tools === 'object' ? raw.tools : {}) as { disabled?: string[] };
        const current = new Set(tools.disabled ?? []);
        if (enabled) current.delete(name);
        else current.add(name);
        return { ...raw, tools: { ...tools, disabled: [...current].sort() } };
      });
      return c.json({ name, enabled });
    });
}
