import { z } from 'zod';
import { JobRunStatusSchema } from './automation';

/**
 * A run queued in the team database: where it ran, on which attempt, and what came of it. Its status is a job run's
 * (queued, running, then finished, error, refused, budget, max_turns, cancelled, or interrupted when its worker's
 * lease expired).
 */
export const TeamRunSchema = z.object({
  id: z.string(),
  job: z.string().nullable(),
  trigger: z.enum(['schedule', 'manual', 'missed']),
  status: JobRunStatusSchema,
  /** The commit the run works on; every worker starts its worktree there. */
  commit: z.string(),
  scheduledFor: z.string().nullable(),
  enqueuedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** When a worker holding it last stopped renewing its lease (it died): the run was re-queued from there, or ended. */
  interruptedAt: z.string().nullable(),
  /** The worker that holds (or last held) the run, and its attempt: 0 first, one more each time it is re-queued. */
  worker: z.string().nullable(),
  attempt: z.number(),
  /** The session on the worker's machine the run wrote. */
  sessionId: z.string().nullable(),
  /** The branch pushed to origin with the run's changes (null: it changed nothing, or has not ended). */
  branch: z.string().nullable(),
  /** `git diff --stat` of the branch against the run's commit. */
  diffSummary: z.string().nullable(),
  error: z.string().nullable(),
  /** Null: not ended, or a model's price is unknown. */
  costUsd: z.number().nullable(),
  inputTokens: z.number(),
  outputTokens: z.number(),
});
export type TeamRun = z.output<typeof TeamRunSchema>;

/** A worker machine, as it last said it is alive. */
export const TeamWorkerSchema = z.object({
  name: z.string(),
  concurrency: z.number(),
  startedAt: z.string(),
  seenAt: z.string(),
  /** Seen within the lease time: it still renews its leases. */
  online: z.boolean(),
  /** Runs it holds now. */
  running: z.number(),
});
export type TeamWorker = z.output<typeof TeamWorkerSchema>;

/** What team runs cost, per model. */
export const TeamUsageSchema = z.object({
  model: z.string(),
  runs: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  /** Null when a model's price is unknown for some of its calls. */
  costUsd: z.number().nullable(),
});
export type TeamUsage = z.output<typeof TeamUsageSchema>;

/**
 * `GET /api/team`: whether this server runs in team mode, and when it does, the queue across every machine: the
 * repository its workers must hold, the global cap and lease time, the workers, the newest runs and their usage.
 */
export const TeamStatusSchema = z.discriminatedUnion('enabled', [
  z.object({ enabled: z.literal(false) }),
  z.object({
    enabled: z.literal(true),
    /** The repository as every machine names it (`github.com/org/app`, `file:/srv/app`). */
    remote: z.string(),
    /** Runs running at once across every machine, and how long a lease lasts without a heartbeat. */
    cap: z.number(),
    leaseSeconds: z.number(),
    queued: z.number(),
    running: z.number(),
    workers: z.array(TeamWorkerSchema),
    /** Newest first, at most 100. */
    runs: z.array(TeamRunSchema),
    usage: z.array(TeamUsageSchema),
  }),
]);
export type TeamStatus = z.output<typeof TeamStatusSchema>;
