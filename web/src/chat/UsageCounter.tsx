import type { Timeline } from './timeline';
import { formatCost, formatTokens, totalUsage } from './usage';

/**
 * What the session spent: tokens in and out (from the small breakpoint up) and the cost. A session whose every call
 * was to a model without a known price says so rather than show $0; one with some priced calls shows at least what
 * those cost.
 */
export function UsageCounter({ timeline, toolTokens }: { timeline: Timeline; toolTokens: number | null }) {
  const usage = totalUsage(timeline);
  const unknown = timeline.unpriced && usage.total.costUsd === 0;
  const cost = unknown ? 'price unknown' : `${timeline.unpriced ? '≥ ' : ''}${formatCost(usage.total.costUsd)}`;
  const split =
    timeline.children.length > 0
      ? `Tokens in / out and cost of this session (${formatCost(usage.own.costUsd)}) and its agents (${formatCost(usage.agents.costUsd)})`
      : 'Tokens in / out and cost of this session';
  const unpriced = timeline.unpriced ? '. Some calls were to a model with no known price.' : '';
  const tools = toolTokens !== null ? `. Tool definitions cost about ${toolTokens} tokens per request.` : '';
  return (
    <span
      className="text-xs tabular-nums text-zinc-600 dark:text-zinc-400"
      title={`${split}${unpriced}${tools}`}
      data-testid="usage-counter"
    >
      <span className="hidden sm:inline">
        {toolTokens !== null && <>tools {formatTokens(toolTokens)} · </>}
        {formatTokens(usage.total.inputTokens)} in · {formatTokens(usage.total.outputTokens)} out ·{' '}
      </span>
      <span className="whitespace-nowrap">{cost}</span>
    </span>
  );
}
