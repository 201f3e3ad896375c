import { InteractionReplySchema, InteractionSchema } from '../contract/interactions';
import type { Logger } from '../log';
import { type ApprovalBroker, InteractionCancelledError } from '../permissions/approvals';
import { coalesce } from './coalesce';
import type { Queryable } from './database';
import { type ApprovalWaiter, answerApproval, openApproval, openApprovals } from './approvals';

/**
 * On the server: the team's open questions shown in this server's inbox, beside its own, through its broker. The
 * answer given there (on the Approvals page, through the one reply route) is written to the team database, which
 * resumes the worker; a question answered elsewhere or whose run ended leaves the inbox. `sync` reads the open
 * questions again; the team server calls it whenever an approval or a run changes on any machine.
 */
export class TeamInbox {
  /** Team approval id → what closes its request in this broker. */
  private readonly shown = new Map<string, AbortController>();

  constructor(
    private readonly db: Queryable,
    private readonly broker: ApprovalBroker,
    private readonly logger: Logger,
  ) {}

  /** Reads the open questions again: one read at a time, a burst of changes read once more after it. */
  readonly sync = coalesce(() =>
    this.read().catch((error: unknown) => {
      // The next change announced, or the reconnect, reads them again.
      this.logger.warn({ err: error }, 'the team inbox could not be read');
    }),
  );

  close(): void {
    for (const controller of this.shown.values()) controller.abort();
    this.shown.clear();
  }

  private async read(): Promise<void> {
    const open = await openApprovals(this.db);
    const ids = new Set(open.map((a) => a.id));
    for (const [id, controller] of this.shown)
      if (!ids.has(id)) {
        this.shown.delete(id);
        controller.abort();
      }
    for (const approval of open) {
      if (this.shown.has(approval.id)) continue;
      const interaction = InteractionSchema.safeParse(approval.interaction);
      if (!interaction.success) {
        this.logger.warn({ id: approval.id }, 'a team approval is not a request this server knows; not shown');
        continue;
      }
      const controller = new AbortController();
      this.shown.set(approval.id, controller);
      const team = { runId: approval.runId, worker: approval.worker, job: approval.job };
      this.broker.open({ ...interaction.data, team }, controller.signal).then(
        async (reply) => {
          this.shown.delete(approval.id);
          if (!(await answerApproval(this.db, approval.id, reply)))
            this.logger.info({ id: approval.id }, 'a team approval was answered elsewhere first');
        },
        (error: unknown) => {
          if (error instanceof InteractionCancelledError) return;
          this.logger.error({ err: error, id: approval.id }, 'a team approval could not be answered');
        },
      );
    }
  }
}

/**
 * On a worker: a team run's questions parked in the team database (the one inbox), and the answer given there,
 * on any server, given back to this worker's broker, which resumes the run. A question the run stops waiting for
 * (it was cancelled, or its wall time ran out) stops being waited for here. Answers the unsubscribe.
 */
export function parkTeamApprovals(deps: {
  broker: ApprovalBroker;
  db: Queryable;
  waiter: ApprovalWaiter;
  /** The team run a session belongs to; undefined for a session that is not a team run's. */
  runOf(sessionId: string): string | undefined;
  logger: Logger;
}): () => void {
  const waiting = new Map<string, AbortController>();
  return deps.broker.onChange((change) => {
    if (change.type === 'closed') {
      waiting.get(change.id)?.abort();
      waiting.delete(change.id);
      return;
    }
    const { interaction } = change;
    const runId = deps.runOf(interaction.sessionId);
    if (!runId) return;
    const controller = new AbortController();
    waiting.set(interaction.id, controller);
    openApproval(deps.db, { id: interaction.id, runId, interaction })
      .then(() => deps.waiter.answer(interaction.id, controller.signal))
      .then((answer) => {
        waiting.delete(interaction.id);
        deps.broker.reply(interaction.id, InteractionReplySchema.parse(answer));
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        deps.logger.error({ err: error, id: interaction.id }, 'a team run could not park its question');
      });
  });
}
