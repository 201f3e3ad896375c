import type { TeamWorker } from '@contract/team';
import { Badge } from '../components/ui';
import { absolute, relative } from '../cron/schedule';

/** The worker machines, as each last said it is alive. */
export function WorkersList({ workers }: { workers: TeamWorker[] }) {
  if (workers.length === 0)
    return (
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        No worker has connected yet. Start one with <code>boxagnts worker --team WORKER_URL</code>.
      </p>
    );
  return (
    <ul aria-label="Workers" className="divide-y divide-zinc-200 dark:divide-zinc-800">
      {workers.map((worker) => (
        <li key={worker.name} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2 text-sm">
          <span className="font-mono font-medium break-all">{worker.name}</span>
          <Badge tone={worker.online ? 'green' : 'neutral'}>{worker.online ? 'Online' : 'Offline'}</Badge>
          <span>
            {worker.running} of {worker.concurrency} running
          </span>
          <span className="text-zinc-600 sm:ml-auto dark:text-zinc-400">
            Last seen{' '}
            <time dateTime={worker.seenAt} title={absolute(worker.seenAt)}>
              {relative(worker.seenAt)}
            </time>
          </span>
        </li>
      ))}
    </ul>
  );
}
