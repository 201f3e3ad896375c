import { CompactionDivider } from './CompactionDivider';
import { Copy, GitBranch, Info, Play, RotateCcw, TriangleAlert } from 'lucide-react';
import { ApprovalCard, QuestionCard } from '../approvals/RequestCards';
import { Button, cx } from '../components/ui';
import { ChildCard } from './ChildCard';
import { Markdown } from './Markdown';
import { ToolCard } from './ToolCard';
import { useNow } from '../lib/use-now';
import type { ChildView, RetryView, TimelineItem } from './timeline';

function MessageActions({
  text,
  eventId,
  onFork,
}: {
  text: string;
  eventId: number | null;
  onFork: ((eventId: number) => void) | undefined;
}) {
  return (
    <div className="mt-1 flex gap-1 opacity-100 transition-opacity sm:opacity-0 sm:group-hover:opacity-100 sm:group-focus-within:opacity-100">
      <button
        type="button"
        title="Copy"
        aria-label="Copy message"
        onClick={() => void navigator.clipboard?.writeText(text)}
        className="rounded p-1 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 dark:hover:bg-zinc-800 dark:hover:text-zinc-200"
      >
        <Copy size={14} />
      </button>
      {eventId !== null && onFork && (
        <button
          type="button"
          title="Fork a new session from here"
          aria-label="Fork from here"
          onClick={() => onFork(eventId)}
          className="rounded p-1 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 dark:hover:bg-zinc-800 dark:hover:text-zinc-200"
        >
          <GitBranch size={14} />
        </button>
      )}
    </div>
  );
}

/** A failed model call about to be tried again: a countdown to the next attempt, and why the last one failed. */
function RetryNotice({ retry }: { retry: RetryView }) {
  const now = useNow(true);
  const seconds = Math.ceil((retry.at - now) / 1000);
  const attempt = retry.of ? `attempt ${retry.attempt} of ${retry.of}` : `attempt ${retry.attempt}`;
  // The seconds tick for the eye only: a screen reader is told once per attempt, not every second.
  return (
    <div className="mb-2 text-xs text-amber-800 dark:text-amber-300" data-testid="retry-notice">
      <p className="flex items-center gap-1.5 font-medium" aria-hidden>
        <TriangleAlert size={13} />
        {seconds > 0 ? `Retrying in ${seconds} s` : 'Retrying now'} ({attempt})
      </p>
      <p role="status" className="sr-only">
        Retrying the model call, {attempt}.
      </p>
      <p className="mt-0.5 break-words text-zinc-600 dark:text-zinc-400">{retry.reason}</p>
    </div>
  );
}

interface ItemActions {
  /** Forks a new session at a message; absent where the session cannot change (an archived one). */
  onFork: ((eventId: number) => void) | undefined;
  /** Starts a run that continues an interrupted one; absent while that cannot be done (a run is going on). */
  onContinue: (() => void) | undefined;
  /** Sends the failed run's message again; absent while that cannot be done. */
  onRetry: (() => void) | undefined;
}

function Item({
  item,
  agents,
  offerContinue,
  offerRetry,
  onFork,
  onContinue,
  onRetry,
}: { item: TimelineItem; agents: ChildView[]; offerContinue: boolean; offerRetry: boolean } & ItemActions) {
  switch (item.kind) {
    case 'user':
      return (
        <div className="group flex flex-col items-end">
          <div
            data-testid="user-message"
            className="max-w-[85%] whitespace-pre-wrap break-words rounded-2xl rounded-br-md bg-teal-700 px-4 py-2 text-sm text-white dark:bg-teal-800"
          >
            {item.text}
          </div>
          <MessageActions text={item.text} eventId={item.eventId} onFork={onFork} />
        </div>
      );
    case 'assistant': {
      if (!item.text && !item.reasoning && !item.retry && !item.streaming) return null;
      return (
        <div className="group" data-testid="assistant-message">
          {item.reasoning && (
            <details className="mb-2 text-sm text-zinc-500">
              <summary className="cursor-pointer select-none">Reasoning</summary>
              <div className="mt-1 whitespace-pre-wrap border-l-2 border-zinc-200 pl-3 dark:border-zinc-700">
                {item.reasoning}
              </div>
            </details>
          )}
          {item.retry && <RetryNotice retry={item.retry} />}
          {item.text ? (
            <Markdown text={item.text} />
          ) : (
            item.streaming &&
            !item.retry && (
              <span className="inline-block h-4 w-2 animate-pulse bg-zinc-400" aria-label="Waiting for the model" />
            )
          )}
          {item.interrupted && <p className="mt-1 text-xs italic text-zinc-500">(interrupted)</p>}
          {!item.streaming && item.text && <MessageActions text={item.text} eventId={item.eventId} onFork={onFork} />}
        </div>
      );
    }
    case 'tool': {
      // An `agent` call that started a child shows the child; one refused or not yet approved is a plain call.
      const child = item.name === 'agent' ? agents.find((c) => c.callId === item.callId) : undefined;
      return child ? <ChildCard child={child} item={item} /> : <ToolCard item={item} />;
    }
    case 'compaction':
      return <CompactionDivider item={item} />;
    case 'approval':
      return <ApprovalCard request={item.request} />;
    case 'question':
      return <QuestionCard request={item.request} />;
    case 'notice':
      return (
        <div
          role={item.tone === 'error' ? 'alert' : 'status'}
          className={cx(
            'flex gap-2 rounded-md px-3 py-2 text-sm',
            item.tone === 'error'
              ? 'bg-red-50 text-red-800 dark:bg-red-950 dark:text-red-200'
              : 'text-zinc-500 dark:text-zinc-400',
          )}
        >
          {item.tone === 'error' ? (
            <TriangleAlert size={16} className="mt-0.5 shrink-0" aria-hidden />
          ) : (
            <Info size={16} className="mt-0.5 shrink-0" aria-hidden />
          )}
          <div className="min-w-0 break-words">
            <p>{item.text}</p>
            {offerContinue && (
              <Button
                variant="secondary"
                className="mt-2"
                disabled={!onContinue}
                onClick={onContinue}
                title="Start a new run that asks the agent to go on where it stopped"
              >
                <Play size={14} aria-hidden /> Continue
              </Button>
            )}
            {offerRetry && (
              <Button
                variant="secondary"
                className="mt-2"
                disabled={!onRetry}
                onClick={onRetry}
                title="Send your last message again"
              >
                <RotateCcw size={14} aria-hidden /> Retry
              </Button>
            )}
          </div>
        </div>
      );
  }
}

/**
 * `continueAt` / `retryAt`: the keys of the items that offer to continue an interrupted run / to retry a failed one;
 * `agents`: the session's children.
 */
export function Conversation({
  items,
  agents,
  continueAt,
  retryAt,
  onFork,
  onContinue,
  onRetry,
}: {
  items: TimelineItem[];
  agents: ChildView[];
  continueAt: string | null;
  retryAt: string | null;
} & ItemActions) {
  return (
    <div className="space-y-4">
      {items.map((item) => (
        <Item
          key={item.key}
          item={item}
          agents={agents}
          offerContinue={item.key === continueAt}
          offerRetry={item.key === retryAt}
          onFork={onFork}
          onContinue={onContinue}
          onRetry={onRetry}
        />
      ))}
    </div>
  );
}
