import type { StampedEvent } from '../contract/events';
import { dropWorktreeFolder, removeWorktree } from '../agent/orchestration/worktree';
import type { Logger } from '../log';
import type { Queryable } from '../team/database';
import { appendRunEvent } from '../team/run-events';
import { publishRunBranch, startRunWorktree } from '../team/run-branch';
import type { TeamLease } from '../team/run-queue';
import type { RunEnd } from '../team/team-runs';
import { TeamRunDataSchema } from '../team/team-job-queue';
import type { AgentRuntime } from './runtime';

export interface TeamRunDeps {
  runtime: AgentRuntime;
  /** The worker's workspace folder (a clone of the team's repository) and where its runs' worktrees go. */
  root: string;
  worktreesDir: string;
  db: Queryable;
  /** The model a job without its own runs on (this workspace's default). */
  defaultModel(): string | undefined;
  /** Session id → team run id, while the run goes on: how its parked questions find their run. */
  sessions: Map<string, string>;
  logger: Logger;
}

/**
 * Runs one leased team run on this worker: a worktree at the run's commit, the job run there as a session with this
 * workspace's settings, models, sandbox and limits, each event of the session stored in the team database as it
 * happens (the server's pages follow it), and the changes pushed as the run's branch. A run stopped by `signal` (its
 * lease was lost, or the worker stops) leaves no branch: it belongs to whoever runs it next.
 */
export async function executeTeamRun(deps: TeamRunDeps, lease: TeamLease, signal: AbortSignal): Promise<RunEnd> {
  const data = TeamRunDataSchema.parse(lease.data);
  const { job } = data;
  // An attempt after an interruption starts afresh, on its own branch.
  const worktree = await startRunWorktree(deps.root, deps.worktreesDir, `${lease.id}-${lease.attempt}`, data.commit);
  let detach: (() => void) | undefined;
  let stored: Promise<void> = Promise.resolve();
  let sessionId: string | undefined;
  try {
    const result = await deps.runtime.runJob(
      job,
      {
        id: lease.id,
        job: job.name,
        trigger: data.trigger,
        scheduledFor: data.scheduledFor,
        enqueuedAt: data.enqueuedAt,
      },
      signal,
      {
        workDir: worktree.path,
        onSession: async (id) => {
          sessionId = id;
          deps.sessions.set(id, lease.id);
          detach = await deps.runtime.hub.subscribe(id, 0, (event: StampedEvent) => {
            // One after another, so the table holds the session's events in order; a failed write is logged and
            // the run goes on (its outcome is still reported).
            stored = stored.then(() =>
              appendRunEvent(deps.db, lease.id, event.id, event).catch((error: unknown) =>
                deps.logger.warn({ err: error, run: lease.id }, 'a run event could not be stored in the team database'),
              ),
            );
          });
        },
      },
    );
    if (signal.aborted) throw signal.reason;
    const report = await publishRunBranch(deps.root, worktree, `boxagnts: ${job.name} (team run ${lease.id})`);
    // A run that changed nothing has no worktree left; one that did keeps its branch (pushed), not its folder.
    if (!report.clean) await dropWorktreeFolder(deps.root, worktree.path);
    return {
      ...result,
      model: job.model ?? deps.defaultModel(),
      ...(report.clean ? {} : { branch: report.branch, diffSummary: report.diffStat }),
    };
  } catch (error) {
    await removeWorktree(deps.root, worktree.path, worktree.branch).catch((cleanup: unknown) =>
      deps.logger.warn({ err: cleanup, run: lease.id }, 'a stopped run left its worktree behind'),
    );
    throw error;
  } finally {
    detach?.();
    await stored;
    if (sessionId) deps.sessions.delete(sessionId);
  }
}
