import type { JobRun, JobRunStatus } from '../contract/automation';
import type { TeamRun, TeamUsage, TeamWorker } from '../contract/team';
import type { Queryable } from './database';

/** Announces that a run changed (queued, leased, ended, interrupted); the payload is its id. */
export const RUNS_CHANNEL = 'boxagnts_runs';

/** A job run's end as the worker reports it. */
export type RunEnd = {
  status: JobRunStatus;
  sessionId?: string | undefined;
  model?: string | undefined;
  costUsd?: number | null | undefined;
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
  branch?: string | undefined;
  diffSummary?: string | undefined;
  error?: string | undefined;
};

interface RunRow {
  id: string;
  job: string | null;
  trigger: JobRun['trigger'];
  status: JobRunStatus;
  commit_sha: string | null;
  scheduled_for: Date | null;
  enqueued_at: Date;
  started_at: Date | null;
  interrupted_at: Date | null;
  finished_at: Date | null;
  worker: string | null;
  attempt: number;
  session_id: string | null;
  branch: string | null;
  diff_summary: string | null;
  error: string | null;
  cost_usd: number | null;
  input_tokens: string;
  output_tokens: string;
}

const RUN_COLUMNS = `id, job, trigger, status, commit_sha, scheduled_for, enqueued_at, started_at, interrupted_at, finished_at, worker,
  attempt, session_id, branch, diff_summary, error, cost_usd, input_tokens, output_tokens`;

const iso = (date: Date | null) => date?.toISOString() ?? null;

function teamRun(row: RunRow): TeamRun {
  return {
    id: row.id,
    job: row.job,
    trigger: row.trigger,
    status: row.status,
    commit: row.commit_sha ?? '',
    scheduledFor: iso(row.scheduled_for),
    enqueuedAt: row.enqueued_at.toISOString(),
    startedAt: iso(row.started_at),
    interruptedAt: iso(row.interrupted_at),
    finishedAt: iso(row.finished_at),
    worker: row.worker,
    attempt: row.attempt,
    sessionId: row.session_id,
    branch: row.branch,
    diffSummary: row.diff_summary,
    error: row.error,
    costUsd: row.cost_usd,
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
  };
}

/** A team run as a line of its job's history. */
export function jobRunOf(run: TeamRun): JobRun {
  const ended = run.finishedAt !== null;
  return {
    id: run.id,
    job: run.job ?? '',
    trigger: run.trigger,
    ...(run.scheduledFor ? { scheduledFor: run.scheduledFor } : {}),
    startedAt: run.startedAt ?? run.enqueuedAt,
    ...(ended ? { endedAt: run.finishedAt! } : {}),
    status: run.status,
    ...(run.sessionId ? { sessionId: run.sessionId } : {}),
    ...(ended ? { costUsd: run.costUsd, inputTokens: run.inputTokens, outputTokens: run.outputTokens } : {}),
    ...(run.error ? { error: run.error } : {}),
  };
}

/** Registers the workspace a server queues runs for (its remote is its id on every machine). */
export async function registerWorkspace(db: Queryable, remote: string, name: string): Promise<void> {
  await db.query(
    `INSERT INTO boxagnts.workspaces (id, name, remote_url) VALUES ($1, $2, $1)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name`,
    [remote, name],
  );
}

export async function isWorkspaceRegistered(db: Queryable, remote: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM boxagnts.workspaces WHERE id = $1', [remote]);
  return rowCount === 1;
}

/** Records a run before it is queued, so a worker that leases it at once finds its row. */
export async function insertRun(
  db: Queryable,
  run: Pick<JobRun, 'id' | 'job' | 'trigger' | 'scheduledFor'> & { workspace: string; commit: string | null },
  status: JobRunStatus = 'queued',
  error?: string,
): Promise<void> {
  await db.query(
    `WITH added AS (
       INSERT INTO boxagnts.runs (id, workspace_id, job, trigger, commit_sha, status, scheduled_for, error, finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $6 = 'queued' THEN NULL ELSE now() END) RETURNING id
     )
     SELECT pg_notify($9, id) FROM added`,
    [
      run.id,
      run.workspace,
      run.job,
      run.trigger,
      run.commit,
      status,
      run.scheduledFor ?? null,
      error ?? null,
      RUNS_CHANNEL,
    ],
  );
}

