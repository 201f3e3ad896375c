import { z } from 'zod';

/**
 * Model servers on the user's machine (or wherever a provider's base URL points): what kind each is, the context it
 * really runs each model at, and, for Ollama, the models it has installed, pulls and deletions.
 */

export const LOCAL_SERVER_KINDS = ['ollama', 'lmstudio', 'llamacpp', 'vllm'] as const;
export const LocalServerKindSchema = z.enum(LOCAL_SERVER_KINDS);
export type LocalServerKind = z.output<typeof LocalServerKindSchema>;

/**
 * Where the server's context for a model comes from: `requested` (sent as Ollama's num_ctx on every request),
 * `loaded` (the model is in memory at that context), `modelfile` (the num_ctx parameter of the Ollama model),
 * `server` (llama.cpp's n_ctx, vLLM's max_model_len), `assumed` (Ollama says nothing: its smallest default, 4096).
 */
export const ServerContextSourceSchema = z.enum(['requested', 'loaded', 'modelfile', 'server', 'assumed']);
export type ServerContextSource = z.output<typeof ServerContextSourceSchema>;

/** A model the server has. Sizes in bytes; every fact is optional because each server tells different things. */
export const InstalledModelSchema = z.object({
  name: z.string(),
  sizeBytes: z.number().optional(),
  /** Ollama's `details.quantization_level` (`Q4_K_M`), LM Studio's `quantization`. */
  quantization: z.string().optional(),
  /** `8.0B`, as the server writes it. */
  parameterSize: z.string().optional(),
  family: z.string().optional(),
  modifiedAt: z.string().optional(),
  /** What Ollama says the model can do (`/api/show`): `completion`, `tools`, `vision`, `thinking`, `embedding`. */
  capabilities: z.array(z.string()).optional(),
  /** The most context the model supports (what it was trained for, or the server's cap). */
  maxContext: z.number().optional(),
  /** The context the server runs it at when a request asks for none, and where that number comes from. */
  serverContext: z.number().optional(),
  serverContextFrom: ServerContextSourceSchema.optional(),
  /** In memory now (Ollama's `/api/ps`, LM Studio's `state`), at this context. */
  loaded: z
    .object({
      context: z.number().optional(),
      sizeVramBytes: z.number().optional(),
      /** When Ollama unloads it if unused. */
      expiresAt: z.string().optional(),
    })
    .optional(),
});
export type InstalledModel = z.output<typeof InstalledModelSchema>;

/** What a provider's server is, as last probed. */
export const ServerFactsSchema = z.object({
  /** null: it answered, but as none of the known kinds (or it did not answer at all). */
  kind: LocalServerKindSchema.nullable(),
  reachable: z.boolean(),
  /** Why it is unreachable or unrecognised. */
  error: z.string().optional(),
  checkedAt: z.string(),
  version: z.string().optional(),
  models: z.array(InstalledModelSchema),
});
export type ServerFacts = z.output<typeof ServerFactsSchema>;

/** The context window runs of one configured model use: the smaller of the catalog's and the server's. */
export const ModelWindowSchema = z.object({
  /** The catalog's window, with the settings' `contextWindow` applied. */
  catalog: z.number(),
  server: z.number().nullable(),
  serverFrom: ServerContextSourceSchema.nullable(),
  maxContext: z.number().nullable(),
  used: z.number(),
  usedFrom: z.enum(['catalog', 'server']),
  /** Sent as Ollama's `num_ctx` on every request: the context length set for the model, within its maximum. */
  requested: z.number().nullable(),
});
export type ModelWindow = z.output<typeof ModelWindowSchema>;

/** An Ollama model name: `llama3.2`, `qwen2.5-coder:14b`, `hf.co/user/repo:Q4_K_M`. */
export const OllamaModelNameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/, 'a model name such as llama3.2 or qwen2.5-coder:14b');

export const PullStateSchema = z.enum(['running', 'done', 'failed', 'cancelled']);
export type PullState = z.output<typeof PullStateSchema>;

/** A model being downloaded by Ollama (`/api/pull`), kept by the server so the dashboard can leave and come back. */
export const PullSchema = z.object({
  id: z.string(),
  provider: z.string(),
  model: z.string(),
  state: PullStateSchema,
  /** Ollama's own words: `pulling manifest`, `pulling 6a0746a1ec1a`, `verifying sha256 digest`, `success`. */
  status: z.string(),
  /** Bytes of the part being downloaded, when Ollama says. */
  completed: z.number().optional(),
  total: z.number().optional(),
  error: z.string().optional(),
  startedAt: z.string(),
});
export type Pull = z.output<typeof PullSchema>;

/** `GET /api/providers/:id/local` (`?refresh=1` probes again). */
export const LocalServerSchema = ServerFactsSchema.extend({
  provider: z.string(),
  /** Ollama: its models can be pulled and deleted from here. */
  manageable: z.boolean(),
  /** Each configured model's window. */
  windows: z.record(z.string(), ModelWindowSchema),
  pulls: z.array(PullSchema),
});
export type LocalServer = z.output<typeof LocalServerSchema>;

/** `POST /api/providers/:id/pull`: answered 202 with the pull (the one already running for that model, if any). */
export const PullBodySchema = z.strictObject({ model: OllamaModelNameSchema });

/** `GET /api/providers/:id/pulls`. */
export const PullListSchema = z.object({ pulls: z.array(PullSchema) });
export type PullList = z.output<typeof PullListSchema>;

/** `GET /api/providers/:id/pulls/:pullId/events` (SSE): the pull as it is now, then after each change; the last one is finished. */
export const PullEventSchema = z.object({ id: z.number(), type: z.literal('pull.progress'), pull: PullSchema });
export type PullEvent = z.output<typeof PullEventSchema>;
