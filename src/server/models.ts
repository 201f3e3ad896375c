import { Hono } from 'hono';
import {
  ConnectionTestBodySchema,
  type DiscoveredModels,
  type ModelList,
  ProviderBodySchema,
  type ProviderView,
  type ProvidersResponse,
} from '../contract/models';
import { PROVIDER_ID, type ProviderConfig, ProviderConfigSchema } from '../contract/settings';
import { DiscoveryError, discoverModels } from '../models/discovery';
import { modelWindow } from '../models/local-servers/window';
import { PRESETS, findPreset } from '../models/presets';
import { modelInfo, parseModelId, providerBaseURL, providerKey, resolveModel } from '../models/providers';
import { type JsonObject, isPlainObject } from '../workspace/merge-patch';
import { InvalidSettingsError } from '../workspace/settings';
import type { ServerContext } from './context';
import { ApiError } from './errors';
import { readBody } from './validate';
import { errorMessage } from '../fs/errors';

/** A provider id from a route, checked. */
export function providerIdParam(raw: string): string {
  if (!PROVIDER_ID.test(raw))
    throw new ApiError(400, 'invalid_request', 'Provider ids use lower-case letters, digits, - and _ (at most 40).', {
      field: 'id',
    });
  return raw;
}

/** The configured provider of that id, or a 404. */
export function existingProvider(ctx: ServerContext, id: string): ProviderConfig {
  const provider = ctx.workspace.settings.get().providers[id];
  if (!provider) throw new ApiError(404, 'provider_not_found', `No provider "${id}" is configured.`);
  return provider;
}

export function modelRoutes(ctx: ServerContext): Hono {
  const { settings, secrets } = ctx.workspace;
  const { catalog, redactor, localServers } = ctx.runtime;
  const env = process.env;
  const app = new Hono();

  const providerId = providerIdParam;
  const existing = (id: string) => existingProvider(ctx, id);
  const describe = (id: string, provider: ProviderConfig): ProviderView => {
    const key = providerKey(id, provider, { secrets, env });
    return {
      id,
      ...provider,
      baseURL: providerBaseURL(provider),
      hasKey: key.source !== null,
      keySource: key.source,
      keyEnv: provider.apiKeyEnv ?? findPreset(provider.preset)?.apiKeyEnv ?? null,
      localServer: localServers.probes(provider),
      models: Object.fromEntries(
        Object.entries(provider.models).map(([m, override]) => [
          m,
          { override, info: modelInfo(catalog, provider, m) },
        ]),
      ),
    };
  };

  app.get('/providers', (c) => {
    const s = settings.get();
    return c.json({
      providers: Object.entries(s.providers).map(([id, p]) => describe(id, p)),
      presets: [...PRESETS],
      defaultModel: s.defaultModel ?? null,
    } satisfies ProvidersResponse);
  });

  app.put('/providers/:id', async (c) => {
    const id = providerId(c.req.param('id'));
    const body = await readBody(c, ProviderBodySchema);
    const { apiKey, ...config } = body;
    const parsed = ProviderConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.');
      throw new ApiError(
        400,
        'invalid_provider',
        field ? `${field}: ${issue.message}` : issue.message,
        field ? { field } : {},
      );
    }
    try {
      await settings.update((raw) => ({
        ...raw,
        providers: { ...(isPlainObject(raw.providers) ? raw.providers : {}), [id]: config as JsonObject },
      }));
    } catch (error) {
      if (error instanceof InvalidSettingsError)
        throw new ApiError(400, 'invalid_provider', error.message, { field: error.field });
      throw error;
    }
    if (apiKey !== undefined) await secrets.setProviderKey(id, apiKey ?? undefined);
    return c.json(describe(id, existing(id)));
  });

  app.delete('/providers/:id', async (c) => {
    const id = providerId(c.req.param('id'));
    existing(id);
    await settings.update((raw) => {
      const providers = { ...(isPlainObject(raw.providers) ? raw.providers : {}) };
      delete providers[id];
      const next: JsonObject = { ...raw, providers };
      if (typeof raw.defaultModel === 'string' && parseModelId(raw.defaultModel)?.providerId === id)
        delete next.defaultModel;
      return next;
    });
    await secrets.setProviderKey(id, undefined);
    return c.json({ deleted: id });
  });

  app.post('/providers/:id/discover', async (c) => {
    const id = providerId(c.req.param('id'));
    const provider = existing(id);
    try {
      const models = await discoverModels(
        provider,
        providerKey(id, provider, { secrets, env }).key,
        redactor,
        c.req.raw.signal,
      );
      return c.json({ models } satisfies DiscoveredModels);
    } catch (error) {
      if (error instanceof DiscoveryError) throw new ApiError(502, 'discovery_failed', error.message);
      throw error;
    }
  });

  app.post('/providers/:id/test', async (c) => {
    const id = providerId(c.req.param('id'));
    const provider = existing(id);
    const body = c.req.header('content-length') === '0' ? {} : await readBody(c, ConnectionTestBodySchema);
    const s = settings.get();
    const defaultForProvider =
      s.defaultModel && parseModelId(s.defaultModel)?.providerId === id
        ? parseModelId(s.defaultModel)!.modelId
        : undefined;
    const modelId = body.model ?? defaultForProvider ?? Object.keys(provider.models)[0];
    if (!modelId)
      throw new ApiError(
        400,
        'no_model',
        `Add a model to "${id}" first (discover or type one), then test the connection.`,
      );
    const model = await resolveModel(
      {
        settings: { ...s, providers: { ...s.providers, [id]: { ...provider, enabled: true } } },
        secrets,
        catalog,
        env,
        servers: localServers,
      },
      `${id}/${modelId}`,
    );
    // Loaded when used, like the agent loop: it brings the AI SDK with it.
    const { testConnection } = await import('../models/connection-test');
    return c.json(await testConnection(model, redactor));
  });

  app.get('/models', (c) => {
    const s = settings.get();
    const models = Object.entries(s.providers)
      .filter(([, p]) => p.enabled)
      .flatMap(([id, p]) =>
        Object.keys(p.models).map((m) => {
          const info = modelInfo(catalog, p, m);
          // What a run would use now, from what the server said last (never waiting for it here).
          const window = modelWindow(info.contextWindow, p, m, localServers.cached(id, p));
          return { id: `${id}/${m}`, provider: id, model: m, info: { ...info, contextWindow: window.used } };
        }),
      );
    return c.json({ defaultModel: s.defaultModel ?? null, models } satisfies ModelList);
  });

  app.post('/catalog/refresh', async (c) => {
    const url = settings.get().catalog.refreshUrl;
    if (!url)
      throw new ApiError(400, 'catalog_disabled', 'Catalog refresh is switched off (catalog.refreshUrl is null).');
    try {
      await catalog.refresh(url, { force: true, signal: c.req.raw.signal });
      return c.json({ refreshed: true });
    } catch (error) {
      throw new ApiError(
        502,
        'catalog_refresh_failed',
        `Could not refresh the model catalog from ${url}: ${errorMessage(error)}`,
      );
    }
  });

  return app;
}
