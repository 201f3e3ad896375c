import type { Job } from '../contract/automation';
import type { RunResult } from '../automation/automation';
import type { QueuedRun } from '../automation/job-queue';
import type { RunSpec } from '../agent/run-spec';
import type { Runner } from '../agent/runner';
import { parseRule } from '../permissions/policy';
import type { SessionStore } from '../workspace/sessions';
import type { WorkspaceRunRequest } from './run-specs';
import type { Approvals } from '../permissions/gate';

/** Title of a job run's session: the job, then the start of its prompt. */
const TITLE_PROMPT_CHARS = 60;

export interface JobRunDeps {
  sessions: SessionStore;
  runner: Runner;
  workspaceSpec(request: WorkspaceRunRequest, approvals: Approvals): Promise<RunSpec>;
}

/** Where a job's run works, and who follows it. */
export interface JobRunPlace {
  /** The folder its tools work in (a team run's worktree); the workspace's root when absent. */
  workDir?: string | undefined;
  /** Told the run's session before the run starts, so every event of it can be followed. */
  onSession?: ((sessionId: string) => Promise<void>) | undefined;
}

/**
 * Runs a job once, as a session of its own tagged with the job: its prompt with its agent type, model, permission
 * profile and budgets, nobody watching (a call that asks is refused, or parked in the inbox until its wall time).
 */
export async function runJob(
  deps: JobRunDeps,
  job: Job,
  run: QueuedRun,
  signal: AbortSignal,
  place: JobRunPlace = {},
): Promise<RunResult> {
  const title = `${job.name}: ${job.prompt.replace(/\s+/g, ' ').slice(0, TITLE_PROMPT_CHARS)}`;
  const session = await deps.sessions.create({ title, job: job.name });
  await place.onSession?.(session.id);
  const approvals: Approvals = { watched: false, unattended: job.unattended, parkTimeoutMs: job.limits.maxWallMs };
  const spec = await deps.workspaceSpec(
    {
      text: job.prompt,
      model: job.model,
      agentType: job.agentType,
      permissionMode: job.permissions.mode,
      limits: {
        ...(job.limits.maxTurns ? { maxTurns: job.limits.maxTurns } : {}),
        ...(job.limits.maxCostUsd ? { maxCostUsd: job.limits.maxCostUsd } : {}),
        maxWallMs: job.limits.maxWallMs,
      },
    },
    approvals,
  );
  const started = await deps.runner.start(session.id, {
    ...spec,
    ...(place.workDir ? { scope: { ...spec.scope, workDir: place.workDir } } : {}),
    permissions: {
      ...spec.permissions,
      rules: [...(spec.permissions.rules ?? []), ...job.permissions.rules.map(parseRule)],
    },
  });
  const stop = () => deps.runner.cancel(session.id);
  signal.addEventListener('abort', stop, { once: true });
  try {
    const outcome = await started.done;
    const spent = started.budget.spent();
    const { events } = await deps.sessions.read(session.id);
    const priced = events.every((e) => e.type !== 'usage' || e.costKnown !== false);
    // A call nobody could approve was refused: the run may have gone on, but the job did not get to do it.
    const refused = events.some((e) => e.type === 'approval.resolved' && e.outcome === 'auto_deny');
    return {
      status: refused ? 'refused' : outcome.status,
      sessionId: session.id,
      costUsd: priced ? spent.costUsd : null,
      inputTokens: spent.inputTokens,
      outputTokens: spent.outputTokens,
      ...(outcome.error ? { error: outcome.error.message } : {}),
    };
  } finally {
    signal.removeEventListener('abort', stop);
  }
}
