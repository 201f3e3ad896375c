import type { JobView } from '@contract/automation';
import { ChevronDown, ChevronRight, Pencil, Play, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { Badge, Button, Switch } from '../components/ui';
import { navigate } from '../lib/router';
import { STATUS } from './format';
import { RunHistory } from './RunHistory';
import { Sparkline } from './Sparkline';
import { absolute, relative, scheduleWords } from './schedule';

function NextRun({ job }: { job: JobView }) {
  if (!job.enabled) return <span>Paused</span>;
  if (!job.nextRun) return <span>No next run</span>;
  return (
    <span>
      Next {relative(job.nextRun)}{' '}
      <time dateTime={job.nextRun} className="text-zinc-600 dark:text-zinc-400">
        ({absolute(job.nextRun)})
      </time>
    </span>
  );
}

/** One job: what it does and when, how its last runs went, and what can be done with it. */
export function JobRow({
  job,
  runVersion,
  busy,
  onToggle,
  onRun,
  onDelete,
}: {
  job: JobView;
  runVersion: number;
  busy: boolean;
  onToggle(enabled: boolean): void;
  onRun(): void;
  onDelete(): void;
}) {
  const [open, setOpen] = useState(false);
  const last = job.running ? STATUS.running : job.lastRun ? STATUS[job.lastRun.status] : null;
  const historyId = `runs-${job.name}`;
  return (
    <li className="rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
      <div className="flex flex-col gap-3 p-4 sm:flex-row sm:items-start">
        <div className="min-w-0 flex-1">
          <div className="flex flex-wrap items-center gap-2">
            <h2 className="font-mono text-base font-semibold break-all">{job.name}</h2>
            {last ? <Badge tone={last.tone}>{last.label}</Badge> : <Badge>Never run</Badge>}
          </div>
          <p className="mt-1 text-sm">{scheduleWords(job.schedule)}</p>
          <p className="mt-0.5 text-sm">
            <NextRun job={job} />
          </p>
          <p className="mt-1 line-clamp-2 text-sm break-words text-zinc-600 dark:text-zinc-400">{job.prompt}</p>
        </div>
        <div className="flex flex-wrap items-center gap-2 sm:justify-end">
          <Sparkline recent={job.recent} />
          <label className="flex items-center gap-2 text-sm">
            <Switch checked={job.enabled} onChange={onToggle} disabled={busy} label={`${job.name} enabled`} />
            <span aria-hidden>{job.enabled ? 'On' : 'Paused'}</span>
          </label>
          <Button onClick={onRun} disabled={busy} aria-label={`Run ${job.name} now`}>
            <Play aria-hidden size={14} /> Run now
          </Button>
          <Button onClick={() => navigate(`/cron/edit/${job.name}`)} aria-label={`Edit ${job.name}`}>
            <Pencil aria-hidden size={14} /> Edit
          </Button>
          <Button variant="danger-ghost" onClick={onDelete} aria-label={`Delete ${job.name}`}>
            <Trash2 aria-hidden size={14} /> Delete
          </Button>
        </div>
      </div>
      <div className="border-t border-zinc-200 px-4 py-2 dark:border-zinc-800">
        <button
          type="button"
          aria-expanded={open}
          aria-controls={historyId}
          onClick={() => setOpen((o) => !o)}
          className="inline-flex items-center gap-1 text-sm font-medium text-teal-800 dark:text-teal-300"
        >
          {open ? <ChevronDown aria-hidden size={15} /> : <ChevronRight aria-hidden size={15} />}
          Run history<span className="sr-only"> of {job.name}</span>
        </button>
        {open && (
          <div id={historyId} className="mt-1">
            <RunHistory name={job.name} version={runVersion} />
          </div>
        )}
      </div>
    </li>
  );
}
