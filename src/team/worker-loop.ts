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
  private slots: Promise<void>[] = [];

  constructor(private readonly options: TeamWorkerOptions<O>) {}

  start(): void {
    this.slots = Array.from({ length: this.options.concurrency }, () => this.slot());
  }

  /** Stops taking runs and aborts those running (their leases expire and they are re-queued). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.slots);
  }

  private async slot(): Promise<void> {
    const { signal } = this.stopping;
    while (!signal.aborted) {
      let lease: TeamLease | null = null;
      try {
        lease = await this.options.queue.lease(this.options.workspace, this.options.onLeased);
      } catch (error) {
        this.options.logger.warn({ err: error }, 'the team queue could not be asked for a run; asking again');
      }
      if (lease) await this.run(lease);
      else await sleep(POLL_MS, signal);
    }
  }

  private async run(lease: TeamLease): Promise<void> {
    const { queue, logger } = this.options;
    const lost = new AbortController();
    const heartbeat = setInterval(() => {
      queue.heartbeat(lease).then(
        (held) => held || lost.abort(new Error('the lease on this run was lost')),
        (error: unknown) => logger.warn({ err: error, run: lease.id }, 'a run lease could not be renewed'),
      );
    }, this.options.heartbeatMs);
    const signal = AbortSignal.any([lost.signal, this.stopping.signal]);
    let outcome: RunOutcome<O>;
    try {
      outcome = { output: await this.options.execute(lease, signal) };
    } catch (error) {
      outcome = { error: errorMessage(error) };
    } finally {
      clearInterval(heartbeat);
    }
    // An aborted run belongs to whoever holds it now, or to no one (cancelled, or re-queued once this machine stops).
    if (signal.aborted) return;
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
