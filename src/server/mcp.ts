import { Hono } from 'hono';
import { z } from 'zod';
import {
  McpImportBodySchema,
  type McpImportPreview,
  type McpImportResult,
  type McpOverview,
  McpSecretBodySchema,
  type McpSecretList,
  McpServerFieldsSchema,
  McpServerNameSchema,
  McpToolOverrideBodySchema,
  MCP_SERVER_NAME,
} from '../contract/mcp';
import { McpServerNotFoundError } from '../mcp/servers';
import { previewImports } from '../mcp/import';
import { promptCommand } from '../mcp/prompt-command';
import { workspaceToolSelection } from '../runtime/run-specs';
import { contextWindowOf } from '../runtime/skills';
import { selectTools } from '../tools/selection';
import { SECRET_NAME } from '../workspace/secrets';
import type { ServerContext } from './context';
import { ApiError } from './errors';
import { readBody } from './validate';

const TestBodySchema = z.strictObject({ name: McpServerNameSchema.optional(), config: McpServerFieldsSchema });

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The MCP page: every server with its status, tools and log; adding, changing and removing servers (in settings,
 * validated like the rest), switching tools, restarting, testing a server before it is saved, importing servers
 * from other tools' files (their secret values moved to secrets.json), and a server's resources and prompts.
 */
