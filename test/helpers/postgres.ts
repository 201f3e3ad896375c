import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './ports';

const run = promisify(execFile);

/** The newest Postgres installed the Debian way (/usr/lib/postgresql/NN/bin), or undefined. */
function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const newest = readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))[0];
  return newest ? join(root, newest, 'bin') : undefined;
}

export interface PostgresCluster {
  /** The superuser's URL (trust authentication on loopback), to `database` (postgres unless given). */
  url(database?: string): string;
  /** A URL for another role of this cluster, signing in with its password. */
  urlFor(role: string, password: string, database?: string): string;
  /** Creates a new empty database and returns its name: one per test keeps tests apart. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A throwaway Postgres cluster on a free loopback port, in a temporary folder, removed by `stop`. Postgres refuses to
 * run as root, so under root the cluster belongs to `nobody`. The superuser signs in on trust; every other role
 * with its password (scram), as a worker machine would.
 */
export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBin();
  if (!bin) throw new Error('Postgres is not installed: .ci/run installs the postgresql package');
  const dir = await mkdtemp(join(tmpdir(), 'boxagnts-pg-'));
  const asOwner = (program: string, args: string[]) => {
    const command = join(bin, program);
    return process.getuid?.() === 0
      ? run('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', command, ...args])
      : run(command, args);
  };
  if (process.getuid?.() === 0) await chown(dir, 65534, 65534);
  const data = join(dir, 'data');
  await asOwner('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '-E',
    'UTF8',
  ]);
  const port = await freePort();
  // The superuser is trusted on loopback; other roles give their password.
  // The file exists (initdb wrote it), so rewriting it keeps its owner.
  await writeFile(
    join(data, 'pg_hba.conf'),
    'host all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n',
  );
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  await asOwner('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  let databases = 0;
  return {
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    urlFor: (role, password, database = 'postgres') =>
      `postgres://${role}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    async createDatabase() {
      const name = `test_${++databases}`;
      const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return name;
    },
    async stop() {
      await asOwner('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
