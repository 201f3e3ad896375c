import { hostname } from 'node:os';
import { basename } from 'node:path';
import type pg from 'pg';
import type { Job, JobRun } from '../contract/automation';
import { type StampedEvent, StampedEventSchema } from '../contract/events';
import type { TeamRun, TeamStatus } from '../contract/team';
import type { Logger } from '../log';
import type { ApprovalBroker } from '../permissions/approvals';
import { APPROVALS_CHANNEL } from './approvals';
import { TeamInbox } from './approval-bridges';
import { coalesce } from './coalesce';
import { connectTeamDatabase, migrateTeamDatabase } from './database';
import { TeamListener } from './listener';
import { RunEventFollower } from './run-events';
import { TeamRunQueue } from './run-queue';
import { TeamJobHistory, TeamJobQueue } from './team-job-queue';
import {
  RUNS_CHANNEL,
  countRuns,
  getRun,
  interruptExpired,
  jobRunOf,
  listRuns,
  listWorkers,
  registerWorkspace,
  usageByModel,
} from './team-runs';
import { workspaceIdentity } from './workspace-identity';

/** Runs listed on the Team page. */
const LISTED_RUNS = 100;
/** How often the server looks for runs whose lease the queue expired. */
const SWEEP_MS = 1000;

export interface TeamServerOptions {
  url: string;
  /** The workspace's folder: a git repository whose origin every worker holds. */
  root: string;
  /** Runs running at once across every machine. */
  cap: number;
  /** A lease not renewed for this long expires: its run is interrupted (and re-queued when its job allows). */
  leaseSeconds: number;
  broker: ApprovalBroker;
  job(name: string): Job | undefined;
  /** Runs changed on some machine (the Team page reloads): told once per burst of changes. */
  onChange(): void;
  /** A job's run ended (or was interrupted) on some machine: a line of its history. */
  onRunEnded(run: JobRun): void;
  logger: Logger;
}

/**
 * The server's side of team mode: the team database migrated, this workspace registered, its scheduled runs queued
 * there (`queue`, `history` behind the scheduler's interfaces), the team's questions in this server's inbox, runs
 * whose worker died marked interrupted, and every change announced by any machine passed on to the pages.
 */
export class TeamServer {
  private sweep: NodeJS.Timeout | null = null;

  private constructor(
    readonly remote: string,
    readonly queue: TeamJobQueue,
    readonly history: TeamJobHistory,
    private readonly options: TeamServerOptions,
    private readonly db: pg.Pool,
    private readonly runQueue: TeamRunQueue,
    private readonly inbox: TeamInbox,
    private readonly follower: RunEventFollower,
    private readonly listener: TeamListener,
  ) {}

  static async start(options: TeamServerOptions): Promise<TeamServer> {
    const { url, logger } = options;
    const identity = await workspaceIdentity(options.root);
    const db = connectTeamDatabase(url);
    const opened: { close(): Promise<void> }[] = [{ close: () => db.end() }];
    try {
      await migrateTeamDatabase(db);
      await registerWorkspace(db, identity.remote, basename(options.root));
      await db.query(
        `INSERT INTO boxagnts.team (cap, lease_seconds) VALUES ($1, $2)
         ON CONFLICT (singleton) DO UPDATE SET cap = excluded.cap, lease_seconds = excluded.lease_seconds`,
        [options.cap, options.leaseSeconds],
      );
      const runQueue = await TeamRunQueue.start({
        url,
        owner: true,
        globalCap: options.cap,
        leaseSeconds: options.leaseSeconds,
        retries: 0,
        logger,
      });
      opened.unshift({ close: () => runQueue.stop() });
      const queue = new TeamJobQueue({
        db,
        queue: runQueue,
        workspace: identity.remote,
        commit: async () => (await workspaceIdentity(options.root)).commit,
        job: options.job,
        machine: `server ${hostname()}`,
      });
      const follower = await RunEventFollower.start(db, url, logger);
      opened.unshift(follower);
      const inbox = new TeamInbox(db, options.broker, logger);
      let server: TeamServer | undefined;
      const listener = await TeamListener.start({
        url,
        logger,
        channels: {
          [APPROVALS_CHANNEL]: () => void inbox.sync(),
          [RUNS_CHANNEL]: (id) => server?.changed(id),
        },
        onReconnect: () => server?.changed(''),
      });
      opened.unshift(listener);
      server = new TeamServer(
        identity.remote,
        queue,
        new TeamJobHistory(db, identity.remote),
        options,
        db,
        runQueue,
        inbox,
        follower,
        listener,
      );
      await queue.refresh();
      await inbox.sync();
      server.sweep = setInterval(() => server.sweepExpired(), SWEEP_MS);
      return server;
    } catch (error) {
      for (const resource of opened) await resource.close();
      throw error;
    }
  }