/** Announces a run changed outside a statement of this module (queued in pg-boss's table): workers ask for it now. */
export async function announceRun(db: Queryable, id: string): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [RUNS_CHANNEL, id]);
}

/**
 * The run is leased by `worker`, on its `attempt`-th try (in the lease's transaction). Its times are the clock's at
 * the statement, not the transaction's start: a lease that waited for the lease lock starts after the runs it saw end.
 * A run still marked running is one whose lease expired before the sweep saw it: its interruption is recorded now.
 */
export async function markRunning(db: Queryable, id: string, worker: string, attempt: number): Promise<void> {
  await db.query(
    `WITH leased AS (
       UPDATE boxagnts.runs SET status = 'running', worker = $2, attempt = $3, started_at = clock_timestamp(),
         interrupted_at = CASE WHEN status = 'running' THEN clock_timestamp() ELSE interrupted_at END,
         finished_at = NULL,
         error = NULL
       WHERE id = $1 RETURNING id
     )
     SELECT pg_notify($4, id) FROM leased`,
    [id, worker, attempt, RUNS_CHANNEL],
  );
}

/** The run's end, as its worker reports it (in the report's transaction, so only the lease holder's counts). */
export async function markEnded(db: Queryable, id: string, end: RunEnd): Promise<void> {
  await db.query(
    `WITH ended AS (
       UPDATE boxagnts.runs SET status = $2, session_id = $3, model = $4, cost_usd = $5, input_tokens = $6,
         output_tokens = $7, branch = $8, diff_summary = $9, error = $10, finished_at = clock_timestamp()
       WHERE id = $1 RETURNING id
     )
     SELECT pg_notify($11, id) FROM ended`,
    [
      id,
      end.status,
      end.sessionId ?? null,
      end.model ?? null,
      end.costUsd ?? null,
      end.inputTokens ?? 0,
      end.outputTokens ?? 0,
      end.branch ?? null,
      end.diffSummary ?? null,
      end.error ?? null,
      RUNS_CHANNEL,
    ],
  );
}

/** The run was given back by its worker as it stopped (in the release's transaction): interrupted, as by a death. */
export async function markReleased(db: Queryable, id: string): Promise<void> {
  await db.query(
    `WITH released AS (
       UPDATE boxagnts.runs SET status = 'interrupted', interrupted_at = clock_timestamp(),
         finished_at = clock_timestamp(), error = 'its worker was stopped while it ran'
       WHERE id = $1 RETURNING id
     )
     SELECT pg_notify($2, id) FROM released`,
    [id, RUNS_CHANNEL],
  );
}

/** The run was cancelled on the server before or while it ran. */
export async function markCancelled(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `WITH cancelled AS (
       UPDATE boxagnts.runs SET status = 'cancelled', finished_at = now()
       WHERE id = $1 AND status IN ('queued', 'running', 'interrupted') RETURNING id
     )
     SELECT pg_notify($2, id) FROM cancelled`,
    [id, RUNS_CHANNEL],
  );
  return rowCount === 1;
}

/**
 * Marks interrupted every running run whose lease the queue no longer holds for that attempt: its worker stopped
 * renewing it (the machine died, or lost the database) and the queue's maintenance expired it, re-queueing the run
 * when its job allows a retry (a worker then leases it again) or failing it for good. Answers the runs interrupted.
 */
export async function interruptExpired(db: Queryable): Promise<TeamRun[]> {
  const { rows } = await db.query<RunRow>(
    `WITH lost AS (
       UPDATE boxagnts.runs run SET status = 'interrupted', finished_at = clock_timestamp(),
         interrupted_at = clock_timestamp(),
         error = 'its worker stopped renewing its lease (the machine or its connection was lost)'
       FROM pgboss.job job
       WHERE job.id::text = run.id AND run.status = 'running'
         AND NOT (job.state = 'active' AND job.retry_count = run.attempt)
       RETURNING run.*
     )
     SELECT *, pg_notify($1, id) FROM lost`,
    [RUNS_CHANNEL],
  );
  return rows.map(teamRun);
}

