import type pg from 'pg';
import type { Queryable } from './database';
import type { Logger } from '../log';
import { TeamListener } from './listener';

/** The channel a new run event is announced on; its payload is the run's id. */
export const RUN_EVENTS_CHANNEL = 'boxagnts_run_events';

export interface StoredRunEvent {
  seq: number;
  event: unknown;
}

/**
 * Stores a run's event and announces it, in one statement: a listener on another machine is told only of events
 * that are stored, so what it reads after the announcement is there.
 */
export async function appendRunEvent(db: Queryable, runId: string, seq: number, event: unknown): Promise<void> {
  await db.query(
    `WITH stored AS (INSERT INTO boxagnts.run_events (run_id, seq, event) VALUES ($1, $2, $3) RETURNING run_id)
     SELECT pg_notify($4, run_id) FROM stored`,
    [runId, seq, JSON.stringify(event), RUN_EVENTS_CHANNEL],
  );
}

interface Follow {
  after: number;
  deliver: (event: StoredRunEvent) => void;
  /** Reads of this run, one after another, so events are delivered once and in order. */
  reading: Promise<void>;
}

/**
 * Follows runs that write their events on other machines: one LISTEN connection for every run followed, and the
 * events read from the table after each announcement (an announcement carries no event, so none can be too large
 * or lost in it). A lost connection is made again, and each run is read from its last delivered event, so a
 * follower misses nothing while it reconnects.
 */
export class RunEventFollower {
  private readonly follows = new Map<string, Set<Follow>>();

  private constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    private listener: TeamListener | null = null,
  ) {}

  static async start(pool: pg.Pool, url: string, logger: Logger): Promise<RunEventFollower> {
    const follower = new RunEventFollower(pool, logger);
    follower.listener = await TeamListener.start({
      url,
      logger,
      channels: { [RUN_EVENTS_CHANNEL]: (runId) => follower.readAll(runId) },
      // What was stored while no connection listened is read now.
      onReconnect: () => [...follower.follows.keys()].forEach((runId) => follower.readAll(runId)),
    });
    return follower;
  }

  /** Delivers the run's events after `afterSeq`, stored ones first, then each as it is stored, until unfollowed. */
  follow(runId: string, afterSeq: number, deliver: (event: StoredRunEvent) => void): () => void {
    const follow: Follow = { after: afterSeq, deliver, reading: Promise.resolve() };
    const set = this.follows.get(runId) ?? new Set();
    set.add(follow);
    this.follows.set(runId, set);
    this.read(runId, follow);
    return () => {
      set.delete(follow);
      if (set.size === 0) this.follows.delete(runId);
    };
  }

  /** How many runs are followed now. */
  get runs(): number {
    return this.follows.size;
  }

  async close(): Promise<void> {
    this.follows.clear();
    await this.listener?.close();
  }

  private readAll(runId: string): void {
    for (const follow of this.follows.get(runId) ?? []) this.read(runId, follow);
  }

  private read(runId: string, follow: Follow): void {
    follow.reading = follow.reading.then(async () => {
      try {
        const { rows } = await this.pool.query<{ seq: number; event: unknown }>(
          'SELECT seq, event FROM boxagnts.run_events WHERE run_id = $1 AND seq > $2 ORDER BY seq',
          [runId, follow.after],
        );
        for (const row of rows) {
          if (!this.follows.get(runId)?.has(follow)) return;
          follow.after = row.seq;
          follow.deliver(row);
        }
      } catch (error) {
        // The next announcement, or the reconnect, reads again from the last delivered event.
        this.logger.warn({ err: error, runId }, 'run events could not be read from the team database');
      }
    });
  }
}
