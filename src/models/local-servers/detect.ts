import type { LocalServerKind, ServerFacts } from '../../contract/local-models';
import type { ProviderConfig } from '../../contract/settings';
import { findPreset } from '../presets';
import { providerBaseURL } from '../providers';
import { type JsonAnswer, requestJson, type ServerAddress, serverRoot } from './http';
import { llamaCppFacts } from './llamacpp';
import { lmStudioFacts } from './lmstudio';
import { ollamaFacts, ollamaVersion } from './ollama';
import { vllmFacts } from './vllm';

const PRESET_KINDS: Record<string, LocalServerKind> = {
  ollama: 'ollama',
  lmstudio: 'lmstudio',
  llamacpp: 'llamacpp',
  vllm: 'vllm',
};

/**
 * Whether a provider may be a local model server, and which kind it is likely to be: Ollama's own kind, a local
 * preset, or an OpenAI-compatible server the user pointed anywhere (`custom`, or no preset). Hosted vendors are
 * never probed. `undefined` means "probe for any kind".
 */
export function localServerHint(provider: ProviderConfig): { kind: LocalServerKind | undefined } | null {
  if (provider.kind === 'ollama') return { kind: 'ollama' };
  if (provider.kind !== 'openai-compatible') return null;
  const preset = findPreset(provider.preset);
  if (preset && !preset.local && preset.id !== 'custom') return null;
  return { kind: provider.preset ? PRESET_KINDS[provider.preset] : undefined };
}

export function serverAddress(provider: ProviderConfig, apiKey: string | undefined): ServerAddress {
  return {
    root: serverRoot(providerBaseURL(provider)),
    headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {},
  };
}

/**
 * Finds out what kind of server is at the address and what it says of its models. The likely kind is asked first;
 * when it is not that, the others are asked at once. Never throws: an unreachable or unknown server is a fact too.
 */
export async function probeServer(server: ServerAddress, likely: LocalServerKind | undefined): Promise<ServerFacts> {
  const checkedAt = new Date().toISOString();
  const unreachable = (error: string): ServerFacts => ({ kind: null, reachable: false, error, checkedAt, models: [] });
  if (likely) {
    const first = await probeKind(server, likely);
    if (first !== 'not-this') return isDown(first) ? unreachable(first.unreachable) : first;
  }
  const answers = await Promise.all(KINDS.filter((kind) => kind !== likely).map((kind) => probeKind(server, kind)));
  const found = answers.find((a): a is ServerFacts => a !== 'not-this' && !isDown(a));
  if (found) return found;
  const downs = answers.filter(isDown);
  if (downs.length === answers.length) return unreachable(downs[0]!.unreachable);
  return {
    kind: null,
    reachable: true,
    error: `${server.root} answers, but not as Ollama, LM Studio, llama.cpp or vLLM do.`,
    checkedAt,
    models: [],
  };
}

const KINDS: readonly LocalServerKind[] = ['ollama', 'lmstudio', 'llamacpp', 'vllm'];

type KindAnswer = ServerFacts | 'not-this' | { unreachable: string };

async function probeKind(server: ServerAddress, kind: LocalServerKind): Promise<KindAnswer> {
  switch (kind) {
    case 'ollama': {
      const answer = await requestJson(server, '/api/version');
      const version = ollamaVersion(answer);
      return down(answer) ?? (version === null ? 'not-this' : ollamaFacts(server, version));
    }
    case 'lmstudio': {
      const answer = await requestJson(server, '/api/v0/models');
      return down(answer) ?? lmStudioFacts(answer) ?? 'not-this';
    }
    case 'llamacpp': {
      const props = await requestJson(server, '/props');
      if (down(props)) return down(props)!;
      const facts = props.ok ? llamaCppFacts(props, await requestJson(server, '/v1/models')) : null;
      return facts ?? 'not-this';
    }
    case 'vllm': {
      const answer = await requestJson(server, '/v1/models');
      return down(answer) ?? vllmFacts(answer) ?? 'not-this';
    }
  }
}

function isDown(answer: KindAnswer): answer is { unreachable: string } {
  return answer !== 'not-this' && 'unreachable' in answer;
}

function down(answer: JsonAnswer): { unreachable: string } | undefined {
  return !answer.ok && 'unreachable' in answer ? { unreachable: answer.message } : undefined;
}
