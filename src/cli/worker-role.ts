import { randomBytes } from 'node:crypto';
import { errorMessage } from '../fs/errors';
import { silentLogger } from '../log';
import { connectTeamDatabase, ensureWorkerRole, migrateTeamDatabase } from '../team/database';
import { TeamRunQueue } from '../team/run-queue';
import { CommandError, UsageError, parseFlags, parseTeamUrl } from './usage';

/**
 * `boxagnts worker-role NAME --team ADMIN_URL`: creates the database role a worker machine signs in with (or gives
 * it a new password), after making sure the team's tables and queue exist, and prints the URL that worker uses.
 */
export async function workerRoleCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags(args, { team: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('give one role name: boxagnts worker-role NAME --team URL');
  const role = positionals[0]!;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role))
    throw new UsageError(`a worker role is lowercase letters, digits and _ (at most 63), not "${role}"`);
  const teamUrl = values.team ?? process.env.BOXAGNTS_TEAM_URL;
  if (teamUrl === undefined) throw new UsageError('give the team database: --team postgres://… (or BOXAGNTS_TEAM_URL)');
  const url = parseTeamUrl(teamUrl);
  const password = randomBytes(24).toString('base64url');
  const db = connectTeamDatabase(url);
  try {
    await migrateTeamDatabase(db);
    // The queue's tables are pg-boss's: made here (as the server would) so the role can be granted them.
    const queue = await TeamRunQueue.start({
      url,
      owner: true,
      globalCap: 1,
      leaseSeconds: 60,
      retries: 0,
      logger: silentLogger,
    });
    await queue.stop();
    await ensureWorkerRole(db, role, password);
  } catch (error) {
    throw new CommandError(`the worker role could not be made: ${errorMessage(error)}`);
  } finally {
    await db.end();
  }
  const workerUrl = new URL(url);
  workerUrl.username = role;
  workerUrl.password = password;
  process.stdout.write(`${workerUrl.toString()}\n`);
  process.stderr.write(
    `boxagnts: role ${role} can lease and report runs, never read settings or secrets. Give the URL above to its ` +
      'worker (BOXAGNTS_TEAM_URL keeps it out of the process list); it is shown only this once.\n',
  );
}
