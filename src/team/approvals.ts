import type { Queryable } from './database';
import type { Logger } from '../log';
import { TeamListener } from './listener';

/** Announces an approval opened (payload: its id) and one answered (the same channel: a waiter reads its row). */
export const APPROVALS_CHANNEL = 'boxagnts_approvals';

export interface TeamApproval {
  id: string;
  runId: string;
  /** The worker running the run, and its job. */
  worker: string;
  job: string | null;
  interaction: unknown;
  openedAt: Date;
}

/** A worker parks a run's question in the one inbox; every server following the team database is told. */
export async function openApproval(db: Queryable, approval: { id: string; runId: string; interaction: unknown }) {
  await db.query(
    `WITH opened AS (
       INSERT INTO boxagnts.approvals (id, run_id, interaction) VALUES ($1, $2, $3) RETURNING id
     )
     SELECT pg_notify($4, id) FROM opened`,
    [approval.id, approval.runId, JSON.stringify(approval.interaction), APPROVALS_CHANNEL],
  );
}

/**
 * The questions no one has answered yet whose runs still run, oldest first: the inbox of every machine. A question
 * of a run that ended (cancelled, or interrupted with its worker) has no one left waiting for it.
 */
export async function openApprovals(db: Queryable): Promise<TeamApproval[]> {
  const { rows } = await db.query<{
    id: string;
    run_id: string;
    worker: string;
    job: string | null;
    interaction: unknown;
    opened_at: Date;
  }>(
    `SELECT a.id, a.run_id, r.worker, r.job, a.interaction, a.opened_at
     FROM boxagnts.approvals a JOIN boxagnts.runs r ON r.id = a.run_id
     WHERE a.answered_at IS NULL AND r.status = 'running' ORDER BY a.opened_at, a.id`,
  );
  return rows.map((r) => ({
    id: r.id,
    runId: r.run_id,
    worker: r.worker,
    job: r.job,
    interaction: r.interaction,
    openedAt: r.opened_at,
  }));
}

/**
 * Answers a question (on the server: a worker's role cannot). The first answer wins: false when the question is
 * unknown or was answered already, by another page or another server.
 */
export async function answerApproval(db: Queryable, id: string, answer: unknown): Promise<boolean> {
  const { rowCount } = await db.query(
    `WITH answered AS (
       UPDATE boxagnts.approvals SET answer = $2, answered_at = now() WHERE id = $1 AND answered_at IS NULL RETURNING id
     )
     SELECT pg_notify($3, id) FROM answered`,
    [id, JSON.stringify(answer), APPROVALS_CHANNEL],
  );
  return rowCount === 1;
}

/**
 * Waits, on the worker that parked them, for answers given anywhere. Each wait reads its row when an announcement
 * comes and when the connection is made again, so an answer given while the worker was cut off is still found.
 */
export class ApprovalWaiter {
  private readonly waiting = new Map<string, (answer: unknown) => void>();
  private listener: TeamListener | null = null;

  private constructor(
    private readonly pool: Queryable,
    private readonly logger: Logger,
  ) {}

  static async start(pool: Queryable, url: string, logger: Logger): Promise<ApprovalWaiter> {
    const waiter = new ApprovalWaiter(pool, logger);
    waiter.listener = await TeamListener.start({
      url,
      logger,
      channels: { [APPROVALS_CHANNEL]: (id) => waiter.check(id) },
      onReconnect: () => [...waiter.waiting.keys()].forEach((id) => waiter.check(id)),
    });
    return waiter;
  }

  /** Resolves with the answer to approval `id`; rejects with the signal's reason when it aborts first. */
  answer(id: string, signal?: AbortSignal): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiting.delete(id);
        reject(signal?.reason);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(id, (answer) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(answer);
      });
      // Answered before the wait began: found now.
      this.check(id);
    });
  }

  async close(): Promise<void> {
    this.waiting.clear();
    await this.listener?.close();
  }

  private check(id: string): void {
    if (!this.waiting.has(id)) return;
    this.pool
      .query<{ answer: unknown }>('SELECT answer FROM boxagnts.approvals WHERE id = $1 AND answered_at IS NOT NULL', [
        id,
      ])
      .then(
        ({ rows }) => {
          const deliver = this.waiting.get(id);
          if (!rows[0] || !deliver) return;
          this.waiting.delete(id);
          deliver(rows[0].answer);
        },
        (error: unknown) => {
          // The next announcement, or the reconnect, reads the row again.
          this.logger.warn({ err: error, id }, 'an approval could not be read from the team database');
        },
      );
  }
}
