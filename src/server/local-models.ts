import { Hono } from 'hono';
import {
  type LocalServer,
  OllamaModelNameSchema,
  PullBodySchema,
  type PullEvent,
  type PullList,
} from '../contract/local-models';
import type { ProviderConfig } from '../contract/settings';
import { OllamaRequestError, deleteOllamaModel } from '../models/local-servers/ollama';
import { modelWindow } from '../models/local-servers/window';
import { modelInfo } from '../models/providers';
import type { ServerContext } from './context';
import { ApiError } from './errors';
import { existingProvider, providerIdParam } from './models';
import { eventStream } from './sse';
import { readBody } from './validate';

/**
 * A provider's model server: what it is and runs (`/local`), and for Ollama its models: pulls that go on without the
 * dashboard, and deletions. Like every route, behind the server's Host and Origin guards.
 */
export function localModelRoutes(ctx: ServerContext): Hono {
  const { catalog, localServers: servers, redactor } = ctx.runtime;
  const app = new Hono();

  const localProvider = (raw: string): { id: string; provider: ProviderConfig } => {
    const id = providerIdParam(raw);
    const provider = existingProvider(ctx, id);
    if (!servers.probes(provider))
      throw new ApiError(
        400,
        'not_a_local_server',
        `"${id}" is a hosted provider; only Ollama, LM Studio, llama.cpp, vLLM and other servers you run are probed.`,
      );
    return { id, provider };
  };

  /** Pulls and deletions speak Ollama's API: the provider's server must be Ollama (through either kind). */
  const ollamaProvider = async (raw: string) => {
    const { id, provider } = localProvider(raw);
    const facts = servers.cached(id, provider) ?? (await servers.facts(id, provider));
    if (!facts?.reachable)
      throw new ApiError(502, 'server_unreachable', facts?.error ?? `The server of "${id}" does not answer.`);
    if (facts.kind !== 'ollama')
      throw new ApiError(
        400,
        'not_ollama',
        `The server of "${id}" is not Ollama; manage its models with its own tools.`,
      );
    return { id, provider, server: servers.address(id, provider) };
  };

  app.get('/providers/:id/local', async (c) => {
    const { id, provider } = localProvider(c.req.param('id'));
    const facts = (await servers.facts(id, provider, { refresh: c.req.query('refresh') === '1' }))!;
    const windows = Object.fromEntries(
      Object.keys(provider.models).map((m) => [
        m,
        modelWindow(modelInfo(catalog, provider, m).contextWindow, provider, m, facts),
      ]),
    );
    return c.json({
      provider: id,
      ...facts,
      ...(facts.error ? { error: redactor.redact(facts.error) } : {}),
      manageable: facts.reachable && facts.kind === 'ollama',
      windows,
      pulls: servers.pulls.list(id),
    } satisfies LocalServer);
  });

  app.post('/providers/:id/pull', async (c) => {
    const { model } = await readBody(c, PullBodySchema);
    const { id, server } = await ollamaProvider(c.req.param('id'));
    return c.json(servers.pulls.start(id, server, model), 202);
  });

  app.get('/providers/:id/pulls', (c) => {
    const { id } = localProvider(c.req.param('id'));
    return c.json({ pulls: servers.pulls.list(id) } satisfies PullList);
  });

  app.get('/providers/:id/pulls/:pullId/events', (c) =>
    eventStream<PullEvent>(c, ctx, () => {
      const { id } = localProvider(c.req.param('id'));
      const pull = servers.pulls.get(id, c.req.param('pullId'));
      if (!pull) throw new ApiError(404, 'pull_not_found', 'No such pull: it finished long ago or never started.');
      return async (send) => servers.pulls.follow(pull.id, send);
    }),
  );

  app.delete('/providers/:id/pulls/:pullId', (c) => {
    const { id } = localProvider(c.req.param('id'));
    const pull = servers.pulls.get(id, c.req.param('pullId'));
    if (!pull) throw new ApiError(404, 'pull_not_found', 'No such pull: it finished long ago or never started.');
    servers.pulls.cancel(pull.id);
    return c.json({ cancelled: pull.id });
  });

  app.delete('/providers/:id/models/:name{.+}', async (c) => {
    const name = OllamaModelNameSchema.safeParse(c.req.param('name'));
    if (!name.success)
      throw new ApiError(400, 'invalid_request', 'That is not an Ollama model name.', { field: 'name' });
    const { id, server } = await ollamaProvider(c.req.param('id'));
    try {
      await deleteOllamaModel(server, name.data);
    } catch (error) {
      if (!(error instanceof OllamaRequestError)) throw error;
      const message = redactor.redact(`Ollama could not delete ${name.data}: ${error.message}`);
      throw new ApiError(error.status === 404 ? 404 : 502, 'delete_failed', message);
    } finally {
      servers.forget(id);
    }
    return c.json({ deleted: name.data });
  });

  return app;
}
