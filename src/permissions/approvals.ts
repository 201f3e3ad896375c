import { randomBytes } from 'node:crypto';
import type { Interaction, InteractionReply } from '../contract/interactions';

type NewInteraction = Interaction extends infer I
  ? I extends Interaction
    ? Omit<I, 'id' | 'createdAt'>
    : never
  : never;
export type ReplyFor<K extends Interaction['kind']> = Extract<InteractionReply, { kind: K }>;

export class InteractionNotFoundError extends Error {
  override readonly name = 'InteractionNotFoundError';
}

export class InteractionReplyError extends Error {
  override readonly name = 'InteractionReplyError';
}

/** The run stopped while the user had not answered. */
export class InteractionCancelledError extends Error {
  override readonly name = 'InteractionCancelledError';
}

type Change = { type: 'opened'; interaction: Interaction } | { type: 'closed'; id: string; sessionId: string };

/**
 * Holds every pending approval, plan and question until the user answers over HTTP. There is no timeout: a request
 * waits until it is answered or its run is cancelled. Only `reply` resolves one, and only the HTTP routes call it,
 * so nothing a model sends can answer for the user.
 */
export class ApprovalBroker {
  private readonly pending = new Map<
    string,
    { interaction: Interaction; resolve: (reply: InteractionReply) => void }
  >();
  private readonly listeners = new Set<(change: Change) => void>();

  /** `shown` is how a request is kept and shown to the user: the runtime takes secrets out of the model's input. */
  constructor(private readonly shown: (interaction: Interaction) => Interaction = (interaction) => interaction) {}

  list(sessionId?: string): Interaction[] {
    const all = [...this.pending.values()].map((p) => p.interaction);
    return sessionId ? all.filter((i) => i.sessionId === sessionId) : all;
  }

  onChange(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Opens a request and waits for its reply; rejects with InteractionCancelledError when `signal` aborts first. */
  open<K extends Interaction['kind']>(
    request: NewInteraction & { kind: K },
    signal: AbortSignal,
    onOpened?: (interaction: Interaction) => void,
  ): Promise<ReplyFor<K>> {
    if (signal.aborted) return Promise.reject(new InteractionCancelledError('the run was cancelled'));
    const interaction = this.shown({
      ...request,
      id: `int_${Date.now().toString(36)}${randomBytes(5).toString('hex')}`,
      createdAt: new Date().toISOString(),
    } as Interaction);
    return new Promise<ReplyFor<K>>((resolve, reject) => {
      const close = () => {
        this.pending.delete(interaction.id);
        signal.removeEventListener('abort', onAbort);
        this.emit({ type: 'closed', id: interaction.id, sessionId: interaction.sessionId });
      };
      const onAbort = () => {
        close();
        reject(new InteractionCancelledError('the run was cancelled'));
      };
      this.pending.set(interaction.id, {
        interaction,
        resolve: (reply) => {
          close();
          resolve(reply as ReplyFor<K>);
        },
      });
      signal.addEventListener('abort', onAbort, { once: true });
      onOpened?.(interaction);
      this.emit({ type: 'opened', interaction });
    });
  }

  /** Answers a pending request; the reply must be of the request's kind. */
  reply(id: string, reply: InteractionReply): Interaction {
    const entry = this.pending.get(id);
    if (!entry)
      throw new InteractionNotFoundError(
        `nothing is waiting for an answer under ${id}; it may have been answered already or its run stopped`,
      );
    if (entry.interaction.kind !== reply.kind)
      throw new InteractionReplyError(`${id} is a ${entry.interaction.kind}, not a ${reply.kind}`);
    entry.resolve(reply);
    return entry.interaction;
  }

  private emit(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }
}