  /** The Team page: the queue across machines, its workers, the newest runs and what they cost. */
  async status(): Promise<TeamStatus> {
    const [counts, workers, runs, usage] = await Promise.all([
      countRuns(this.db, this.remote),
      listWorkers(this.db, this.remote, this.options.leaseSeconds),
      listRuns(this.db, this.remote, { limit: LISTED_RUNS }),
      usageByModel(this.db, this.remote),
    ]);
    return {
      enabled: true,
      remote: this.remote,
      cap: this.options.cap,
      leaseSeconds: this.options.leaseSeconds,
      ...counts,
      workers,
      runs,
      usage,
    };
  }

  /** A run of this workspace; null for an unknown id (or another workspace's run). */
  run(id: string): Promise<TeamRun | null> {
    return getRun(this.db, id, this.remote);
  }

  /** Delivers a run's session events (as its worker stored them) after `afterId`, then each as it is stored. */
  follow(runId: string, afterId: number, deliver: (event: StampedEvent) => void): () => void {
    return this.follower.follow(runId, afterId, ({ seq, event }) => {
      const parsed = StampedEventSchema.safeParse(event);
      if (parsed.success) deliver(parsed.data);
      else this.options.logger.warn({ run: runId, seq }, 'a team run event is not one this server knows; skipped');
    });
  }

  async close(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    this.inbox.close();
    await this.listener.close();
    await this.follower.close();
    await this.runQueue.stop();
    await this.db.end();
  }

  private sweepExpired(): void {
    interruptExpired(this.db).then(
      // Told here, with the run as the sweep left it: by the time the announcement is read, it may run again.
      (runs) => runs.forEach((run) => run.job && this.options.onRunEnded(jobRunOf(run))),
      (error: unknown) =>
        // Tried again at the next sweep: a run stays marked running a moment longer.
        this.options.logger.warn({ err: error }, 'the team database could not be swept for expired leases'),
    );
  }

  /**
   * What follows the runs (the scheduler's view, the inbox, the pages) reads them again, once per burst of changes:
   * a hundred runs queued at once are a hundred announcements, not a hundred reads of each.
   */
  private readonly reread = coalesce(async () => {
    await this.queue.refresh().catch((error: unknown) => {
      // The next change reads the runs again; until then the scheduler's view is a moment old.
      this.options.logger.warn({ err: error }, 'the team runs could not be read');
    });
    await this.inbox.sync();
    this.options.onChange();
  });

  /** A run changed (or, with no id, anything may have); a job's run that ended is told as such. */
  private changed(id: string): void {
    void this.reread();
    if (!id) return;
    getRun(this.db, id, this.remote).then(
      (run) => {
        // An interruption is told by the sweep that found it; a skipped tick by the scheduler that skipped it.
        if (run?.job && run.finishedAt && !['skipped', 'interrupted'].includes(run.status))
          this.options.onRunEnded(jobRunOf(run));
      },
      (error: unknown) => this.options.logger.warn({ err: error, run: id }, 'a team run could not be read'),
    );
  }
}
