import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TeamSchemaError, connectTeamDatabase, ensureWorkerRole, migrateTeamDatabase } from '../../src/team/database';
import { MIGRATIONS } from '../../src/team/schema';
import { type PostgresCluster, startPostgres } from '../helpers/postgres';

let cluster: PostgresCluster;
const pools: pg.Pool[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.end()));
});
afterAll(async () => {
  await cluster?.stop();
});

/** A new empty database of the cluster, and a pool on it as the superuser. */
async function freshDatabase(): Promise<{ pool: pg.Pool; name: string }> {
  const name = await cluster.createDatabase();
  const pool = connectTeamDatabase(cluster.url(name));
  pools.push(pool);
  return { pool, name };
}

const tables = async (pool: pg.Pool) =>
  (
    await pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'boxagnts' ORDER BY table_name",
    )
  ).rows.map((r) => r.table_name);

describe('the team database schema', () => {
  it('is created by the product, recorded by version, and applied once', async () => {
    const { pool } = await freshDatabase();
    expect(await migrateTeamDatabase(pool)).toEqual({ from: 0, to: MIGRATIONS.at(-1)!.version });
    expect(await tables(pool)).toEqual([
      'approvals',
      'migrations',
      'run_events',
      'runs',
      'schedule_ticks',
      'secrets',
      'sessions',
      'settings',
      'team',
      'usage',
      'workers',
      'workspaces',
    ]);
    const newest = MIGRATIONS.at(-1)!.version;
    expect(await migrateTeamDatabase(pool)).toEqual({ from: newest, to: newest });
    const { rows } = await pool.query('SELECT version FROM boxagnts.migrations');
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
  });

  it('is migrated once when two servers start together', async () => {
    const { pool, name } = await freshDatabase();
    const other = connectTeamDatabase(cluster.url(name));
    pools.push(other);
    const results = await Promise.all([migrateTeamDatabase(pool), migrateTeamDatabase(other)]);
    expect(results.map((r) => r.from).sort()).toEqual([0, MIGRATIONS.at(-1)!.version]);
    expect((await pool.query('SELECT count(*)::int AS n FROM boxagnts.migrations')).rows[0].n).toBe(MIGRATIONS.length);
  });

  it('keeps what an older version wrote when a newer one migrates further', async () => {
    const { pool } = await freshDatabase();
    await migrateTeamDatabase(pool);
    await pool.query("INSERT INTO boxagnts.workspaces (id, name, remote_url) VALUES ('w', 'app', 'git@x:app.git')");
    const newest = MIGRATIONS.at(-1)!.version;
    const next = [
      ...MIGRATIONS,
      { version: newest + 1, name: 'labels', sql: 'ALTER TABLE boxagnts.workspaces ADD COLUMN label text' },
    ];
    expect(await migrateTeamDatabase(pool, next)).toEqual({ from: newest, to: newest + 1 });
    expect((await pool.query('SELECT id, label FROM boxagnts.workspaces')).rows).toEqual([{ id: 'w', label: null }]);
  });

  it('refuses a database a newer version has migrated, and changes nothing in it', async () => {
    const { pool } = await freshDatabase();
    await migrateTeamDatabase(pool);
    await pool.query("INSERT INTO boxagnts.migrations (version, name) VALUES (99, 'from the future')");
    await expect(migrateTeamDatabase(pool)).rejects.toThrow(TeamSchemaError);
    await expect(migrateTeamDatabase(pool)).rejects.toThrow(
      `schema version 99, newer than this boxagnts knows (${MIGRATIONS.at(-1)!.version})`,
    );
  });

  it('never drops or deletes data in a migration (a constraint may be loosened)', () => {
    for (const migration of MIGRATIONS) {
      expect(migration.sql).not.toMatch(/\b(TRUNCATE|DELETE)\b/i);
      for (const drop of migration.sql.match(/\bDROP\s+\w+(\s+\w+)?/gi) ?? [])
        expect(drop).toMatch(/^DROP\s+(CONSTRAINT|NOT NULL)/i);
    }
  });
});

describe("a worker's database role", () => {
  it('reaches the runs it works on, and cannot read settings, secrets or sessions', async () => {
    const { pool, name } = await freshDatabase();
    await migrateTeamDatabase(pool);
    await pool.query("INSERT INTO boxagnts.workspaces (id, name, remote_url) VALUES ('w', 'app', 'git@x:app.git')");
    await pool.query("INSERT INTO boxagnts.settings (workspace_id, settings) VALUES ('w', '{}')");
    await pool.query("INSERT INTO boxagnts.secrets (workspace_id, name, value) VALUES ('w', 'key', 'sk-secret')");
    await pool.query(
      "INSERT INTO boxagnts.runs (id, workspace_id, trigger, commit_sha, status) VALUES ('r1', 'w', 'manual', 'abc', 'queued')",
    );
    await ensureWorkerRole(pool, 'worker_one', 'a long password');
    // Asked again (a worker re-registered with a new password), it stays one role.
    await ensureWorkerRole(pool, 'worker_one', 'another long password');

    const worker = new pg.Pool({
      connectionString: cluster.urlFor('worker_one', 'another long password', name),
    });
    pools.push(worker);
    await worker.query("UPDATE boxagnts.runs SET status = 'running', worker = 'm1' WHERE id = 'r1'");
    await worker.query(
      `INSERT INTO boxagnts.run_events (run_id, seq, event) VALUES ('r1', 1, '{"type":"run.started"}')`,
    );
    expect((await worker.query('SELECT status FROM boxagnts.runs')).rows).toEqual([{ status: 'running' }]);
    for (const table of ['settings', 'secrets', 'sessions'])
      await expect(worker.query(`SELECT * FROM boxagnts.${table}`)).rejects.toThrow(/permission denied/);
    await expect(worker.query("DELETE FROM boxagnts.runs WHERE id = 'r1'")).rejects.toThrow(/permission denied/);
    await expect(worker.query('CREATE TABLE boxagnts.mine (x int)')).rejects.toThrow(/permission denied/);
    // The old password no longer signs in.
    const stale = new pg.Pool({
      connectionString: cluster.urlFor('worker_one', 'a long password', name),
    });
    pools.push(stale);
    await expect(stale.query('SELECT 1')).rejects.toThrow(/password authentication failed/);
  });

  it('is refused a name that is not a plain identifier', async () => {
    const { pool } = await freshDatabase();
    await migrateTeamDatabase(pool);
    await expect(ensureWorkerRole(pool, 'x"; DROP SCHEMA boxagnts; --', 'pw')).rejects.toThrow(TeamSchemaError);
  });
});
