import type { Job, JobRun, JobView } from '../contract/automation';
import { errorMessage } from '../fs/errors';
import type { Clock, Timer } from './clock';
import { type JobQueue, type QueuedRun, newRunId } from './job-queue';
import type { JobsStore } from './jobs-store';
import type { JobHistory } from './run-log';
import { jobNextTick } from './schedule';

/** The longest a timer is set for: a far tick is reached by setting it again (timers cannot wait ~25 days). */
const MAX_TIMER_MS = 60 * 60 * 1000;
/** Runs listed in a job's view for its sparkline. */
const RECENT_RUNS = 20;

/** What running a job did, for its history line. */
export type RunResult = Pick<JobRun, 'status' | 'sessionId' | 'costUsd' | 'inputTokens' | 'outputTokens' | 'error'>;

export interface AutomationDeps {
  store: JobsStore;
  queue: JobQueue;
  log: JobHistory;
  clock: Clock;
  /** Runs one job as a session, until it ends or `signal` stops it. */
  execute(job: Job, run: QueuedRun, signal: AbortSignal): Promise<RunResult>;
  /** A run started, ended or was skipped. */
  onRun(run: JobRun): void;
}

/**
 * Scheduled jobs at work: one timer set for the earliest tick of any job; each tick puts a run on the queue (or
 * records it skipped, when the job's last run still goes on and its overlap policy is `skip`); runs are leased from
 * the queue one per job at a time and executed as sessions; every run ends as a line of its job's history.
 */
export class Automation {
  /** The last tick handled per job: the next is looked for after it. */
  private readonly cursor = new Map<string, number>();
  private readonly running = new Map<string, { run: QueuedRun; controller: AbortController }>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: Timer | null = null;
  private stopped = false;
  private draining = false;
  private drainAgain = false;

  constructor(private readonly deps: AutomationDeps) {}

  /**
   * Starts scheduling. Runs the last process left running are recorded as interrupted (and made up once when their
   * job's missed policy is `run-once`); ticks missed while nothing ran are made up the same way.
   */
  async start(interrupted: readonly QueuedRun[]): Promise<void> {
    const now = this.deps.clock.now();
    for (const run of interrupted) {
      await this.record({ ...this.base(run), endedAt: this.iso(), status: 'interrupted' });
      const job = this.deps.store.get(run.job);
      if (job?.missed === 'run-once') await this.deps.queue.enqueue({ job: run.job, trigger: 'missed' });
    }
    for (const job of this.deps.store.list()) {
      if (!job.enabled || job.missed !== 'run-once' || interrupted.some((r) => r.job === job.name)) continue;
      const [last] = await this.deps.log.read(job.name, 1);
      const tick = jobNextTick(
        job,
        new Date(last ? Date.parse(last.scheduledFor ?? last.startedAt) : Date.parse(job.createdAt)),
      );
      // Claimed like any tick: of several machines starting together, one makes it up.
      if (tick && tick.getTime() <= now && (await this.deps.queue.claim(job.name, tick)))
        await this.deps.queue.enqueue({ job: job.name, trigger: 'missed', scheduledFor: tick.toISOString() });
    }
    this.deps.store.onChange(() => this.arm());
    this.arm();
    this.drain();
  }

  /** Runs a job now, whatever its schedule (paused ones too); the queued run's id. */
  async runNow(name: string): Promise<string> {
    if (!this.deps.store.get(name)) throw new RangeError(`there is no job "${name}"`);
    const run = await this.deps.queue.enqueue({ job: name, trigger: 'manual' });
    this.drain();
    return run.id;
  }

  /** A job's runs, newest first. */
  history(name: string): Promise<JobRun[]> {
    return this.deps.log.read(name);
  }

  /** Whether a run of the job goes on, here or (a queue shared by several machines) on another machine. */
  isRunning(name: string): boolean {
    return this.running.has(name) || this.deps.queue.list().some((e) => e.item.job === name && e.state === 'running');
  }

  async view(job: Job): Promise<JobView> {
    const runs = await this.deps.log.read(job.name, RECENT_RUNS);
    const next = job.enabled ? jobNextTick(job, new Date(this.cursor.get(job.name) ?? this.deps.clock.now())) : null;
    return {
      ...job,
      nextRun: next?.toISOString() ?? null,
      running: this.isRunning(job.name),
      lastRun: runs.find((r) => r.status !== 'skipped') ?? runs[0] ?? null,
      recent: runs
        .filter((r) => r.status !== 'skipped')
        .map(({ status, costUsd, startedAt }) => ({ status, costUsd, startedAt }))
        .reverse(),
    };
  }

