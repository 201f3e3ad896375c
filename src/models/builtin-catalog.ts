import type { CatalogEntry } from '../contract/models';

const entry = (
  contextWindow: number,
  maxOutput: number,
  pricing: CatalogEntry['pricing'],
  caps: { vision?: boolean; reasoning?: boolean; tools?: boolean } = {},
): CatalogEntry => ({
  contextWindow,
  maxOutput,
  pricing,
  tools: caps.tools ?? true,
  vision: caps.vision ?? false,
  reasoning: caps.reasoning ?? false,
});

/**
 * Limits and list prices (USD per million tokens) of well-known models, used until models.dev has been reached.
 * Keyed by models.dev provider id, then model id.
 */
export const BUILTIN_CATALOG: Record<string, Record<string, CatalogEntry>> = {
  openai: {
    'gpt-5': entry(400_000, 128_000, { input: 1.25, output: 10, cacheRead: 0.125 }, { vision: true, reasoning: true }),
    'gpt-5-mini': entry(
      400_000,
      128_000,
      { input: 0.25, output: 2, cacheRead: 0.025 },
      { vision: true, reasoning: true },
    ),
    'gpt-5-nano': entry(
      400_000,
      128_000,
      { input: 0.05, output: 0.4, cacheRead: 0.005 },
      { vision: true, reasoning: true },
    ),
    'gpt-4.1': entry(1_047_576, 32_768, { input: 2, output: 8, cacheRead: 0.5 }, { vision: true }),
    'gpt-4.1-mini': entry(1_047_576, 32_768, { input: 0.4, output: 1.6, cacheRead: 0.1 }, { vision: true }),
    'gpt-4o': entry(128_000, 16_384, { input: 2.5, output: 10, cacheRead: 1.25 }, { vision: true }),
    'gpt-4o-mini': entry(128_000, 16_384, { input: 0.15, output: 0.6, cacheRead: 0.075 }, { vision: true }),
    o3: entry(200_000, 100_000, { input: 2, output: 8, cacheRead: 0.5 }, { vision: true, reasoning: true }),
    'o4-mini': entry(
      200_000,
      100_000,
      { input: 1.1, output: 4.4, cacheRead: 0.275 },
      { vision: true, reasoning: true },
    ),
  },
  anthropic: {
    'claude-opus-4-1': entry(
      200_000,
      32_000,
      { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
      { vision: true, reasoning: true },
    ),
    'claude-sonnet-4-5': entry(
      200_000,
      64_000,
      { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
      { vision: true, reasoning: true },
    ),
    'claude-sonnet-4-0': entry(
      200_000,
      64_000,
      { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
      { vision: true, reasoning: true },
    ),
    'claude-haiku-4-5': entry(
      200_000,
      64_000,
      { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
      { vision: true, reasoning: true },
    ),
    'claude-3-5-haiku-latest': entry(
      200_000,
      8_192,
      { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 },
      { vision: true },
    ),
  },
  google: {
    'gemini-2.5-pro': entry(
      1_048_576,
      65_536,
      { input: 1.25, output: 10, cacheRead: 0.31 },
      { vision: true, reasoning: true },
    ),
    'gemini-2.5-flash': entry(
      1_048_576,
      65_536,
      { input: 0.3, output: 2.5, cacheRead: 0.075 },
      { vision: true, reasoning: true },
    ),
    'gemini-2.5-flash-lite': entry(
      1_048_576,
      65_536,
      { input: 0.1, output: 0.4, cacheRead: 0.025 },
      { vision: true, reasoning: true },
    ),
  },
  deepseek: {
    'deepseek-chat': entry(128_000, 8_192, { input: 0.28, output: 0.42, cacheRead: 0.028 }),
    'deepseek-reasoner': entry(128_000, 64_000, { input: 0.28, output: 0.42, cacheRead: 0.028 }, { reasoning: true }),
  },
  mistral: {
    'mistral-large-latest': entry(131_072, 16_384, { input: 2, output: 6 }),
    'codestral-latest': entry(256_000, 4_096, { input: 0.3, output: 0.9 }),
  },
  xai: {
    'grok-4': entry(256_000, 64_000, { input: 3, output: 15, cacheRead: 0.75 }, { vision: true, reasoning: true }),
  },
  groq: {
    'llama-3.3-70b-versatile': entry(131_072, 32_768, { input: 0.59, output: 0.79 }),
  },
};
