import { z } from 'zod';
import { ModelOverrideSchema, PROVIDER_KINDS, ProviderFieldsSchema } from './settings';

/** The Models page: providers with their keys and models, presets, the catalog's facts and connection tests. */

const PricingSchema = z.object({
  /** USD per million input tokens that were not read from a cache. */
  input: z.number(),
  output: z.number(),
  cacheRead: z.number().optional(),
  cacheWrite: z.number().optional(),
});
export type Pricing = z.output<typeof PricingSchema>;

/** What a catalog knows of a model. */
export const CatalogEntrySchema = z.object({
  contextWindow: z.number(),
  maxOutput: z.number(),
  pricing: PricingSchema.optional(),
  tools: z.boolean(),
  vision: z.boolean(),
  reasoning: z.boolean(),
  label: z.string().optional(),
});
export type CatalogEntry = z.output<typeof CatalogEntrySchema>;

export const ModelInfoSchema = CatalogEntrySchema.extend({
  /** Where the facts came from, so the dashboard can say how far to trust them. */
  source: z.enum(['settings', 'models.dev', 'builtin', 'default']),
});
export type ModelInfo = z.output<typeof ModelInfoSchema>;

/** A starting point for a new provider; every field stays editable, a preset only fills the form. */
export const PresetSchema = z.object({
  id: z.string(),
  label: z.string(),
  kind: z.enum(PROVIDER_KINDS),
  baseURL: z.string(),
  /** Environment variable read for the key when none is stored; absent for servers that need no key. */
  apiKeyEnv: z.string().optional(),
  /** Runs on this machine, so the dashboard suggests discovering its models rather than typing them. */
  local: z.boolean().optional(),
  /** Provider id on models.dev, for prices and limits. */
  catalogId: z.string().optional(),
});
export type Preset = z.output<typeof PresetSchema>;

/** A configured provider: its settings, where its key comes from (never the key), and each model's facts. */
export const ProviderViewSchema = ProviderFieldsSchema.extend({
  id: z.string(),
  /** The address requests go to: the one set, else the vendor's. */
  baseURL: z.string(),
  hasKey: z.boolean(),
  keySource: z.enum(['secrets', 'env']).nullable(),
  keyEnv: z.string().nullable(),
  /** It may be a model server such as Ollama or LM Studio: `GET /api/providers/:id/local` says what it runs. */
  localServer: z.boolean(),
  models: z.record(z.string(), z.object({ override: ModelOverrideSchema, info: ModelInfoSchema })),
});
export type ProviderView = z.output<typeof ProviderViewSchema>;

/** `GET /api/providers`. */
export const ProvidersResponseSchema = z.object({
  providers: z.array(ProviderViewSchema),
  presets: z.array(PresetSchema),
  defaultModel: z.string().nullable(),
});
export type ProvidersResponse = z.output<typeof ProvidersResponseSchema>;

/**
 * `PUT /api/providers/:id`: a provider's settings (checked as such) plus a write-only key. `apiKey` absent keeps the
 * stored key, a string replaces it, null removes it.
 */
export const ProviderBodySchema = z.looseObject({ apiKey: z.string().trim().min(1).max(500).nullable().optional() });
export type ProviderBody = z.input<typeof ProviderFieldsSchema> & { apiKey?: string | null | undefined };

/** `POST /api/providers/:id/discover`: the model ids the provider lists. */
export const DiscoveredModelsSchema = z.object({ models: z.array(z.string()) });
export type DiscoveredModels = z.output<typeof DiscoveredModelsSchema>;

/** `POST /api/providers/:id/test`: which model to try; the provider's default or first model when absent. */
export const ConnectionTestBodySchema = z.strictObject({ model: z.string().min(1).max(200).optional() });

export const ConnectionTestSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), latencyMs: z.number(), reply: z.string() }),
  z.object({ ok: z.literal(false), latencyMs: z.number(), message: z.string() }),
]);
export type ConnectionTest = z.output<typeof ConnectionTestSchema>;

/**
 * A model the chat can pick: every model of every enabled provider. `info.contextWindow` is the window its runs use:
 * its local server's, when that is smaller than the catalog's and known.
 */
export const ModelChoiceSchema = z.object({
  id: z.string(),
  provider: z.string(),
  model: z.string(),
  info: ModelInfoSchema,
});
export type ModelChoice = z.output<typeof ModelChoiceSchema>;

/** `GET /api/models`. */
export const ModelListSchema = z.object({ defaultModel: z.string().nullable(), models: z.array(ModelChoiceSchema) });
export type ModelList = z.output<typeof ModelListSchema>;
