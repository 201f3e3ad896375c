import type { Preset } from '../contract/models';
import type { ProviderKind } from '../contract/settings';

/** Starting points for the Models page. Every field stays editable; a preset only fills the form. */
export const PRESETS: readonly Preset[] = [
  {
    id: 'openai',
    label: 'OpenAI',
    kind: 'openai',
    baseURL: 'https://api.openai.com/v1',
    apiKeyEnv: 'OPENAI_API_KEY',
    catalogId: 'openai',
  },
  {
    id: 'anthropic',
    label: 'Anthropic',
    kind: 'anthropic',
    baseURL: 'https://api.anthropic.com/v1',
    apiKeyEnv: 'ANTHROPIC_API_KEY',
    catalogId: 'anthropic',
  },
  {
    id: 'google',
    label: 'Google Gemini',
    kind: 'google',
    baseURL: 'https://generativelanguage.googleapis.com/v1beta',
    apiKeyEnv: 'GOOGLE_GENERATIVE_AI_API_KEY',
    catalogId: 'google',
  },
  // Ollama's own API, not its OpenAI endpoint: only the former takes a context length with each request.
  { id: 'ollama', label: 'Ollama', kind: 'ollama', baseURL: 'http://127.0.0.1:11434', local: true },
  { id: 'lmstudio', label: 'LM Studio', kind: 'openai-compatible', baseURL: 'http://127.0.0.1:1234/v1', local: true },
  {
    id: 'llamacpp',
    label: 'llama.cpp server',
    kind: 'openai-compatible',
    baseURL: 'http://127.0.0.1:8080/v1',
    local: true,
  },
  { id: 'vllm', label: 'vLLM', kind: 'openai-compatible', baseURL: 'http://127.0.0.1:8000/v1', local: true },
  {
    id: 'deepseek',
    label: 'DeepSeek',
    kind: 'openai-compatible',
    baseURL: 'https://api.deepseek.com/v1',
    apiKeyEnv: 'DEEPSEEK_API_KEY',
    catalogId: 'deepseek',
  },
  {
    id: 'openrouter',
    label: 'OpenRouter',
    kind: 'openai-compatible',
    baseURL: 'https://openrouter.ai/api/v1',
    apiKeyEnv: 'OPENROUTER_API_KEY',
    catalogId: 'openrouter',
  },
  {
    id: 'groq',
    label: 'Groq',
    kind: 'openai-compatible',
    baseURL: 'https://api.groq.com/openai/v1',
    apiKeyEnv: 'GROQ_API_KEY',
    catalogId: 'groq',
  },
  {
    id: 'mistral',
    label: 'Mistral',
    kind: 'openai-compatible',
    baseURL: 'https://api.mistral.ai/v1',
    apiKeyEnv: 'MISTRAL_API_KEY',
    catalogId: 'mistral',
  },
  {
    id: 'xai',
    label: 'xAI',
    kind: 'openai-compatible',
    baseURL: 'https://api.x.ai/v1',
    apiKeyEnv: 'XAI_API_KEY',
    catalogId: 'xai',
  },
  {
    id: 'together',
    label: 'Together AI',
    kind: 'openai-compatible',
    baseURL: 'https://api.together.xyz/v1',
    apiKeyEnv: 'TOGETHER_API_KEY',
    catalogId: 'togetherai',
  },
  {
    id: 'fireworks',
    label: 'Fireworks AI',
    kind: 'openai-compatible',
    baseURL: 'https://api.fireworks.ai/inference/v1',
    apiKeyEnv: 'FIREWORKS_API_KEY',
    catalogId: 'fireworks-ai',
  },
  {
    id: 'custom',
    label: 'Other OpenAI-compatible server',
    kind: 'openai-compatible',
    baseURL: 'http://127.0.0.1:8000/v1',
  },
];

export function findPreset(id: string | undefined): Preset | undefined {
  return id === undefined ? undefined : PRESETS.find((p) => p.id === id);
}

/** The vendor's default address for a kind, used when a provider sets no baseURL. */
export function defaultBaseURL(kind: ProviderKind): string | undefined {
  return PRESETS.find((p) => p.kind === kind && p.id === kind)?.baseURL;
}
