import type { TeamRun, TeamStatus } from '@contract/team';
import { Network } from 'lucide-react';
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { EmptyState } from '../components/EmptyState';
import { Card, cx, PageHeader } from '../components/ui';
import { errorMessage } from '../lib/api';
import { navigate, useSearch } from '../lib/router';
import { LoadFailed, Notice } from '../models/bits';
import { RunEvents } from './RunEvents';
import { RunRow, runName } from './RunRow';
import { TeamDisabled } from './TeamDisabled';
import { TeamUsage } from './TeamUsage';
import { WorkersList } from './WorkersList';
import { teamPath } from './path';
import { cancelRun } from './team-api';
import { useTeam } from './use-team';

type Enabled = Extract<TeamStatus, { enabled: true }>;

/** Team mode: the queue of job runs across machines, the workers that take them, and what the runs cost. */
export function TeamPage() {
  const { status, error, reload } = useTeam();
  return (
    <div>
      <PageHeader
        title="Team"
        description="Scheduled jobs' runs, queued in the team database and run by worker machines, each in a git worktree at the run's commit."
      />
      {error ? (
        <LoadFailed title="The team's queue could not be loaded" error={error} onRetry={reload} />
      ) : !status ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading the team…</p>
      ) : status.enabled ? (
        <TeamView status={status} reload={reload} />
      ) : (
        <TeamDisabled />
      )}
    </div>
  );
}

function Stat({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <div
      className={cx(
        'min-w-0 rounded-lg border border-zinc-200 bg-white px-3 py-2 dark:border-zinc-800 dark:bg-zinc-900',
        className,
      )}
    >
      <dt className="text-xs text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="mt-0.5 text-sm font-semibold break-all">{children}</dd>
    </div>
  );
}

function TeamView({ status, reload }: { status: Enabled; reload(): void }) {
  const openId = new URLSearchParams(useSearch()).get('run');
  const [cancelling, setCancelling] = useState<TeamRun | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ tone: 'ok' | 'error'; text: string } | null>(null);
  const closeConfirm = useCallback(() => setCancelling(null), []);
  const listed = openId !== null && status.runs.some((run) => run.id === openId);
  // The run the page was opened on (a link from the inbox) is brought into view once; a row opened here stays put.
  const linked = useRef(openId);
  useEffect(() => {
    if (linked.current === null || linked.current !== openId || !listed) return;
    linked.current = null;
    document.getElementById(`run-${openId}`)?.scrollIntoView({ block: 'start' });
  }, [listed, openId]);

  const cancel = async () => {
    if (!cancelling) return;
    const run = cancelling;
    setBusy(true);
    setNotice(null);
    try {
      const cancelled = await cancelRun(run.id);
      setNotice(
        cancelled
          ? { tone: 'ok', text: `Run ${runName(run)} cancelled.` }
          : { tone: 'error', text: `Run ${runName(run)} had already ended.` },
      );
      reload();
    } catch (e) {
      setNotice({ tone: 'error', text: `Could not cancel run ${runName(run)}: ${errorMessage(e)}` });
    } finally {
      setBusy(false);
      setCancelling(null);
    }
  };

  return (
    <div className="flex flex-col gap-6">
      <dl aria-label="Queue" className="grid grid-cols-2 gap-2 sm:grid-cols-6">
        <Stat label="Repository" className="col-span-2">
          <span className="font-mono">{status.remote}</span>
        </Stat>
        <Stat label="Queued">{status.queued}</Stat>
        <Stat label="Running">{status.running}</Stat>
        <Stat label="Cap, all machines">{status.cap}</Stat>
        <Stat label="Lease">{`${status.leaseSeconds} s`}</Stat>
      </dl>
      {notice && (
        <Notice tone={notice.tone} onClose={() => setNotice(null)}>
          {notice.text}
        </Notice>
      )}
      <Card title="Workers">
        <WorkersList workers={status.workers} />
      </Card>
      <section aria-labelledby="team-runs">
        <h2 id="team-runs" className="mb-3 text-base font-semibold">
          Runs
        </h2>
        {openId !== null && !listed && (
          <div className="mb-4 flex flex-col gap-2">
            <Notice tone="warn">Run {openId} is not among the newest runs listed here. Its events:</Notice>
            <RunEvents runId={openId} ended={false} />
          </div>
        )}
        {status.runs.length === 0 ? (
          <EmptyState icon={Network} title="No runs yet">
            A job’s run is queued here when its schedule fires, or when Run now is pressed on the Cron page.
          </EmptyState>
        ) : (
          <ol aria-label="Runs, newest first" className="flex flex-col gap-3">
            {status.runs.map((run) => (
              <RunRow
                key={run.id}
                run={run}
                open={run.id === openId}
                onToggle={() => navigate(teamPath(run.id === openId ? null : run.id), { replace: true })}
                onCancel={() => setCancelling(run)}
              />
            ))}
          </ol>
        )}
      </section>
      <Card title="Usage per model">
        <TeamUsage usage={status.usage} />
      </Card>
      {cancelling && (
        <ConfirmDialog
          title={`Cancel run ${runName(cancelling)}?`}
          message={
            cancelling.status === 'queued'
              ? 'The run leaves the queue and no worker takes it.'
              : 'Its worker stops the run and reports no branch for it.'
          }
          confirmLabel="Cancel run"
          busy={busy}
          onConfirm={() => void cancel()}
          onCancel={closeConfirm}
        />
      )}
    </div>
  );
}
