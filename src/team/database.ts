import pg from 'pg';
import { MIGRATIONS, type Migration, WORKER_GRANTS, WORKER_QUEUE_GRANTS } from './schema';

/** Held while migrating, so that two servers starting together apply each migration once. */
const MIGRATION_LOCK = 'boxagnts.migrate';

/** A pool or a connection of the team database: what a statement needs. */
export type Queryable = Pick<pg.Pool, 'query'>;

export class TeamSchemaError extends Error {}

/** A pool of connections to the team database at `url` (a postgres:// URL). */
export function connectTeamDatabase(url: string): pg.Pool {
  return new pg.Pool({ connectionString: url, max: 10 });
}

/** Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Brings the `boxagnts` schema up to the newest migration this build knows, each migration in the one transaction
 * that records it. A database that a newer build has migrated further is refused: this build would not know its
 * tables.
 */
export async function migrateTeamDatabase(
  pool: pg.Pool,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<{ from: number; to: number }> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [MIGRATION_LOCK]);
    await client.query('CREATE SCHEMA IF NOT EXISTS boxagnts');
    await client.query(`CREATE TABLE IF NOT EXISTS boxagnts.migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM boxagnts.migrations',
    );
    const from = rows[0]?.version ?? 0;
    const newest = migrations.at(-1)?.version ?? 0;
    if (from > newest)
      throw new TeamSchemaError(
        `the team database is at schema version ${from}, newer than this boxagnts knows (${newest}): upgrade it`,
      );
    for (const migration of migrations.filter((m) => m.version > from)) {
      await client.query(migration.sql);
      await client.query('INSERT INTO boxagnts.migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    }
    return { from, to: Math.max(from, newest) };
  });
}

/**
 * Creates (or updates the password of) the role a worker machine signs in with, able to touch only the queue and
 * its runs: never the settings, the secrets or the session index. Called after the server's queue has started, so
 * that pg-boss's tables exist to be granted.
 */
export async function ensureWorkerRole(pool: pg.Pool, role: string, password: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role))
    throw new TeamSchemaError(`a worker role is lowercase letters, digits and _ (got "${role}")`);
  const name = pg.escapeIdentifier(role);
  await inTransaction(pool, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    const verb = rowCount ? 'ALTER' : 'CREATE';
    await client.query(`${verb} ROLE ${name} LOGIN NOINHERIT PASSWORD ${pg.escapeLiteral(password)}`);
    await client.query(`GRANT USAGE ON SCHEMA boxagnts TO ${name}`);
    for (const grant of WORKER_GRANTS) await client.query(grant.replace('%ROLE%', name));
    const { rowCount: queue } = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = 'pgboss'");
    if (queue) for (const grant of WORKER_QUEUE_GRANTS) await client.query(grant.replace('%ROLE%', name));
  });
}
