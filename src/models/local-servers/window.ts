import type { InstalledModel, ModelWindow, ServerFacts } from '../../contract/local-models';
import type { ProviderConfig } from '../../contract/settings';
import { sameOllamaModel } from './ollama';

/** The server's entry for a configured model: Ollama reads `name` as `name:latest`; llama.cpp serves whatever it has. */
export function installedModel(facts: ServerFacts | undefined, modelId: string): InstalledModel | undefined {
  if (!facts?.reachable) return undefined;
  if (facts.kind === 'ollama') return facts.models.find((m) => sameOllamaModel(m.name, modelId));
  if (facts.kind === 'llamacpp' && facts.models.length === 1) return facts.models[0];
  return facts.models.find((m) => m.name === modelId);
}

/**
 * Ollama's own default context (a few thousand tokens) does not hold an agent's instructions and tools, let alone a
 * conversation: through its own API a model is asked for this much unless its settings say otherwise, or it already
 * runs at more.
 */
export const OLLAMA_AGENT_CONTEXT = 16_384;

/** The num_ctx asked of Ollama: the length set for the model, else OLLAMA_AGENT_CONTEXT; within the model's maximum. */
function ollamaContext(set: number | undefined, installed: InstalledModel | undefined): number {
  const max = installed?.maxContext;
  if (set !== undefined) return Math.min(set, max ?? set);
  const running = installed?.serverContextFrom !== 'assumed' ? (installed?.serverContext ?? 0) : 0;
  return Math.max(running, Math.min(OLLAMA_AGENT_CONTEXT, max ?? OLLAMA_AGENT_CONTEXT));
}

/**
 * The window a model's runs use: the smaller of the catalog's (with the settings' `contextWindow`) and the one the
 * server really runs it at, so a prompt is never longer than what the server silently keeps. Through Ollama's own
 * API the context length set for the model is asked for on every request (`requested`, within the model's maximum),
 * so there it is the server's window too.
 */
export function modelWindow(
  catalogWindow: number,
  provider: ProviderConfig,
  modelId: string,
  facts: ServerFacts | undefined,
): ModelWindow {
  const installed = installedModel(facts, modelId);
  const maxContext = installed?.maxContext ?? null;
  const requested =
    provider.kind === 'ollama' ? ollamaContext(provider.models[modelId]?.contextWindow, installed) : null;
  const server =
    requested !== null
      ? { value: requested, from: 'requested' as const }
      : installed?.serverContext !== undefined
        ? { value: installed.serverContext, from: installed.serverContextFrom ?? ('server' as const) }
        : null;
  const serverSmaller = server !== null && server.value < catalogWindow;
  return {
    catalog: catalogWindow,
    server: server?.value ?? null,
    serverFrom: server?.from ?? null,
    maxContext,
    used: serverSmaller ? server.value : catalogWindow,
    usedFrom: serverSmaller ? 'server' : 'catalog',
    requested,
  };
}
