import { z } from 'zod';
import { PermissionModeSchema } from './permissions';

/** A job's name: its file of runs and its id in every route. */
export const JOB_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

/**
 * When a job runs: a 5- or 6-field cron expression (or a preset such as `@daily`) in a time zone (the server's when
 * absent); every N minutes from the moment the job was saved; or once, at a date.
 */
export const JobScheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('cron'),
    expr: z.string().trim().min(1).max(200),
    timezone: z.string().min(1).max(64).optional(),
  }),
  z.strictObject({ kind: z.literal('every'), minutes: z.number().int().min(1).max(525_600) }),
  z.strictObject({
    kind: z.literal('once'),
    at: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date and time'),
  }),
]);
export type JobSchedule = z.output<typeof JobScheduleSchema>;

/** A scheduled agent job, as `.boxagnts/automation/jobs.json` keeps it and the API takes it. */
export const JobFieldsSchema = z.strictObject({
  schedule: JobScheduleSchema,
  prompt: z.string().trim().min(1).max(200_000),
  /** An agent type the run takes (its tools, mode and limits narrow the job's). */
  agentType: z.string().min(1).max(64).optional(),
  /** `provider/model`; the workspace default when absent. */
  model: z.string().min(3).max(300).optional(),
  /** The run's own permission profile, on top of the workspace's: a mode and rules such as `allow bash(npm test*)`. */
  permissions: z
    .strictObject({
      mode: PermissionModeSchema.default('default'),
      rules: z.array(z.string().min(1).max(500)).max(100).default([]),
    })
    .prefault({}),
  /** A call that would ask: refused at once (`deny`), or parked in the inbox for someone to answer (`park`). */
  unattended: z.enum(['deny', 'park']).default('deny'),
  limits: z
    .strictObject({
      maxTurns: z.number().int().min(1).max(1000).optional(),
      maxCostUsd: z.number().positive().max(10_000).optional(),
      /** Wall-clock time of one run, waiting for an answer in the inbox included. */
      maxWallMs: z
        .number()
        .int()
        .min(1000)
        .max(7 * 24 * 3_600_000)
        .default(30 * 60_000),
    })
    .prefault({}),
  /** A tick while the last run still goes on: skipped (recorded), or queued behind it. */
  overlap: z.enum(['skip', 'queue']).default('skip'),
  /** Ticks missed while the server was down: skipped, or made up by one run at start. */
  missed: z.enum(['skip', 'run-once']).default('skip'),
  enabled: z.boolean().default(true),
});
export type JobFields = z.output<typeof JobFieldsSchema>;

export const JobSchema = JobFieldsSchema.extend({
  name: z.string().regex(JOB_NAME, 'use lower-case letters, digits and hyphens (at most 40)'),
  /** When the job was saved: `every` counts from here. */
  createdAt: z.string(),
});
export type Job = z.output<typeof JobSchema>;

export const JobsFileSchema = z.strictObject({ jobs: z.array(JobSchema) });

export const JobRunStatusSchema = z.enum([
  'queued',
  'running',
  'finished',
  'error',
  'refused',
  'skipped',
  'interrupted',
  'cancelled',
  'budget',
  'max_turns',
]);
export type JobRunStatus = z.output<typeof JobRunStatusSchema>;

/** One line of `.boxagnts/automation/runs/<job>.jsonl`: a run of the job, as it ended (or was skipped). */
export const JobRunSchema = z.object({
  id: z.string(),
  job: z.string(),
  trigger: z.enum(['schedule', 'manual', 'missed']),
  /** The tick it was for (a scheduled or missed run). */
  scheduledFor: z.string().optional(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  status: JobRunStatusSchema,
  sessionId: z.string().optional(),
  /** Null: a model's price is unknown. */
  costUsd: z.number().nullable().optional(),
  inputTokens: z.number().optional(),
  outputTokens: z.number().optional(),
  error: z.string().optional(),
});
export type JobRun = z.output<typeof JobRunSchema>;

/** A job as the Cron page shows it: its fields, its next run, and how its recent runs went. */
export const JobViewSchema = JobSchema.extend({
  nextRun: z.string().nullable(),
  running: z.boolean(),
  lastRun: JobRunSchema.nullable(),
  /** The newest runs, oldest first, for a sparkline of their cost. */
  recent: z.array(JobRunSchema.pick({ status: true, costUsd: true, startedAt: true })),
});
export type JobView = z.output<typeof JobViewSchema>;

/** `GET /api/jobs`: the jobs, and what was wrong with jobs.json when it could not be read. */
export const JobListSchema = z.object({ jobs: z.array(JobViewSchema), problem: z.string().nullable() });
export type JobList = z.output<typeof JobListSchema>;

/** `GET /api/jobs/:name/runs`: newest first. */
export const JobRunListSchema = z.object({ runs: z.array(JobRunSchema) });

/** `POST /api/jobs/preview`: the next runs of a schedule, for the schedule builder. */
export const SchedulePreviewBodySchema = z.strictObject({
  schedule: JobScheduleSchema,
  count: z.number().int().min(1).max(20).default(5),
});
export const SchedulePreviewSchema = z.object({ runs: z.array(z.string()), problem: z.string().nullable() });
export type SchedulePreview = z.output<typeof SchedulePreviewSchema>;