export async function getRun(db: Queryable, id: string, workspace: string): Promise<TeamRun | null> {
  const { rows } = await db.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM boxagnts.runs WHERE id = $1 AND workspace_id = $2`,
    [id, workspace],
  );
  return rows[0] ? teamRun(rows[0]) : null;
}

/** The workspace's runs, newest first; one job's when `job` is given. */
export async function listRuns(
  db: Queryable,
  workspace: string,
  options: { job?: string; limit: number; states?: readonly JobRunStatus[] },
): Promise<TeamRun[]> {
  const { rows } = await db.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM boxagnts.runs
     WHERE workspace_id = $1 AND ($2::text IS NULL OR job = $2) AND ($3::text[] IS NULL OR status = ANY ($3))
     ORDER BY enqueued_at DESC, id DESC LIMIT $4`,
    [workspace, options.job ?? null, options.states ?? null, options.limit],
  );
  return rows.map(teamRun);
}

/** A worker says it is alive (at start, then every few seconds). */
export async function touchWorker(
  db: Queryable,
  worker: { name: string; workspace: string; concurrency: number },
  starting = false,
): Promise<void> {
  await db.query(
    `WITH seen AS (
       INSERT INTO boxagnts.workers (name, workspace_id, concurrency) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET workspace_id = excluded.workspace_id, concurrency = excluded.concurrency,
         seen_at = now(), started_at = CASE WHEN $4 THEN now() ELSE boxagnts.workers.started_at END
       RETURNING name
     )
     SELECT pg_notify($5, '') FROM seen WHERE $4`,
    [worker.name, worker.workspace, worker.concurrency, starting, RUNS_CHANNEL],
  );
}

export async function listWorkers(db: Queryable, workspace: string, leaseSeconds: number): Promise<TeamWorker[]> {
  const { rows } = await db.query<{
    name: string;
    concurrency: number;
    started_at: Date;
    seen_at: Date;
    online: boolean;
    running: string;
  }>(
    `SELECT w.name, w.concurrency, w.started_at, w.seen_at, w.seen_at > now() - make_interval(secs => $2) AS online,
       (SELECT count(*) FROM boxagnts.runs r WHERE r.worker = w.name AND r.status = 'running') AS running
     FROM boxagnts.workers w WHERE w.workspace_id = $1 ORDER BY w.name`,
    [workspace, leaseSeconds],
  );
  return rows.map((r) => ({
    name: r.name,
    concurrency: r.concurrency,
    startedAt: r.started_at.toISOString(),
    seenAt: r.seen_at.toISOString(),
    online: r.online,
    running: Number(r.running),
  }));
}

/** The workspace's queued and running runs, counted. */
export async function countRuns(db: Queryable, workspace: string): Promise<{ queued: number; running: number }> {
  const { rows } = await db.query<{ queued: string; running: string }>(
    `SELECT count(*) FILTER (WHERE status = 'queued') AS queued, count(*) FILTER (WHERE status = 'running') AS running
     FROM boxagnts.runs WHERE workspace_id = $1`,
    [workspace],
  );
  return { queued: Number(rows[0]?.queued ?? 0), running: Number(rows[0]?.running ?? 0) };
}

/** What the workspace's ended runs cost, per model. */
export async function usageByModel(db: Queryable, workspace: string): Promise<TeamUsage[]> {
  const { rows } = await db.query<{
    model: string;
    runs: string;
    input_tokens: string;
    output_tokens: string;
    cost_usd: number | null;
    unpriced: boolean;
  }>(
    `SELECT model, count(*) AS runs, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
       sum(cost_usd) AS cost_usd, bool_or(cost_usd IS NULL) AS unpriced
     FROM boxagnts.runs WHERE workspace_id = $1 AND model IS NOT NULL GROUP BY model ORDER BY model`,
    [workspace],
  );
  return rows.map((r) => ({
    model: r.model,
    runs: Number(r.runs),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    costUsd: r.unpriced ? null : r.cost_usd,
  }));
}
