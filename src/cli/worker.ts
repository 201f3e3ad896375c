import { hostname } from 'node:os';
import { basename, resolve } from 'node:path';
import type pg from 'pg';
import { errorMessage } from '../fs/errors';
import { executeTeamRun } from '../runtime/team-run';
import { ApprovalWaiter } from '../team/approvals';
import { parkTeamApprovals } from '../team/approval-bridges';
import { connectTeamDatabase } from '../team/database';
import { TeamRunQueue } from '../team/run-queue';
import { type RunEnd, isWorkspaceRegistered, markEnded, markRunning, touchWorker } from '../team/team-runs';
import { TeamWorker } from '../team/worker-loop';
import { WorkspaceIdentityError, workspaceIdentity } from '../team/workspace-identity';
import { openHeadlessRuntime } from './headless-runtime';
import { CommandError, UsageError, parseFlags, parseLogFormat, parsePositiveInt, parseTeamUrl } from './usage';

/** A worker's name: shown on the Team page and recorded with each run it takes. */
const WORKER_NAME = /^[\w.:/@-]{1,100}$/;

/** The team's settings, as its server last started with them. */
async function teamSettings(db: pg.Pool): Promise<{ cap: number; leaseSeconds: number }> {
  let rows: { cap: number; lease_seconds: number }[];
  try {
    ({ rows } = await db.query<{ cap: number; lease_seconds: number }>('SELECT cap, lease_seconds FROM boxagnts.team'));
  } catch (error) {
    throw new CommandError(`the team database could not be read: ${errorMessage(error)}`);
  }
  if (!rows[0]) throw new CommandError('no team server has started on this database yet: start it first');
  return { cap: rows[0].cap, leaseSeconds: rows[0].lease_seconds };
}

/**
 * `boxagnts worker --team URL --workspace-dir DIR`: this machine leases the team's runs of DIR's repository and runs
 * them with DIR's settings, models and sandbox, until it is stopped.
 */
export async function workerCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags(args, {
    team: { type: 'string' },
    'workspace-dir': { type: 'string' },
    concurrency: { type: 'string' },
    name: { type: 'string' },
    'log-format': { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const logFormat = parseLogFormat(values['log-format']);
  const teamUrl = values.team ?? process.env.BOXAGNTS_TEAM_URL;
  if (teamUrl === undefined) throw new UsageError('give the team database: --team postgres://… (or BOXAGNTS_TEAM_URL)');
  const url = parseTeamUrl(teamUrl);
  const concurrency = parsePositiveInt('--concurrency', values.concurrency) ?? 2;
  const root = resolve(values['workspace-dir'] ?? process.cwd());
  const name = values.name ?? `${hostname()}:${basename(root)}`;
  if (!WORKER_NAME.test(name))
    throw new UsageError('--name is at most 100 letters, digits and . _ : / @ - (no spaces)');

  let remote: string;
  try {
    ({ remote } = await workspaceIdentity(root));
  } catch (error) {
    if (error instanceof WorkspaceIdentityError) throw new CommandError(error.message);
    throw error;
  }
  const db = connectTeamDatabase(url);
  const closing: (() => Promise<void>)[] = [() => db.end()];
  const closeAll = async () => {
    for (const close of closing.splice(0)) await close();
  };
  try {
    const { cap, leaseSeconds } = await teamSettings(db);
    if (!(await isWorkspaceRegistered(db, remote)))
      throw new CommandError(
        `no team server queues runs for ${remote}: start one on a clone of this repository (its origin must match)`,
      );
    const { workspace, runtime, logger } = await openHeadlessRuntime(root, logFormat, 'info');
    closing.unshift(() => runtime.close());
    const queue = await TeamRunQueue.start({ url, owner: false, globalCap: cap, leaseSeconds, retries: 0, logger });
    closing.unshift(() => queue.stop());
    const waiter = await ApprovalWaiter.start(db, url, logger);
    closing.unshift(() => waiter.close());
    const sessions = new Map<string, string>();
    const unpark = parkTeamApprovals({ broker: runtime.broker, db, waiter, runOf: (id) => sessions.get(id), logger });
    closing.unshift(async () => unpark());
    const me = { name, workspace: remote, concurrency };
    await touchWorker(db, me, true);
    // Seen on the Team page as long as it says it is alive at the pace it renews its leases.
    const heartbeatMs = Math.max(250, (leaseSeconds * 1000) / 3);
    const alive = setInterval(
      () =>
        void touchWorker(db, me).catch((error: unknown) =>
          logger.warn({ err: error }, 'the team database could not be told this worker is alive'),
        ),
      heartbeatMs,
    );
    closing.unshift(async () => clearInterval(alive));
    await runtime.mcp.settled();
    const worker = new TeamWorker<RunEnd>({
      queue,
      workspace: remote,
      concurrency,
      heartbeatMs,
      execute: (lease, signal) => {
        logger.info({ run: lease.id, attempt: lease.attempt }, 'team run leased');
        return executeTeamRun(
          {
            runtime,
            root,
            worktreesDir: workspace.paths.worktreesDir,
            db,
            sessions,
            defaultModel: () => workspace.settings.get().defaultModel ?? undefined,
            logger,
          },
          lease,
          signal,
        );
      },
      onLeased: (tx, lease) => markRunning(tx, lease.id, name, lease.attempt),
      onEnded: (outcome) => (tx, lease) =>
        markEnded(tx, lease.id, 'output' in outcome ? outcome.output : { status: 'error', error: outcome.error }),
      logger,
    });
    worker.start();
    closing.unshift(() => worker.stop());
    process.stdout.write(
      `Ready: worker ${name} takes runs of ${remote} (${concurrency} at a time; the team runs at most ${cap})\n`,
    );
    await new Promise<void>((resolveStop) => {
      const stop = (signal: NodeJS.Signals) => {
        logger.info({ signal }, 'worker stopping: runs under way are stopped and re-queued by their jobs');
        resolveStop();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  } finally {
    await closeAll();
  }
}
