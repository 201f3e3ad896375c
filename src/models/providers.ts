import type { LanguageModel } from 'ai';
import type { ModelInfo } from '../contract/models';
import type { ProviderConfig } from '../contract/settings';
import type { SecretsStore } from '../workspace/secrets';
import type { Settings } from '../workspace/settings';
import type { ModelCatalog } from './catalog';
import type { LocalServers } from './local-servers/registry';
import { serverRoot } from './local-servers/http';
import { installedModel, modelWindow } from './local-servers/window';
import { defaultBaseURL, findPreset } from './presets';

export interface ResolvedModel {
  /** `provider/model` */
  readonly id: string;
  readonly providerId: string;
  readonly modelId: string;
  readonly provider: ProviderConfig;
  readonly baseURL: string;
  readonly language: LanguageModel;
  /** The catalog's facts, with `contextWindow` the window runs use (the server's, when that is smaller). */
  readonly info: ModelInfo;
}

export type ModelErrorCode = 'no_model' | 'bad_model_id' | 'unknown_provider' | 'provider_disabled' | 'no_key';

/** The model named cannot be used as configured; the message says what to change. */
export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError';
  constructor(
    readonly code: ModelErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ModelSources {
  settings: Settings;
  secrets: SecretsStore;
  catalog: ModelCatalog;
  env: NodeJS.ProcessEnv;
  /** What local model servers say of their models; without it, the catalog's window is used as it is. */
  servers?: LocalServers | undefined;
}

/** How long a run waits for a local server to say what context it runs a model at, before its first request. */
export const SERVER_FACTS_WAIT_MS = 1_500;

export function parseModelId(id: string): { providerId: string; modelId: string } | undefined {
  const slash = id.indexOf('/');
  if (slash <= 0 || slash === id.length - 1) return undefined;
  return { providerId: id.slice(0, slash), modelId: id.slice(slash + 1) };
}

export type KeySource = 'secrets' | 'env' | null;

/** The environment variable a provider reads its key from when none is stored: its own, else its preset's. */
function keyEnvName(provider: ProviderConfig): string | undefined {
  return provider.apiKeyEnv ?? findPreset(provider.preset)?.apiKeyEnv;
}

/** A provider's key: the stored one, else the named (or preset's) environment variable. */
export function providerKey(
  providerId: string,
  provider: ProviderConfig,
  sources: Pick<ModelSources, 'secrets' | 'env'>,
): { key?: string; source: KeySource } {
  const stored = sources.secrets.providerKey(providerId);
  if (stored) return { key: stored, source: 'secrets' };
  const envName = keyEnvName(provider);
  const fromEnv = envName ? sources.env[envName] : undefined;
  if (fromEnv) return { key: fromEnv, source: 'env' };
  return { source: null };
}

/** Every key this workspace can send: each stored one, and the value of each variable a provider takes its key from. */
export function configuredKeys(settings: Settings, sources: Pick<ModelSources, 'secrets' | 'env'>): string[] {
  const fromEnv = Object.values(settings.providers).map((provider) => {
    const envName = keyEnvName(provider);
    return envName ? sources.env[envName] : undefined;
  });
  return [...sources.secrets.providerKeys(), ...fromEnv.filter((key): key is string => key !== undefined)];
}

/** Catalog facts for one of a provider's models, with the workspace's overrides applied. */
export function modelInfo(catalog: ModelCatalog, provider: ProviderConfig, modelId: string): ModelInfo {
  const catalogId = findPreset(provider.preset)?.catalogId ?? (isVendorKind(provider.kind) ? provider.kind : undefined);
  return catalog.lookup(catalogId, modelId, provider.models[modelId]);
}

export function providerBaseURL(provider: ProviderConfig): string {
  return provider.baseURL ?? defaultBaseURL(provider.kind) ?? '';
}

/** The kinds that are one vendor each, with a catalog of their own; the others serve any vendor's models. */
function isVendorKind(kind: ProviderConfig['kind']): boolean {
  return kind === 'openai' || kind === 'anthropic' || kind === 'google';
}

/** Hosted vendors refuse requests without a key; OpenAI-compatible servers and Ollama often run without one. */
function needsKey(provider: ProviderConfig): boolean {
  return isVendorKind(provider.kind) || findPreset(provider.preset)?.apiKeyEnv !== undefined;
}

/** What every request to a model through Ollama's own API carries. */
export interface OllamaRequestOptions {
  /** The context length to run the model at (`num_ctx`); absent, the server's own. */
  numCtx?: number | undefined;
  /** Let a model that can think do so: ollama-ai-provider-v2 asks for `think: false` unless told otherwise. */
  think?: boolean | undefined;
}

/** The provider's SDK is loaded when a model of that kind is first used: together they are much of the server's start-up. */
export async function createLanguageModel(
  providerId: string,
  provider: ProviderConfig,
  modelId: string,
  apiKey: string | undefined,
  options: OllamaRequestOptions = {},
): Promise<LanguageModel> {
  const baseURL = providerBaseURL(provider);
  switch (provider.kind) {
    case 'openai': {
      const { createOpenAI } = await import('@ai-sdk/openai');
      // `.chat()` speaks chat completions; the default would call the Responses API.
      return createOpenAI({ baseURL, apiKey: apiKey ?? '' }).chat(modelId);
    }
    case 'anthropic': {
      const { createAnthropic } = await import('@ai-sdk/anthropic');
      return createAnthropic({ baseURL, apiKey: apiKey ?? '' })(modelId);
    }
    case 'google': {
      const { createGoogleGenerativeAI } = await import('@ai-sdk/google');
      return createGoogleGenerativeAI({ baseURL, apiKey: apiKey ?? '' })(modelId);
    }
    case 'openai-compatible': {
      const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
      return createOpenAICompatible({
        name: providerId,
        baseURL,
        includeUsage: true,
        ...(apiKey ? { apiKey } : {}),
      }).chatModel(modelId);
    }
    case 'ollama': {
      const [{ createOllama }, { defaultSettingsMiddleware, wrapLanguageModel }] = await Promise.all([
        import('ollama-ai-provider-v2'),
        import('ai'),
      ]);
      const model = createOllama({
        baseURL: `${serverRoot(baseURL)}/api`,
        ...(apiKey ? { headers: { Authorization: `Bearer ${apiKey}` } } : {}),
      })(modelId);
      if (options.numCtx === undefined && !options.think) return model;
      // Every request carries these: Ollama would otherwise run the model at its default context, without thinking.
      const ollama = {
        ...(options.think ? { think: true } : {}),
        ...(options.numCtx !== undefined ? { options: { num_ctx: options.numCtx } } : {}),
      };
      return wrapLanguageModel({
        model,
        middleware: defaultSettingsMiddleware({ settings: { providerOptions: { ollama } } }),
      });
    }
  }
}

/** Turns a `provider/model` id (or the default model) into a ready model with its catalog facts. */
export async function resolveModel(sources: ModelSources, requested: string | undefined): Promise<ResolvedModel> {
  const id = requested ?? sources.settings.defaultModel;
  if (!id)
    throw new ModelConfigError(
      'no_model',
      'No model chosen: add a provider in Settings → Models and pick a default model, or pass a model as provider/model.',
    );
  const parsed = parseModelId(id);
  if (!parsed)
    throw new ModelConfigError(
      'bad_model_id',
      `"${id}" is not a model id; model ids are written provider/model, e.g. ollama/llama3.1.`,
    );
  const provider = sources.settings.providers[parsed.providerId];
  if (!provider) {
    const known = Object.keys(sources.settings.providers);
    throw new ModelConfigError(
      'unknown_provider',
      `No provider "${parsed.providerId}" is configured${known.length ? ` (configured: ${known.join(', ')})` : ''}. Add it in Settings → Models.`,
    );
  }
  if (!provider.enabled)
    throw new ModelConfigError(
      'provider_disabled',
      `The provider "${parsed.providerId}" is disabled in Settings → Models.`,
    );
  const { key } = providerKey(parsed.providerId, provider, sources);
  if (!key && needsKey(provider)) {
    const envName = keyEnvName(provider);
    throw new ModelConfigError(
      'no_key',
      `The provider "${parsed.providerId}" has no API key: enter one in Settings → Models${envName ? ` or set ${envName}` : ''}.`,
    );
  }
  const info = modelInfo(sources.catalog, provider, parsed.modelId);
  const facts = await sources.servers?.facts(parsed.providerId, provider, { waitMs: SERVER_FACTS_WAIT_MS });
  const window = modelWindow(info.contextWindow, provider, parsed.modelId, facts);
  const capabilities = installedModel(facts, parsed.modelId)?.capabilities;
  const thinks = info.reasoning || capabilities?.includes('thinking');
  // The server lists what the model can do: one without `tools` gets its tools through the prompt, unless the
  // settings say it takes them natively.
  const tools = provider.models[parsed.modelId]?.tools ?? (capabilities ? capabilities.includes('tools') : info.tools);
  return {
    id,
    providerId: parsed.providerId,
    modelId: parsed.modelId,
    provider,
    baseURL: providerBaseURL(provider),
    language: await createLanguageModel(parsed.providerId, provider, parsed.modelId, key, {
      numCtx: window.requested ?? undefined,
      think: provider.kind === 'ollama' && thinks,
    }),
    info: { ...info, contextWindow: window.used, tools },
  };
}
