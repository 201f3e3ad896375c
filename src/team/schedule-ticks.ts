import type { Queryable } from './database';

/**
 * Claims one tick of a scheduled job for `machine`: true for the one machine that claims it first, false for every
 * other, however many run a scheduler. The database decides (the tick's row is unique), so a schedule fires once
 * per tick with the server and any number of workers running, and a machine that restarts cannot fire a tick again.
 */
export async function claimTick(
  db: Queryable,
  tick: { workspace: string; job: string; at: Date },
  machine: string,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO boxagnts.schedule_ticks (workspace_id, job, tick, claimed_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (workspace_id, job, tick) DO NOTHING`,
    [tick.workspace, tick.job, tick.at, machine],
  );
  return rowCount === 1;
}
