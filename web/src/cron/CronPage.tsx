import type { JobView } from '@contract/automation';
import { Clock, Plus } from 'lucide-react';
import { useCallback, useState } from 'react';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { EmptyState } from '../components/EmptyState';
import { Button, PageHeader } from '../components/ui';
import { errorMessage } from '../lib/api';
import { navigate } from '../lib/router';
import { LoadFailed, Notice } from '../models/bits';
import { STATUS } from './format';
import { JobForm } from './JobForm';
import { JobRow } from './JobRow';
import { deleteJob, runJob, setEnabled } from './jobs-api';
import { absolute } from './schedule';
import { useJobs } from './use-jobs';

/** `/cron`, `/cron/new` and `/cron/edit/NAME`. */
function editing(path: string): { name: string | undefined } | null {
  const [, , first, second] = path.split('/');
  if (first === 'new') return { name: undefined };
  if (first === 'edit' && second) return { name: decodeURIComponent(second) };
  return null;
}

/** Scheduled agent jobs: each run of one is a session of its own, with its history and cost. */
export function CronPage({ path }: { path: string }) {
  const form = editing(path);
  if (form) return <JobForm key={form.name ?? ''} name={form.name} />;
  return <JobListView />;
}

function JobListView() {
  const { list, error, reload, failures, dismiss, runEvents } = useJobs();
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [started, setStarted] = useState<string | null>(null);
  const [removing, setRemoving] = useState<JobView | null>(null);
  const cancelRemove = useCallback(() => setRemoving(null), []);

  const act = async (job: JobView, what: string, action: () => Promise<unknown>) => {
    setBusy(job.name);
    setActionError(null);
    setStarted(null);
    try {
      await action();
      reload();
      return true;
    } catch (e) {
      setActionError(`Could not ${what} ${job.name}: ${errorMessage(e)}`);
      return false;
    } finally {
      setBusy(null);
    }
  };
  const run = async (job: JobView) => {
    if (await act(job, 'start', () => runJob(job.name))) setStarted(job.name);
  };
  const remove = async () => {
    if (!removing) return;
    const job = removing;
    await act(job, 'delete', () => deleteJob(job.name));
    setRemoving(null);
  };

  return (
    <div>
      <PageHeader
        title="Cron jobs"
        description="Agent prompts that run on a schedule. Each run is a session of its own, with its history and cost."
        actions={
          <Button variant="primary" onClick={() => navigate('/cron/new')}>
            <Plus aria-hidden size={15} /> New job
          </Button>
        }
      />
      <div className="mb-4 flex flex-col gap-2 empty:hidden">
        {failures.map((run) => (
          <Notice
            key={run.id}
            tone="error"
            title={`${run.job}: run ${STATUS[run.status].label.toLowerCase()} (${absolute(run.startedAt)})`}
            onClose={() => dismiss(run.id)}
          >
            {run.error ?? 'The run did not finish its work.'}
          </Notice>
        ))}
        {list?.problem && (
          <Notice tone="error" title="jobs.json could not be read">
            {list.problem}
          </Notice>
        )}
        {actionError && (
          <Notice tone="error" onClose={() => setActionError(null)}>
            {actionError}
          </Notice>
        )}
        {started && (
          <Notice tone="ok" onClose={() => setStarted(null)}>
            {started} started. Its run shows in its run history.
          </Notice>
        )}
      </div>
      {error ? (
        <LoadFailed title="The jobs could not be loaded" error={error} onRetry={reload} />
      ) : !list ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading jobs…</p>
      ) : list.jobs.length === 0 ? (
        <EmptyState icon={Clock} title="No jobs yet">
          A job runs an agent prompt on a schedule: every morning, every hour, or once at a set time. Create one with
          New job.
        </EmptyState>
      ) : (
        <ul aria-label="Jobs" className="flex flex-col gap-3">
          {list.jobs.map((job) => (
            <JobRow
              key={job.name}
              job={job}
              runVersion={runEvents[job.name] ?? 0}
              busy={busy === job.name}
              onToggle={(enabled) => void act(job, enabled ? 'resume' : 'pause', () => setEnabled(job, enabled))}
              onRun={() => void run(job)}
              onDelete={() => setRemoving(job)}
            />
          ))}
        </ul>
      )}
      {removing && (
        <ConfirmDialog
          title={`Delete ${removing.name}?`}
          message="The job stops running. Its past runs' sessions stay in Chat."
          confirmLabel="Delete job"
          busy={busy === removing.name}
          onConfirm={() => void remove()}
          onCancel={cancelRemove}
        />
      )}
    </div>
  );
}
