import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Job, type JobRun, JobRunStatusSchema, JobSchema } from '../contract/automation';
import type { JobQueue, QueueEntry, QueuedRun } from '../automation/job-queue';
import type { JobHistory } from '../automation/run-log';
import type { Queryable } from './database';
import type { TeamRunQueue } from './run-queue';
import { claimTick } from './schedule-ticks';
import { announceRun, insertRun, jobRunOf, listRuns, markCancelled, markEnded } from './team-runs';

/**
 * What a team run carries to the worker that leases it: the job as the server had it, and the commit to work on. A
 * worker parses it like any input from another machine.
 */
export const TeamRunDataSchema = z.object({
  workspace: z.string(),
  commit: z.string(),
  job: JobSchema,
  trigger: z.enum(['schedule', 'manual', 'missed']),
  scheduledFor: z.string().optional(),
  enqueuedAt: z.string(),
});
export type TeamRunData = z.output<typeof TeamRunDataSchema>;

/** Statuses a run has while it waits or works; every other one is an end. */
const UNDER_WAY = ['queued', 'running'] as const;
const ENDED = JobRunStatusSchema.options.filter((s) => !(UNDER_WAY as readonly string[]).includes(s));

export interface TeamJobQueueDeps {
  db: Queryable;
  queue: TeamRunQueue;
  /** The workspace's identity (its remote) and the commit runs queued now start from. */
  workspace: string;
  commit(): Promise<string>;
  job(name: string): Job | undefined;
  /** Names this server in the ticks it claims. */
  machine: string;
}

/**
 * The scheduler's queue in team mode: runs go to the team database, where workers on other machines lease them. The
 * server runs none itself (its `lease` finds nothing), so the lease, heartbeat and reports of a run are its
 * worker's, through `TeamRunQueue`. A job whose missed policy is `run-once` is re-queued once when its worker dies
 * mid-run, the same policy a local run interrupted by a crash follows.
 */
export class TeamJobQueue implements JobQueue {
  /** The workspace's queued and running runs, as last read: the scheduler asks without waiting. */
  private entries: QueueEntry[] = [];

  constructor(private readonly deps: TeamJobQueueDeps) {}

  async enqueue(item: Omit<QueuedRun, 'id' | 'enqueuedAt'>): Promise<QueuedRun> {
    const job = this.deps.job(item.job);
    if (!job) throw new RangeError(`there is no job "${item.job}"`);
    const run: QueuedRun = { ...item, id: randomUUID(), enqueuedAt: new Date().toISOString() };
    const commit = await this.deps.commit();
    const { workspace } = this.deps;
    await insertRun(this.deps.db, { ...run, workspace, commit });
    const data: TeamRunData = {
      workspace,
      commit,
      job,
      trigger: run.trigger,
      scheduledFor: run.scheduledFor,
      enqueuedAt: run.enqueuedAt,
    };
    try {
      await this.deps.queue.enqueue({ ...data }, { id: run.id, retries: job.missed === 'run-once' ? 1 : 0 });
    } catch (error) {
      await markEnded(this.deps.db, run.id, { status: 'error', error: 'the team queue refused the run' });
      throw error;
    }
    // The row's own announcement came before the run was leasable: idle workers are woken again now that it is.
    await announceRun(this.deps.db, run.id);
    await this.refresh();
    return run;
  }

  claim(job: string, tick: Date): Promise<boolean> {
    return claimTick(this.deps.db, { workspace: this.deps.workspace, job, at: tick }, this.deps.machine);
  }

  /** Worker machines lease team runs; the server's scheduler never does. */
  async lease(): Promise<QueuedRun | null> {
    return null;
  }

  /** Leases are renewed and reported by the worker holding them (see TeamWorker). */
  heartbeat(): Promise<void> {
    return Promise.reject(new Error('a team run is renewed by the worker that leased it'));
  }

  complete(): Promise<void> {
    return Promise.reject(new Error('a team run is reported by the worker that leased it'));
  }

  fail(): Promise<void> {
    return Promise.reject(new Error('a team run is reported by the worker that leased it'));
  }

  /** Stops a queued or running run; a running one's worker sees its lease end at its next heartbeat and stops it. */
  async cancel(id: string): Promise<boolean> {
    const cancelled = await markCancelled(this.deps.db, id);
    if (cancelled) await this.deps.queue.cancel(id);
    await this.refresh();
    return cancelled;
  }

  list(): QueueEntry[] {
    return this.entries;
  }

  /** Reads the runs under way again (after any run changed, on any machine). */
  async refresh(): Promise<void> {
    const runs = await listRuns(this.deps.db, this.deps.workspace, { limit: 1000, states: UNDER_WAY });
    this.entries = runs.map((run) => ({
      item: {
        id: run.id,
        job: run.job ?? '',
        trigger: run.trigger,
        ...(run.scheduledFor ? { scheduledFor: run.scheduledFor } : {}),
        enqueuedAt: run.enqueuedAt,
      },
      state: run.status === 'running' ? 'running' : 'queued',
    }));
  }
}

/** The jobs' history in team mode: their runs in the team database, wherever they ran. */
export class TeamJobHistory implements JobHistory {
  constructor(
    private readonly db: Queryable,
    private readonly workspace: string,
  ) {}

  /** The scheduler records here only what no worker ran: a tick skipped because the last run still went on. */
  async append(run: JobRun): Promise<void> {
    await insertRun(this.db, { ...run, workspace: this.workspace, commit: null }, run.status, run.error);
  }

  async read(job: string, limit = 200): Promise<JobRun[]> {
    return (await listRuns(this.db, this.workspace, { job, limit, states: ENDED })).map(jobRunOf);
  }
}
