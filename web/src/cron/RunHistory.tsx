import type { JobRun } from '@contract/automation';
import { useEffect, useState } from 'react';
import { Badge } from '../components/ui';
import { errorMessage } from '../lib/api';
import { onLinkClick } from '../lib/router';
import { exact } from '../usage/format';
import { costOf, duration, STATUS, TRIGGERS } from './format';
import { loadRuns } from './jobs-api';
import { absolute } from './schedule';

function tokens(run: JobRun): string {
  if (run.inputTokens === undefined && run.outputTokens === undefined) return '—';
  return `${exact.format(run.inputTokens ?? 0)} in · ${exact.format(run.outputTokens ?? 0)} out`;
}

/** A job's runs, newest first; read again whenever one of its runs starts or ends (`version` changes). */
export function RunHistory({ name, version }: { name: string; version: number }) {
  const [runs, setRuns] = useState<JobRun[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    loadRuns(name).then(
      (loaded) => {
        if (!current) return;
        setRuns(loaded);
        setError(null);
      },
      (e: unknown) => current && setError(errorMessage(e)),
    );
    return () => {
      current = false;
    };
  }, [name, version]);
  if (error) return <p className="text-sm text-red-700 dark:text-red-400">The runs could not be loaded: {error}</p>;
  if (!runs) return <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading runs…</p>;
  if (runs.length === 0)
    return <p className="text-sm text-zinc-600 dark:text-zinc-400">No runs yet. Run now, or wait for its next run.</p>;
  return (
    <ol aria-label={`Runs of ${name}`} className="divide-y divide-zinc-200 dark:divide-zinc-800">
      {runs.map((run) => {
        const status = STATUS[run.status];
        return (
          <li key={run.id} className="flex flex-col gap-1 py-2 text-sm">
            <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
              <Badge tone={status.tone}>{status.label}</Badge>
              <time dateTime={run.startedAt} className="font-medium">
                {absolute(run.startedAt)}
              </time>
              <span className="text-zinc-600 dark:text-zinc-400">{TRIGGERS[run.trigger]}</span>
              {run.sessionId && (
                <a
                  href={`/chat/${run.sessionId}`}
                  onClick={onLinkClick(`/chat/${run.sessionId}`)}
                  className="ml-auto text-teal-800 underline underline-offset-2 dark:text-teal-300"
                >
                  Open session
                  <span className="sr-only"> of the run at {absolute(run.startedAt)}</span>
                </a>
              )}
            </div>
            <dl className="flex flex-wrap gap-x-4 gap-y-0.5 text-xs text-zinc-600 dark:text-zinc-400">
              <div className="flex gap-1">
                <dt>Duration</dt>
                <dd className="text-zinc-900 dark:text-zinc-100">{duration(run.startedAt, run.endedAt)}</dd>
              </div>
              <div className="flex gap-1">
                <dt>Cost</dt>
                <dd className="text-zinc-900 dark:text-zinc-100">{costOf(run.costUsd)}</dd>
              </div>
              <div className="flex gap-1">
                <dt>Tokens</dt>
                <dd className="text-zinc-900 dark:text-zinc-100">{tokens(run)}</dd>
              </div>
            </dl>
            {run.error && <p className="text-xs break-words text-red-700 dark:text-red-400">{run.error}</p>}
          </li>
        );
      })}
    </ol>
  );
}
