import { Scissors } from 'lucide-react';
import type { TimelineItem } from './timeline';
import { formatTokens } from './usage';

type Compaction = Extract<TimelineItem, { kind: 'compaction' }>;

/** Scrolls to a tool call's card (its output is still stored whole, and shown there). */
function showCall(callId: string) {
  document.querySelector(`[data-call-id="${CSS.escape(callId)}"]`)?.scrollIntoView({ block: 'center' });
}

/**
 * Where the model's view of the conversation was made smaller: a divider that says how much, and opens to the
 * summary it now reads and the tool outputs it reads as stubs (each a link to the output, which stays stored whole).
 */
export function CompactionDivider({ item }: { item: Compaction }) {
  const title =
    item.compaction === 'summary'
      ? `Earlier messages compacted${item.manual ? ' (on request)' : ''}`
      : `${item.masked.length} older tool output${item.masked.length === 1 ? '' : 's'} shortened for the model`;
  return (
    <details data-testid="compaction-divider" className="group my-1 text-sm text-zinc-600 dark:text-zinc-400">
      <summary className="flex cursor-pointer select-none items-center gap-2 rounded-md py-1 hover:text-zinc-900 dark:hover:text-zinc-100">
        <span aria-hidden className="h-px flex-1 bg-zinc-300 dark:bg-zinc-700" />
        <Scissors size={13} aria-hidden />
        <span>
          {title} — {formatTokens(item.tokensBefore)} → {formatTokens(item.tokensAfter)} tokens
        </span>
        <span aria-hidden className="h-px flex-1 bg-zinc-300 dark:bg-zinc-700" />
      </summary>
      <div className="mt-2 space-y-2 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
        <p className="text-xs">
          What the model is sent from here on; everything before stays in the session as it was.
        </p>
        {item.summary && (
          <div>
            <p className="text-xs font-medium text-zinc-700 dark:text-zinc-300">The summary it reads</p>
            <pre className="mt-1 max-h-80 overflow-auto whitespace-pre-wrap break-words font-sans text-xs">
              {item.summary}
            </pre>
          </div>
        )}
        {item.masked.length > 0 && (
          <ul className="space-y-1">
            {item.masked.map((m) => (
              <li key={m.callId}>
                <button
                  type="button"
                  onClick={() => showCall(m.callId)}
                  className="text-left font-mono text-xs text-teal-800 underline-offset-2 hover:underline dark:text-teal-300"
                >
                  {m.stub}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </details>
  );
}
