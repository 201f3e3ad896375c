import { useMemo } from 'react';
import { Conversation } from '../chat/Conversation';
import { settleStale } from '../chat/timeline';
import { useRunEvents } from './use-run-events';

const STATE_TEXT = {
  opening: 'Loading the run’s events…',
  lost: 'The connection to the run’s events was lost; reconnecting…',
  failed: 'The run’s events could not be opened. The server may not know this run any more.',
} as const;

/**
 * A team run's session, read-only, as the chat page shows a session. Its children ran on the worker, so their cards
 * (which stop, merge or discard a child of this server) are left out: an `agent` call shows as a plain tool call.
 * Once the run has ended, requests it left open show as no longer answerable.
 */
export function RunEvents({ runId, ended }: { runId: string; ended: boolean }) {
  const { timeline, state, warnings } = useRunEvents(runId);
  const items = useMemo(() => (ended ? settleStale(timeline) : timeline).items, [timeline, ended]);
  return (
    <div className="flex flex-col gap-2">
      {/* An ended run's stream has nothing more to bring: a lost connection is not worth a word. */}
      {state !== 'open' && !(ended && state === 'lost') && (
        <p
          role="status"
          className={
            state === 'failed' ? 'text-sm text-red-700 dark:text-red-400' : 'text-sm text-zinc-600 dark:text-zinc-400'
          }
        >
          {STATE_TEXT[state]}
        </p>
      )}
      {warnings.map((warning, i) => (
        <p key={i} className="text-xs text-amber-800 dark:text-amber-300">
          {warning}
        </p>
      ))}
      {items.length > 0 ? (
        <section
          aria-label={`Events of run ${runId}`}
          // Focusable so the keyboard can scroll it.
          tabIndex={0}
          className="max-h-[32rem] overflow-y-auto rounded-md border border-zinc-200 bg-zinc-50 p-3 focus:outline-2 focus:outline-teal-600 dark:border-zinc-800 dark:bg-zinc-950"
        >
          <Conversation
            items={items}
            agents={[]}
            continueAt={null}
            retryAt={null}
            onFork={undefined}
            onContinue={undefined}
            onRetry={undefined}
          />
        </section>
      ) : (
        state === 'open' && (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            No events yet: the run has not started its session.
          </p>
        )
      )}
    </div>
  );
}
