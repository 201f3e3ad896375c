import type { ChildUsage } from '@contract/events';
import type { Timeline } from './timeline';

export function formatTokens(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

export function formatCost(usd: number): string {
  return `$${usd.toFixed(usd < 1 ? 4 : 2)}`;
}

/**
 * What the session's runs spent, their agents included: the session's own model calls (its `usage` events) and each
 * child's spending, live while it runs (a child's own children are in its figures).
 */
export function totalUsage(timeline: Timeline): { own: ChildUsage; agents: ChildUsage; total: ChildUsage } {
  const own = timeline.usage;
  const agents = timeline.children.reduce(
    (sum, child) => ({
      inputTokens: sum.inputTokens + child.usage.inputTokens,
      outputTokens: sum.outputTokens + child.usage.outputTokens,
      costUsd: sum.costUsd + child.usage.costUsd,
    }),
    { inputTokens: 0, outputTokens: 0, costUsd: 0 },
  );
  return {
    own,
    agents,
    total: {
      inputTokens: own.inputTokens + agents.inputTokens,
      outputTokens: own.outputTokens + agents.outputTokens,
      costUsd: own.costUsd + agents.costUsd,
    },
  };
}