export function mcpRoutes(ctx: ServerContext): Hono {
  const { mcp } = ctx.runtime;
  const { settings, secrets } = ctx.workspace;
  const serverName = (name: string) => {
    if (!MCP_SERVER_NAME.test(name))
      throw new ApiError(404, 'mcp_server_not_found', `There is no MCP server "${name}".`);
    return name;
  };
  const connection = (name: string) => {
    try {
      return mcp.server(serverName(name));
    } catch (error) {
      if (error instanceof McpServerNotFoundError) throw new ApiError(404, 'mcp_server_not_found', error.message);
      throw error;
    }
  };
  /** Writes `mcp.servers` through the settings (validated there: a bad config is refused with its field). */
  const updateServers = (change: (servers: Record<string, unknown>) => Record<string, unknown>) =>
    settings.update((raw) => {
      const block = isRecord(raw.mcp) ? raw.mcp : {};
      const servers = isRecord(block.servers) ? block.servers : {};
      return { ...raw, mcp: { ...block, servers: change({ ...servers }) } };
    });
  const upstream = (error: unknown): never => {
    throw new ApiError(502, 'mcp_server_error', error instanceof Error ? error.message : String(error));
  };

  return new Hono()
    .get('/', (c) => {
      const servers = mcp.status();
      const toolTokens = servers
        .filter((s) => s.state === 'ready')
        .flatMap((s) => s.tools.filter((t) => t.enabled))
        .reduce((sum, t) => sum + t.tokens, 0);
      const window = contextWindowOf(ctx.workspace, ctx.runtime.catalog, ctx.runtime.localServers, undefined);
      const { deferred } = selectTools(workspaceToolSelection(settings.get(), ctx.runtime.sources, window));
      const mcpDeferred = [...deferred].some((name) => name.startsWith('mcp__'));
      return c.json({ servers, toolTokens, deferred: mcpDeferred } satisfies McpOverview);
    })
    .put('/servers/:name', async (c) => {
      const name = serverName(c.req.param('name'));
      const config = await readBody(c, McpServerFieldsSchema);
      await updateServers((servers) => ({ ...servers, [name]: config }));
      mcp.reconcile();
      return c.json(mcp.status().find((s) => s.name === name));
    })
    .delete('/servers/:name', async (c) => {
      const name = connection(c.req.param('name')).name;
      await updateServers((servers) => {
        delete servers[name];
        return servers;
      });
      mcp.reconcile();
      return c.json({ deleted: name });
    })
    .post('/servers/:name/restart', async (c) => {
      const name = connection(c.req.param('name')).name;
      await mcp.restart(name);
      return c.json(mcp.status().find((s) => s.name === name));
    })
    .get('/servers/:name/log', (c) => c.text(mcp.log(connection(c.req.param('name')).name) ?? ''))
    .put('/servers/:name/tools/:tool', async (c) => {
      const name = connection(c.req.param('name')).name;
      const tool = c.req.param('tool');
      const override = await readBody(c, McpToolOverrideBodySchema);
      await updateServers((servers) => {
        const server = isRecord(servers[name]) ? servers[name] : {};
        const tools = isRecord(server.tools) ? server.tools : {};
        return { ...servers, [name]: { ...server, tools: { ...tools, [tool]: override } } };
      });
      mcp.reconcile();
      return c.json({ name, tool, ...override });
    })
    .post('/test', async (c) => {
      const { name, config } = await readBody(c, TestBodySchema);
      return c.json(await mcp.test(name ?? 'test', config));
    })
    .get('/resources', async (c) => c.json({ resources: await mcp.resources() }))
    .get('/servers/:name/resources', async (c) =>
      c.json({ resources: await connection(c.req.param('name')).listResources().catch(upstream) }),
    )
    .get('/servers/:name/resources/read', async (c) => {
      const uri = c.req.query('uri');
      if (!uri) throw new ApiError(400, 'invalid_request', 'uri is required');
      return c.json({ contents: await connection(c.req.param('name')).readResource(uri).catch(upstream) });
    })
    .get('/servers/:name/prompts', async (c) => {
      const server = connection(c.req.param('name'));
      const prompts = await server.listPrompts().catch(upstream);
      return c.json({ prompts: prompts.map((p) => ({ ...p, command: promptCommand(server.name, p.name) })) });
    })
    .get('/import', async (c) => {
      const configured = new Set(Object.keys(settings.get().mcp.servers));
      const previews = await previewImports(ctx.workspace.paths.root);
      return c.json({
        sources: previews.map((preview) => ({
          source: preview.source,
          servers: preview.servers.map((s) => ({
            name: s.name,
            config: s.config,
            secrets: Object.keys(s.secrets),
            exists: configured.has(s.name),
          })),
          problems: preview.problems,
        })),
      } satisfies McpImportPreview);
    })
    .post('/import', async (c) => {
      const { source, names } = await readBody(c, McpImportBodySchema);
      const preview = (await previewImports(ctx.workspace.paths.root)).find((p) => p.source === source);
      if (!preview) throw new ApiError(404, 'import_source_not_found', `There is no ${source} to import from.`);
      const chosen = preview.servers.filter((s) => names.includes(s.name));
      const missing = names.filter((n) => !chosen.some((s) => s.name === n));
      if (missing.length) throw new ApiError(400, 'invalid_request', `${source} has no server ${missing.join(', ')}.`);
      for (const server of chosen)
        for (const [secret, value] of Object.entries(server.secrets)) await secrets.setSecret(secret, value);
      await updateServers((servers) => ({ ...servers, ...Object.fromEntries(chosen.map((s) => [s.name, s.config])) }));
      mcp.reconcile();
      return c.json({ imported: chosen.map((s) => s.name) } satisfies McpImportResult);
    })
    .get('/oauth/callback', async (c) => {
      // The browser comes back here from a server's authorization page. `state` ties it to the flow a server
      // started; the code is exchanged for tokens (kept in secrets.json). An error is shown without the callback's
      // own text, which the authorization server (or anyone forging the link) chose.
      const params = new URL(c.req.url).searchParams;
      if (params.has('error')) return c.html(oauthPage('Authorization was refused or cancelled.', false), 400);
      const finished = await mcp.finishAuthorization(params).catch((error: unknown) => {
        ctx.logger.warn({ err: error }, 'MCP authorization could not be finished');
        return false;
      });
      return finished
        ? c.html(oauthPage('Authorized. The server is connecting; you can close this tab.', true))
        : c.html(
            oauthPage('This authorization link is not one the server is waiting for (or it was used already).', false),
            400,
          );
    })
    .get('/secrets', (c) => c.json({ names: secrets.secretNames() } satisfies McpSecretList))
    .put('/secrets/:name', async (c) => {
      const name = c.req.param('name');
      if (!SECRET_NAME.test(name)) throw new ApiError(400, 'invalid_request', `"${name}" is not a secret name.`);
      const { value } = await readBody(c, McpSecretBodySchema);
      await secrets.setSecret(name, value);
      mcp.reconcile();
      return c.json({ name });
    })
    .delete('/secrets/:name', async (c) => {
      const name = c.req.param('name');
      if (!SECRET_NAME.test(name) || secrets.secret(name) === undefined)
        throw new ApiError(404, 'secret_not_found', `There is no secret "${name}".`);
      await secrets.setSecret(name, undefined);
      return c.json({ deleted: name });
    });
}

/** The page the browser lands on after authorizing: a sentence and a way back to the MCP page. */
function oauthPage(message: string, ok: boolean): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>boxagnts — MCP authorization</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5">
<h1 style="font-size: 1.25rem">${ok ? 'MCP server authorized' : 'MCP authorization failed'}</h1>
<p>${message}</p><p><a href="/mcp">Back to the MCP page</a></p></body></html>`;
}
