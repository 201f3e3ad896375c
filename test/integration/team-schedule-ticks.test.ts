import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTeamDatabase, ensureWorkerRole, migrateTeamDatabase } from '../../src/team/database';
import { claimTick } from '../../src/team/schedule-ticks';
import { type PostgresCluster, startPostgres } from '../helpers/postgres';

let cluster: PostgresCluster;
const pools: pg.Pool[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
  const server = connectTeamDatabase(cluster.url());
  pools.push(server);
  await migrateTeamDatabase(server);
  await ensureWorkerRole(server, 'worker_ticks', 'a worker password');
}, 60_000);
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await cluster?.stop();
});

describe('a scheduled job with the server and two workers running', () => {
  it('fires once per tick: one machine claims each tick, whichever comes first', async () => {
    const server = pools[0]!;
    const workers = [1, 2].map(() => connectTeamDatabase(cluster.urlFor('worker_ticks', 'a worker password')));
    pools.push(...workers);
    const machines = [
      { name: 'server', db: server },
      { name: 'worker 1', db: workers[0]! },
      { name: 'worker 2', db: workers[1]! },
    ];
    const ticks = Array.from({ length: 10 }, (_, i) => new Date(Date.UTC(2026, 11, 3, 9, i)));
    const claims = await Promise.all(
      ticks.flatMap((tick) =>
        machines.map(async ({ name, db }) =>
          (await claimTick(db, { workspace: 'app', job: 'nightly', at: tick }, name)) ? tick.getTime() : null,
        ),
      ),
    );
    const fired = claims.filter((c) => c !== null);
    expect(fired.sort()).toEqual(ticks.map((t) => t.getTime()));
    // A machine that restarts and looks at the same tick again does not fire it a second time.
    expect(await claimTick(server, { workspace: 'app', job: 'nightly', at: ticks[0]! }, 'server')).toBe(false);
    // Another job's tick at the same time is its own.
    expect(await claimTick(workers[0]!, { workspace: 'app', job: 'weekly', at: ticks[0]! }, 'worker 1')).toBe(true);
  });
});
