import type { Logger } from '../log';
import { errorMessage } from '../fs/errors';
import { sleep } from '../agent/sleep';
import type { TeamLease, TeamRunQueue, Within } from './run-queue';

/** How a run ended on this worker: its output, or why it failed. */
export type RunOutcome<O> = { output: O } | { error: string };

/** How long an idle slot waits before it asks the queue again. */
const POLL_MS = 1000;

export interface TeamWorkerOptions<O extends Record<string, unknown>> {
  queue: TeamRunQueue;
  /** The workspace whose runs this machine takes (its identity's remote). */
  workspace: string;
  /** Runs this machine takes at once (the global cap still bounds them all). */
  concurrency: number;
  /** How often a running run's lease is renewed: well under the queue's lease time. */
  heartbeatMs: number;
  /** Runs one leased run to its output; `signal` aborts when the lease is lost or the worker stops. */
  execute(lease: TeamLease, signal: AbortSignal): Promise<O>;
  /** Recorded in the lease's transaction (the run's row says who runs it). */
  onLeased?: Within;
  /** Recorded in the transaction that gives a run back when this worker stops. */
  onReleased?: Within;
  /** Recorded in the report's transaction, so only the holder of the lease records the run's end. */
  onEnded?: (outcome: RunOutcome<O>) => Within;
  logger: Logger;
}

/**
 * A worker machine's loop: `concurrency` slots, each leasing a run of its workspace, running it while its lease is
 * renewed, and reporting it. A run whose lease is lost (it was cancelled, or this machine stalled past the lease and
 * another took it) is aborted and not reported: the report would be refused, and the run belongs to its new holder.
 */
export class TeamWorker<O extends Record<string, unknown>> {
  private readonly stopping = new AbortController();
  /** Aborted (and replaced) to wake the idle slots at once. */
  private nudge = new AbortController();
  /** Wakes so far: a slot that was asking the queue when one came asks again instead of sleeping. */
  private wakes = 0;
  private slots: Promise<void>[] = [];

  constructor(private readonly options: TeamWorkerOptions<O>) {}

  start(): void {
    this.slots = Array.from({ length: this.options.concurrency }, () => this.slot());
  }

  /** Something changed in the queue (a run was queued, or one ended and freed a slot under the cap): ask now. */
  wake(): void {
    this.wakes += 1;
    this.nudge.abort();
    this.nudge = new AbortController();
  }

  /**
   * Stops taking runs and stops those running, giving their leases back: each is re-queued or ends as its job's
   * policy says, at once rather than when its lease would have expired.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.slots);
  }

  private async slot(): Promise<void> {
    const { signal } = this.stopping;
    while (!signal.aborted) {
      let lease: TeamLease | null = null;
      const wakes = this.wakes;
      try {
        lease = await this.options.queue.lease(this.options.workspace, this.options.onLeased);
      } catch (error) {
        this.options.logger.warn({ err: error }, 'the team queue could not be asked for a run; asking again');
      }
      if (lease) await this.run(lease);
      else if (this.wakes === wakes) await sleep(POLL_MS, AbortSignal.any([signal, this.nudge.signal]));
    }
  }

  private async run(lease: TeamLease): Promise<void> {
    const { queue, logger } = this.options;
    const lost = new AbortController();
    // One controller stopped by either cause, listened to by the worker's own signal: a signal made with
    // AbortSignal.any is held weakly by its sources and, on Node 20, can be collected with its listeners while the
    // run goes on, so a stop would never reach the run.
    const stop = new AbortController();
    const stopRun = () => stop.abort(this.stopping.signal.reason);
    this.stopping.signal.addEventListener('abort', stopRun, { once: true });
    const heartbeat = setInterval(() => {
      queue.heartbeat(lease).then(
        (held) => {
          if (held) return;
          lost.abort(new Error('the lease on this run was lost'));
          stop.abort(lost.signal.reason);
        },
        (error: unknown) => logger.warn({ err: error, run: lease.id }, 'a run lease could not be renewed'),
      );
    }, this.options.heartbeatMs);
    let outcome: RunOutcome<O>;
    try {
      outcome = { output: await this.options.execute(lease, stop.signal) };
    } catch (error) {
      outcome = { error: errorMessage(error) };
    } finally {
      clearInterval(heartbeat);
      this.stopping.signal.removeEventListener('abort', stopRun);
    }
    // A run whose lease was lost belongs to whoever holds it now, or to no one (it was cancelled).
    if (lost.signal.aborted) return;
    if (this.stopping.signal.aborted) {
      await queue
        .release(lease, this.options.onReleased)
        .catch((error: unknown) =>
          logger.warn({ err: error, run: lease.id }, 'a stopped run could not be given back; its lease will expire'),
        );
      return;
    }
    try {
      const within = this.options.onEnded?.(outcome);
      const recorded =
        'output' in outcome
          ? await queue.complete(lease, outcome.output, within)
          : await queue.fail(lease, outcome.error, within);
      if (!recorded)
        logger.warn({ run: lease.id }, 'a run ended after its lease was lost; its result was not recorded');
    } catch (error) {
      // The lease then expires and the run is re-queued or failed as its job says: nothing is lost but this run's work.
      logger.error({ err: error, run: lease.id }, 'the end of a run could not be recorded in the team database');
    }
  }
}
