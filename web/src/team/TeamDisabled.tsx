import { Card } from '../components/ui';

function Command({ children }: { children: string }) {
  return (
    <pre className="mt-1 rounded-md bg-zinc-100 px-3 py-2 font-mono text-xs text-zinc-900 break-words whitespace-pre-wrap dark:bg-zinc-950 dark:text-zinc-100">
      {children}
    </pre>
  );
}

/** This server runs without `--team`: what team mode is, and how to start it. */
export function TeamDisabled() {
  return (
    <Card
      title="Team mode is off"
      description="In team mode, scheduled jobs' runs go on a queue in Postgres, and worker machines take them: each run works in a git worktree at the run's commit, and ends as a branch with its diff summary. This page then shows the queue, the workers and what the runs cost."
    >
      <ol className="flex list-decimal flex-col gap-3 pl-5 text-sm">
        <li>
          Start the server on a team database:
          <Command>boxagnts serve --team postgres://… --admin-user … --admin-pass …</Command>
        </li>
        <li>
          Give each worker machine a role of its own; this prints the worker’s database URL:
          <Command>boxagnts worker-role NAME --team ADMIN_URL</Command>
        </li>
        <li>
          On the worker machine, in a clone of the same repository:
          <Command>boxagnts worker --team WORKER_URL --workspace-dir DIR --concurrency N</Command>
        </li>
      </ol>
      <p className="mt-4 text-sm text-zinc-600 dark:text-zinc-400">
        The section <strong className="font-medium text-zinc-900 dark:text-zinc-100">Team mode</strong> of boxagnts’
        README.md tells the rest: what a worker needs, how leases and re-queues work, and how approvals reach this
        inbox.
      </p>
    </Card>
  );
}
