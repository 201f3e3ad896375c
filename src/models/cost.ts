import type { Pricing } from '../contract/models';

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** USD for one call. `inputTokens` counts every prompt token, cached or not, as the AI SDK reports it. */
export function costUsd(usage: TokenUsage, pricing: Pricing | undefined): number {
  if (!pricing) return 0;
  const uncached = Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens);
  const dollars =
    uncached * pricing.input +
    usage.cacheReadTokens * (pricing.cacheRead ?? pricing.input) +
    usage.cacheWriteTokens * (pricing.cacheWrite ?? pricing.input) +
    usage.outputTokens * pricing.output;
  return dollars / 1_000_000;
}