  /** Resolves when no run is going on (tests, and a command that ran a job now). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops the timer and the runs going on; they end as cancelled. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    for (const { controller } of this.running.values()) controller.abort();
    await this.idle();
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer?.cancel();
    this.timer = null;
    const now = this.deps.clock.now();
    let earliest = Infinity;
    for (const job of this.deps.store.list()) {
      if (!job.enabled) continue;
      if (!this.cursor.has(job.name)) this.cursor.set(job.name, now);
      const tick = jobNextTick(job, new Date(this.cursor.get(job.name)!));
      if (tick) earliest = Math.min(earliest, tick.getTime());
    }
    if (earliest === Infinity) return;
    this.timer = this.deps.clock.setTimer(
      () => this.track(this.tick()),
      Math.min(Math.max(earliest - now, 0), MAX_TIMER_MS),
    );
  }

  /** Keeps a piece of work in `idle`'s sight until it settles. */
  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async tick(): Promise<void> {
    this.timer = null;
    const now = this.deps.clock.now();
    for (const job of this.deps.store.list()) {
      if (!job.enabled) continue;
      const tick = jobNextTick(job, new Date(this.cursor.get(job.name) ?? now));
      if (!tick || tick.getTime() > now) continue;
      // Ticks passed while the process slept are one tick: the schedule is caught up, not replayed.
      this.cursor.set(job.name, now);
      if (!(await this.deps.queue.claim(job.name, tick))) continue;
      // Running here, or queued or running on any machine sharing the queue.
      const busy = this.running.has(job.name) || this.deps.queue.list().some((e) => e.item.job === job.name);
      if (busy && job.overlap === 'skip')
        await this.record({
          id: this.newId(),
          job: job.name,
          trigger: 'schedule',
          scheduledFor: tick.toISOString(),
          startedAt: this.iso(),
          endedAt: this.iso(),
          status: 'skipped',
          error: 'the previous run was still going on',
        });
      else await this.deps.queue.enqueue({ job: job.name, trigger: 'schedule', scheduledFor: tick.toISOString() });
    }
    this.arm();
    this.drain();
  }

  /** Leases what can run now (one run per job at a time) and runs it; one lease loop at a time. */
  private drain(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    const flight = (async () => {
      do {
        this.drainAgain = false;
        for (;;) {
          const run = await this.deps.queue.lease((item) => !this.running.has(item.job));
          if (!run) break;
          const job = this.deps.store.get(run.job);
          if (!job) {
            await this.deps.queue.fail(run.id, 'the job was removed');
            continue;
          }
          const controller = new AbortController();
          this.running.set(job.name, { run, controller });
          const execution: Promise<void> = this.execute(job, run, controller).finally(() => {
            this.running.delete(job.name);
            this.inFlight.delete(execution);
            this.drain();
          });
          this.inFlight.add(execution);
        }
      } while (this.drainAgain && !this.stopped);
    })().finally(() => {
      this.draining = false;
      this.inFlight.delete(flight);
    });
    this.inFlight.add(flight);
  }

  private async execute(job: Job, run: QueuedRun, controller: AbortController): Promise<void> {
    const startedAt = this.iso();
    this.deps.onRun({ ...this.base(run), startedAt, status: 'running' });
    let result: RunResult;
    try {
      result = await this.deps.execute(job, run, controller.signal);
      await this.deps.queue.complete(run.id);
    } catch (error) {
      result = { status: 'error', error: errorMessage(error) };
      await this.deps.queue.fail(run.id, errorMessage(error));
    }
    await this.record({ ...this.base(run), startedAt, endedAt: this.iso(), ...result });
  }

  private base(run: QueuedRun): Pick<JobRun, 'id' | 'job' | 'trigger' | 'scheduledFor' | 'startedAt'> {
    return {
      id: run.id,
      job: run.job,
      trigger: run.trigger,
      ...(run.scheduledFor ? { scheduledFor: run.scheduledFor } : {}),
      startedAt: run.enqueuedAt,
    };
  }

  private async record(run: JobRun): Promise<void> {
    await this.deps.log.append(run);
    this.deps.onRun(run);
  }

  private iso(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  private newId(): string {
    return newRunId(this.deps.clock.now());
  }
}
