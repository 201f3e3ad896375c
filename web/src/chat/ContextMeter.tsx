import type { Timeline } from './timeline';
import { formatTokens } from './usage';

/** How full the model's context window was at the latest request, and what took the space. */
export function ContextMeter({ context }: { context: NonNullable<Timeline['context']> }) {
  const share = Math.min(1, context.total / context.window);
  const percent = Math.round(share * 100);
  const detail = `Context: about ${formatTokens(context.total)} of ${formatTokens(context.window)} tokens (${percent} %) — system prompt ${formatTokens(context.system)}, tools ${formatTokens(context.tools)}, conversation ${formatTokens(context.conversation)}, tool outputs ${formatTokens(context.toolOutputs)}`;
  return (
    <span
      className="flex items-center gap-1.5 text-xs tabular-nums text-zinc-500"
      title={detail}
      data-testid="context-meter"
    >
      <span
        role="meter"
        aria-label="Context window used"
        aria-valuemin={0}
        aria-valuemax={context.window}
        aria-valuenow={context.total}
        aria-valuetext={detail}
        className="relative hidden h-1.5 w-12 overflow-hidden rounded-full bg-zinc-300 sm:inline-block dark:bg-zinc-700"
      >
        <span
          className={share > 0.8 ? 'absolute inset-y-0 left-0 bg-amber-600' : 'absolute inset-y-0 left-0 bg-teal-700'}
          style={{ width: `${percent}%` }}
        />
      </span>
      <span className="whitespace-nowrap">{percent} %</span>
    </span>
  );
}
