import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { CatalogEntry, ModelInfo } from '../contract/models';
import type { ModelOverride } from '../contract/settings';
import { writeFileAtomic } from '../workspace/atomic-write';
import { BUILTIN_CATALOG } from './builtin-catalog';

/** What we assume of a model nobody describes: a modest window, so long histories are trimmed rather than refused. */
export const UNKNOWN_MODEL: CatalogEntry = {
  contextWindow: 32_768,
  maxOutput: 4_096,
  tools: true,
  vision: false,
  reasoning: false,
};

const CACHE_FILE = 'models-dev.json';
/** The cache file: models.dev's answer as it came (parsed by parseModelsDev), and when it was fetched. */
const CacheFileSchema = z.object({ fetchedAt: z.string(), data: z.unknown() });
const REFRESH_AFTER_MS = 24 * 60 * 60 * 1000;
const FETCH_TIMEOUT_MS = 10_000;

const ModelsDevModel = z.looseObject({
  name: z.string().optional(),
  limit: z.looseObject({ context: z.number().optional(), output: z.number().optional() }).optional(),
  cost: z
    .looseObject({
      input: z.number().optional(),
      output: z.number().optional(),
      cache_read: z.number().optional(),
      cache_write: z.number().optional(),
    })
    .optional(),
  tool_call: z.boolean().optional(),
  attachment: z.boolean().optional(),
  reasoning: z.boolean().optional(),
  modalities: z.looseObject({ input: z.array(z.string()).optional() }).optional(),
});
const ModelsDev = z.record(z.string(), z.looseObject({ models: z.record(z.string(), z.unknown()).optional() }));

/** Turns models.dev's api.json into catalog entries, skipping any model it cannot read. */
export function parseModelsDev(data: unknown): Record<string, Record<string, CatalogEntry>> {
  const parsed = ModelsDev.safeParse(data);
  if (!parsed.success) throw new Error('models.dev answered with an unexpected shape');
  const out: Record<string, Record<string, CatalogEntry>> = {};
  for (const [providerId, provider] of Object.entries(parsed.data)) {
    const models: Record<string, CatalogEntry> = {};
    for (const [modelId, raw] of Object.entries(provider.models ?? {})) {
      const m = ModelsDevModel.safeParse(raw);
      if (!m.success || !m.data.limit?.context) continue;
      const cost = m.data.cost;
      models[modelId] = {
        contextWindow: m.data.limit.context,
        maxOutput: m.data.limit.output || UNKNOWN_MODEL.maxOutput,
        pricing:
          cost?.input !== undefined && cost.output !== undefined
            ? { input: cost.input, output: cost.output, cacheRead: cost.cache_read, cacheWrite: cost.cache_write }
            : undefined,
        tools: m.data.tool_call ?? true,
        vision: m.data.modalities?.input?.includes('image') ?? m.data.attachment ?? false,
        reasoning: m.data.reasoning ?? false,
        label: m.data.name,
      };
    }
    out[providerId] = models;
  }
  return out;
}

/**
 * Context windows, output limits, prices and capabilities per model: built-in entries, replaced by models.dev data
 * once fetched (cached in .boxagnts/cache/), overridden field by field by the workspace settings.
 */
export class ModelCatalog {
  private remote: Record<string, Record<string, CatalogEntry>> = {};

  private constructor(private readonly cacheDir: string) {}

  /** Loads the cached models.dev data if there is any; never touches the network. */
  static async open(cacheDir: string): Promise<ModelCatalog> {
    const catalog = new ModelCatalog(cacheDir);
    try {
      const cached = CacheFileSchema.parse(JSON.parse(await readFile(join(cacheDir, CACHE_FILE), 'utf8')));
      catalog.remote = parseModelsDev(cached.data);
    } catch {
      // No cache yet, or an unreadable one: the built-in catalog serves until the next refresh.
    }
    return catalog;
  }

  /** Fetches models.dev when the cache is older than a day. Returns false when offline; the old data stays. */
  async refresh(url: string, options: { force?: boolean; signal?: AbortSignal } = {}): Promise<boolean> {
    const file = join(this.cacheDir, CACHE_FILE);
    if (!options.force) {
      if (Date.now() - (await fetchedAt(file)) < REFRESH_AFTER_MS) return true;
    }
    const signals = [AbortSignal.timeout(FETCH_TIMEOUT_MS), ...(options.signal ? [options.signal] : [])];
    const response = await fetch(url, { signal: AbortSignal.any(signals) });
    if (!response.ok) throw new Error(`models.dev answered ${response.status}`);
    const data: unknown = await response.json();
    this.remote = parseModelsDev(data);
    await writeFileAtomic(file, JSON.stringify({ fetchedAt: new Date().toISOString(), data }));
    return true;
  }

  /** The facts for a model: settings override > models.dev > built-in > a cautious default. */
  lookup(catalogProviderId: string | undefined, modelId: string, override: ModelOverride = {}): ModelInfo {
    const base = this.find(this.remote, catalogProviderId, modelId);
    const builtin = base ? undefined : this.find(BUILTIN_CATALOG, catalogProviderId, modelId);
    const found = base ?? builtin;
    const merged: CatalogEntry = { ...UNKNOWN_MODEL, ...found };
    const overridden = Object.keys(override).length > 0;
    return {
      ...merged,
      ...(override.label !== undefined ? { label: override.label } : {}),
      ...(override.contextWindow !== undefined ? { contextWindow: override.contextWindow } : {}),
      ...(override.maxOutput !== undefined ? { maxOutput: override.maxOutput } : {}),
      ...(override.pricing !== undefined ? { pricing: override.pricing } : {}),
      ...(override.tools !== undefined ? { tools: override.tools } : {}),
      ...(override.vision !== undefined ? { vision: override.vision } : {}),
      ...(override.reasoning !== undefined ? { reasoning: override.reasoning } : {}),
      source: overridden ? 'settings' : base ? 'models.dev' : builtin ? 'builtin' : 'default',
    };
  }

  /** Exact provider match first; then the bare model id under any provider (OpenRouter's `vendor/model` included). */
  private find(
    table: Record<string, Record<string, CatalogEntry>>,
    providerId: string | undefined,
    modelId: string,
  ): CatalogEntry | undefined {
    if (providerId && table[providerId]?.[modelId]) return table[providerId][modelId];
    const bare = modelId.includes('/') ? modelId.slice(modelId.lastIndexOf('/') + 1) : modelId;
    for (const candidate of [modelId, bare]) {
      for (const models of Object.values(table)) if (models[candidate]) return models[candidate];
    }
    return undefined;
  }
}

/** When the cache file was written; 0 (long ago) when there is none or it cannot be read, so it is fetched again. */
async function fetchedAt(file: string): Promise<number> {
  try {
    const cached = CacheFileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return cached.success ? Date.parse(cached.data.fetchedAt) || 0 : 0;
  } catch {
    // Missing or not JSON: the refresh that follows rewrites it.
    return 0;
  }
}
