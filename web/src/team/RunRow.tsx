import type { TeamRun } from '@contract/team';
import { ChevronDown, ChevronRight, CircleStop, GitBranch } from 'lucide-react';
import { Badge, Button } from '../components/ui';
import { costOf, STATUS, TRIGGERS } from '../cron/format';
import { absolute } from '../cron/schedule';
import { exact } from '../usage/format';
import { RunEvents } from './RunEvents';

/** A run that has not ended: it can still be cancelled, and its events may still come. */
export const isOpen = (run: TeamRun): boolean => run.status === 'queued' || run.status === 'running';

/** A run's name on the page: its job, or its id when it has none. */
export const runName = (run: Pick<TeamRun, 'id' | 'job'>): string => run.job ?? run.id;

function When({ label, iso }: { label: string; iso: string | null }) {
  return (
    <div className="flex gap-1">
      <dt>{label}</dt>
      <dd className="text-zinc-900 dark:text-zinc-100">{iso ? <time dateTime={iso}>{absolute(iso)}</time> : '—'}</dd>
    </div>
  );
}

function Field({ label, children }: { label: string; children: string }) {
  return (
    <div className="flex gap-1">
      <dt>{label}</dt>
      <dd className="break-all text-zinc-900 dark:text-zinc-100">{children}</dd>
    </div>
  );
}

/** The branch a run pushed with its diff summary, or why there is none. */
function Changes({ run }: { run: TeamRun }) {
  if (!run.branch)
    return (
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        {isOpen(run) ? 'No branch yet: the run has not ended.' : 'No branch: the run changed nothing.'}
      </p>
    );
  return (
    <div className="text-sm">
      <p className="flex items-center gap-1.5 font-medium">
        <GitBranch aria-hidden size={14} />
        <span className="font-mono break-all">{run.branch}</span>
      </p>
      {run.diffSummary && (
        <pre
          // Focusable so the keyboard can scroll a long line sideways; its columns line up only unwrapped.
          tabIndex={0}
          role="region"
          aria-label={`Diff summary of ${run.branch}`}
          className="mt-1 overflow-x-auto rounded-md bg-zinc-100 p-2 font-mono text-xs dark:bg-zinc-950"
        >
          {run.diffSummary}
        </pre>
      )}
    </div>
  );
}

/** One team run: its status, where and when it ran, what it cost; opened, its branch and its session's events. */
export function RunRow({
  run,
  open,
  onToggle,
  onCancel,
}: {
  run: TeamRun;
  open: boolean;
  onToggle(): void;
  onCancel(): void;
}) {
  const status = STATUS[run.status];
  const name = runName(run);
  const detailId = `run-detail-${run.id}`;
  return (
    <li
      id={`run-${run.id}`}
      className="rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex flex-col gap-2 p-4 sm:flex-row sm:items-start">
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-2">
            <Badge tone={status.tone}>{status.label}</Badge>
            <h3 className="font-mono text-sm font-semibold break-all">{name}</h3>
            <span className="text-sm text-zinc-600 dark:text-zinc-400">{TRIGGERS[run.trigger]}</span>
            {run.attempt > 0 && (
              <Badge tone="amber" title="A worker lost its lease on an earlier attempt">
                Re-queued · attempt {run.attempt + 1}
              </Badge>
            )}
          </div>
          <dl className="mt-1.5 flex flex-wrap gap-x-4 gap-y-0.5 text-xs text-zinc-600 dark:text-zinc-400">
            <Field label="Worker">{run.worker ?? 'none yet'}</Field>
            <When label="Enqueued" iso={run.enqueuedAt} />
            <When label="Started" iso={run.startedAt} />
            <When label="Finished" iso={run.finishedAt} />
            {run.interruptedAt && <When label="Interrupted" iso={run.interruptedAt} />}
            <Field label="Cost">{isOpen(run) ? '—' : costOf(run.costUsd)}</Field>
            <Field label="Tokens">{`${exact.format(run.inputTokens)} in · ${exact.format(run.outputTokens)} out`}</Field>
          </dl>
          {run.error && <p className="mt-1 text-xs break-words text-red-700 dark:text-red-400">{run.error}</p>}
        </div>
        {isOpen(run) && (
          <div className="flex sm:justify-end">
            <Button variant="danger-ghost" onClick={onCancel} aria-label={`Cancel run ${name}`}>
              <CircleStop aria-hidden size={14} /> Cancel
            </Button>
          </div>
        )}
      </div>
      <div className="border-t border-zinc-200 px-4 py-2 dark:border-zinc-800">
        <button
          type="button"
          aria-expanded={open}
          aria-controls={detailId}
          onClick={onToggle}
          className="inline-flex items-center gap-1 text-sm font-medium text-teal-800 dark:text-teal-300"
        >
          {open ? <ChevronDown aria-hidden size={15} /> : <ChevronRight aria-hidden size={15} />}
          Details<span className="sr-only"> of run {name}</span>
        </button>
        {open && (
          <div id={detailId} className="mt-2 flex flex-col gap-3 pb-2">
            <dl className="flex flex-wrap gap-x-4 gap-y-0.5 text-xs text-zinc-600 dark:text-zinc-400">
              <Field label="Run">{run.id}</Field>
              <Field label="Commit">{run.commit}</Field>
              {run.scheduledFor && <Field label="Scheduled for">{absolute(run.scheduledFor)}</Field>}
              {run.sessionId && <Field label="Session on the worker">{run.sessionId}</Field>}
            </dl>
            <Changes run={run} />
            <RunEvents runId={run.id} ended={!isOpen(run)} />
          </div>
        )}
      </div>
    </li>
  );
}
