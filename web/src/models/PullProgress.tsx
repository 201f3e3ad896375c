import { type Pull, PullEventSchema } from '@contract/local-models';
import { CircleCheck, CircleAlert, LoaderCircle, X } from 'lucide-react';
import { useEffect, useRef } from 'react';
import { Button } from '../components/ui';
import { openEventStream } from '../lib/event-stream';
import { formatBytes } from '../lib/format';

const PULL_EVENT_TYPES: ReadonlySet<string> = new Set(['pull.progress']);

/**
 * One model download: a progress bar for the part being downloaded, Ollama's own words for the step, and a way to
 * stop it. A running pull is followed on the server's stream until it ends; the step (not every byte count) is
 * announced to screen readers.
 */
export function PullProgress({
  providerId,
  pull,
  onChange,
  onCancel,
  onDismiss,
}: {
  providerId: string;
  pull: Pull;
  onChange: (pull: Pull) => void;
  onCancel: () => void;
  onDismiss: () => void;
}) {
  const running = pull.state === 'running';
  // The stream is opened once per running pull; the panel hands a new `onChange` on every render.
  const report = useRef(onChange);
  useEffect(() => {
    report.current = onChange;
  }, [onChange]);

  useEffect(() => {
    if (!running) return undefined;
    return openEventStream(
      `/api/providers/${encodeURIComponent(providerId)}/pulls/${encodeURIComponent(pull.id)}/events`,
      { schema: PullEventSchema, knownTypes: PULL_EVENT_TYPES },
      { onEvent: (event) => report.current(event.pull) },
    );
  }, [providerId, pull.id, running]);

  const percent =
    pull.total && pull.completed !== undefined ? Math.min(100, Math.round((pull.completed / pull.total) * 100)) : null;
  const bytes =
    pull.total && pull.completed !== undefined
      ? `${formatBytes(pull.completed)} of ${formatBytes(pull.total)}`
      : undefined;
  const outcome =
    pull.state === 'done'
      ? `${pull.model} is installed.`
      : pull.state === 'failed'
        ? `Pulling ${pull.model} failed: ${pull.error ?? 'no reason given'}`
        : pull.state === 'cancelled'
          ? `Pulling ${pull.model} was cancelled.`
          : `Pulling ${pull.model}: ${pull.status}`;

  return (
    <li className="rounded-md border border-zinc-200 px-3 py-2 text-sm dark:border-zinc-800">
      <div className="flex items-center gap-2">
        {pull.state === 'running' && (
          <LoaderCircle aria-hidden size={15} className="shrink-0 animate-spin text-teal-700 dark:text-teal-400" />
        )}
        {pull.state === 'done' && (
          <CircleCheck aria-hidden size={15} className="shrink-0 text-emerald-700 dark:text-emerald-400" />
        )}
        {(pull.state === 'failed' || pull.state === 'cancelled') && (
          <CircleAlert aria-hidden size={15} className="shrink-0 text-red-700 dark:text-red-400" />
        )}
        <code className="min-w-0 flex-1 truncate font-medium">{pull.model}</code>
        {running ? (
          <Button variant="ghost" aria-label={`Cancel the download of ${pull.model}`} onClick={onCancel}>
            Cancel
          </Button>
        ) : (
          <button
            type="button"
            aria-label={`Dismiss the download of ${pull.model}`}
            onClick={onDismiss}
            className="-m-1 rounded p-1 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800"
          >
            <X aria-hidden size={15} />
          </button>
        )}
      </div>
      {running && (
        <div
          role="progressbar"
          aria-label={`Downloading ${pull.model}`}
          aria-valuemin={0}
          aria-valuemax={100}
          {...(percent !== null ? { 'aria-valuenow': percent } : {})}
          aria-valuetext={percent !== null ? `${percent} % — ${pull.status}, ${bytes}` : pull.status}
          className="mt-2 h-2 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
        >
          <div
            className={
              percent === null
                ? 'h-full w-1/3 animate-pulse bg-teal-700/60'
                : 'h-full bg-teal-700 transition-[width] dark:bg-teal-500'
            }
            style={percent === null ? undefined : { width: `${percent}%` }}
          />
        </div>
      )}
      <p className="mt-1 text-xs text-zinc-600 tabular-nums dark:text-zinc-400">
        {running ? (
          <>
            {pull.status}
            {percent !== null && ` — ${percent} %, ${bytes}`}
          </>
        ) : (
          outcome
        )}
      </p>
      {/* The step, not each byte count: a screen reader hears "pulling manifest", "verifying…", "installed". */}
      <p aria-live="polite" className="sr-only">
        {outcome}
      </p>
    </li>
  );
}
