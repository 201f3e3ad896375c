import type { LanguageModelUsage } from 'ai';
import type { RunEventOf } from '../contract/events';
import { costUsd } from '../models/cost';
import type { ResolvedModel } from '../models/providers';

/** The `usage` event of one model call: its tokens, and its cost from the model's price (unknown without one). */
export function usageEvent(runId: string, model: ResolvedModel, usage: LanguageModelUsage): RunEventOf<'usage'> {
  const tokens = {
    inputTokens: usage.inputTokens ?? 0,
    outputTokens: usage.outputTokens ?? 0,
    cacheReadTokens: usage.inputTokenDetails?.cacheReadTokens ?? 0,
    cacheWriteTokens: usage.inputTokenDetails?.cacheWriteTokens ?? 0,
  };
  return {
    type: 'usage',
    runId,
    provider: model.providerId,
    model: model.modelId,
    ...tokens,
    costUsd: costUsd(tokens, model.info.pricing),
    // A model without a price cost something unknown, not nothing.
    ...(model.info.pricing ? {} : { costKnown: false as const }),
  };
}
