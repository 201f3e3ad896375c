import type { JobList, JobRun } from '@contract/automation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../lib/api';
import { onGlobalEvents } from '../lib/global-events';
import { loadJobs } from './jobs-api';

/** A run's end that someone should hear about: the job did not do its work. */
const FAILED: ReadonlySet<JobRun['status']> = new Set(['error', 'refused', 'interrupted']);

/**
 * The jobs, kept current from the global stream (`jobs.changed`, and `job.run` as runs start and end), the runs
 * that failed while the page was open (to show until dismissed), and a counter of run events per job so that an
 * open run history knows to read itself again.
 */
export function useJobs() {
  const [list, setList] = useState<JobList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [failures, setFailures] = useState<JobRun[]>([]);
  const [runEvents, setRunEvents] = useState<Record<string, number>>({});
  const seq = useRef(0);
  const load = useCallback(() => {
    const mine = ++seq.current;
    loadJobs().then(
      (loaded) => {
        if (mine !== seq.current) return;
        setList(loaded);
        setError(null);
      },
      (e: unknown) => mine === seq.current && setError(errorMessage(e)),
    );
  }, []);
  useEffect(load, [load]);
  useEffect(
    () =>
      onGlobalEvents({
        onEvent: (event) => {
          if (event.type === 'jobs.changed') load();
          if (event.type !== 'job.run') return;
          const { run } = event;
          load();
          setRunEvents((counts) => ({ ...counts, [run.job]: (counts[run.job] ?? 0) + 1 }));
          if (FAILED.has(run.status)) setFailures((shown) => [run, ...shown.filter((r) => r.id !== run.id)]);
        },
        onRestart: load,
      }),
    [load],
  );
  const dismiss = useCallback((id: string) => setFailures((shown) => shown.filter((r) => r.id !== id)), []);
  return { list, error, reload: load, failures, dismiss, runEvents };
}
