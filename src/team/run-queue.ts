import PgBoss from 'pg-boss';
import pg from 'pg';
import type { Logger } from '../log';
import { type Queryable, inTransaction } from './database';

/** Work done in the transaction of a lease or a report, so that what it records stands or falls with it. */
export type Within = (db: Queryable, lease: TeamLease) => Promise<void>;

/** The pg-boss queue every team run goes through. */
const QUEUE = 'boxagnts_runs';
/** Held while one lease looks at how many runs are running, so that no two leases pass the cap together. */
const LEASE_LOCK = 'boxagnts.lease';

export interface TeamRunQueueOptions {
  url: string;
  /** The server creates the queue and migrates pg-boss's schema; a worker's role may do neither. */
  owner: boolean;
  /** Runs running at once across every machine. */
  globalCap: number;
  /** A lease not renewed (heartbeat) for this long expires: its run is interrupted and re-queued or failed. */
  leaseSeconds: number;
  /** How often a run whose lease expired is re-queued: 0 marks it failed at once. */
  retries: number;
  logger: Logger;
}

/** What a worker holds while it runs a run: the job and which attempt of it, so a late report of an older one is refused. */
export interface TeamLease {
  id: string;
  attempt: number;
  data: Record<string, unknown>;
}

/**
 * Team runs, queued in Postgres through pg-boss (its queue table, its maintenance that expires leases, its retries),
 * with what pg-boss 10 lacks done in our own SQL on its table: a global cap on running runs across machines, a
 * heartbeat that renews a lease, and reports fenced by attempt, so that a worker that lost its lease (it stalled and
 * another took the run) cannot complete the run over the one now running it. Version pinned: the SQL below knows
 * pg-boss 10.4's `pgboss.job`.
 */
export class TeamRunQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly pool: pg.Pool,
    private readonly options: TeamRunQueueOptions,
  ) {}

  static async start(options: TeamRunQueueOptions): Promise<TeamRunQueue> {
    const boss = new PgBoss({
      connectionString: options.url,
      max: 4,
      migrate: options.owner,
      schedule: false,
      // Expired leases are swept this often, by whichever machine runs first.
      maintenanceIntervalSeconds: Math.max(1, Math.floor(options.leaseSeconds / 2)),
    });
    const queue = new TeamRunQueue(boss, new pg.Pool({ connectionString: options.url, max: 4 }), options);
    // pg-boss reports its own failures (a maintenance query that failed) as events, and tries again itself.
    boss.on('error', (error) => options.logger.warn({ err: error }, 'the team queue reported an error'));
    await boss.start();
    if (options.owner) {
      const policy = {
        name: QUEUE,
        retryLimit: options.retries,
        retryDelay: 0,
        expireInSeconds: options.leaseSeconds,
      };
      // A server started again with another lease time applies it to the runs queued from now on.
      if (await boss.getQueue(QUEUE)) await boss.updateQueue(QUEUE, policy);
      else await boss.createQueue(QUEUE, policy);
    }
    return queue;
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true });
    await this.pool.end();
  }

  /**
   * Queues a run; `data.workspace` names the workspace whose workers may take it. `id` (a UUID) names it when the
   * caller recorded it first; `retries` overrides how often an expired lease re-queues it.
   */
  async enqueue(
    data: { workspace: string } & Record<string, unknown>,
    options: { id?: string; retries?: number } = {},
  ): Promise<string> {
    const id = await this.boss.send(QUEUE, data, {
      ...(options.id ? { id: options.id } : {}),
      ...(options.retries !== undefined ? { retryLimit: options.retries } : {}),
    });
    if (!id) throw new Error('the team queue refused the run');
    return id;
  }

  /**
   * The oldest queued run of `workspace`, now running under this lease, or null when there is none or the global cap
   * is reached. The count and the lease happen under one lock, so leases on every machine together stay under it.
   */
  async lease(workspace: string, within?: Within): Promise<TeamLease | null> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [LEASE_LOCK]);
      // A statement after the lock sees the leases committed before it.
      const { rows } = await client.query<{ id: string; retry_count: number; data: Record<string, unknown> }>(
        `WITH running AS (SELECT count(*) AS n FROM pgboss.job WHERE name = $1 AND state = 'active'),
         next AS (
           SELECT job.id FROM pgboss.job job, running
           WHERE job.name = $1 AND job.state < 'active' AND job.start_after < now() AND running.n < $2
             AND job.data ->> 'workspace' = $3
           ORDER BY job.priority DESC, job.created_on, job.id
           LIMIT 1 FOR UPDATE SKIP LOCKED
         )
         UPDATE pgboss.job job SET state = 'active', started_on = now(),
           retry_count = CASE WHEN job.started_on IS NULL THEN job.retry_count ELSE job.retry_count + 1 END
         FROM next WHERE job.name = $1 AND job.id = next.id
         RETURNING job.id, job.retry_count, job.data`,
        [QUEUE, this.options.globalCap, workspace],
      );
      const row = rows[0];
      if (!row) return null;
      const lease = { id: row.id, attempt: row.retry_count, data: row.data };
      await within?.(client, lease);
      return lease;
    });
  }

  /** Renews the lease; false when it is lost (expired and taken by another attempt, or cancelled): stop the run. */
  async heartbeat(lease: TeamLease): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE pgboss.job SET started_on = now()
       WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3`,
      [QUEUE, lease.id, lease.attempt],
    );
    return rowCount === 1;
  }

  /** Records the run as done with `output`; false when this lease no longer holds the run. */
  complete(lease: TeamLease, output: Record<string, unknown>, within?: Within): Promise<boolean> {
    return this.finish(lease, 'completed', output, within);
  }

  /** Records the run as failed (never retried: it ran); false when this lease no longer holds the run. */
  fail(lease: TeamLease, error: string, within?: Within): Promise<boolean> {
    return this.finish(lease, 'failed', { error }, within);
  }

  /**
   * Gives a run back unfinished (its worker is stopping): re-queued when its retries allow, failed otherwise, as an
   * expired lease would be, without waiting for the expiry. False when this lease no longer holds the run.
   */
  release(lease: TeamLease, within?: Within): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const { rowCount } = await client.query(
        `UPDATE pgboss.job SET
           state = (CASE WHEN retry_count < retry_limit THEN 'retry' ELSE 'failed' END)::pgboss.job_state,
           completed_on = CASE WHEN retry_count < retry_limit THEN NULL ELSE now() END
         WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3`,
        [QUEUE, lease.id, lease.attempt],
      );
      if (rowCount !== 1) return false;
      await within?.(client, lease);
      return true;
    });
  }

  async cancel(id: string): Promise<void> {
    await this.boss.cancel(QUEUE, id);
  }

  /** The run's state in the queue: created, retry, active, completed, cancelled or failed. */
  async state(id: string): Promise<{ state: string; attempt: number; output: unknown } | null> {
    const job = await this.boss.getJobById(QUEUE, id, { includeArchive: true });
    return job ? { state: job.state, attempt: job.retryCount, output: job.output } : null;
  }

  private finish(lease: TeamLease, state: 'completed' | 'failed', output: Record<string, unknown>, within?: Within) {
    return inTransaction(this.pool, async (client) => {
      const { rowCount } = await client.query(
        `UPDATE pgboss.job SET state = $4::pgboss.job_state, completed_on = now(), output = $5
         WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3`,
        [QUEUE, lease.id, lease.attempt, state, JSON.stringify(output)],
      );
      if (rowCount !== 1) return false;
      await within?.(client, lease);
      return true;
    });
  }
}
