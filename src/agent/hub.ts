import type { ApprovalBroker, Interaction } from '../permissions/approvals';
import type { FileChange } from '../workspace/file-watcher';
import type { SessionChange, SessionStore, StoredEvent } from '../workspace/sessions';
import { EventBus } from './bus';
import type { StampedEvent } from './events';

/** What the global stream (`/api/events`) carries: changes to the session list, to which sessions are running, to open questions and to the tool list. */
export type GlobalEvent = { id: number } & (
  | { type: 'session.created' | 'session.updated'; session: unknown }
  | { type: 'session.deleted'; sessionId: string }
  | { type: 'run.status'; sessionId: string; runId: string; running: boolean }
  | { type: 'interaction.opened'; interaction: Interaction }
  | { type: 'interaction.closed'; interactionId: string; sessionId: string }
  | { type: 'tools.changed' }
  | { type: 'file.changed'; changes: FileChange[]; truncated: boolean }
);

type GlobalPayload = GlobalEvent extends infer E ? (E extends GlobalEvent ? Omit<E, 'id'> : never) : never;

/**
 * Fans events out to live subscribers: one bus per session for run events, and one global bus. A reconnecting
 * subscriber is sent what it missed, from memory or, further back, from the session file.
 */
export class SessionHub {
  private readonly buses = new Map<string, EventBus<StampedEvent>>();
  private readonly running = new Set<string>();
  readonly global = new EventBus<GlobalEvent>(1000);
  private globalId = 0;

  constructor(
    private readonly sessions: SessionStore,
    broker: ApprovalBroker,
  ) {
    broker.onChange((change) =>
      this.publishGlobal(change.type === 'opened' ? { type: 'interaction.opened', interaction: change.interaction } : { type: 'interaction.closed', interactionId: change.id, sessionId: change.sessionId }),
    );
    sessions.onChange((change: SessionChange) => {
      if (change.type === 'deleted') this.publishGlobal({ type: 'session.deleted', sessionId: change.id });
      else {
        const { bytes: _bytes, mtimeMs: _mtime, ...session } = change.session;
        this.publishGlobal({ type: change.type === 'created' ? 'session.created' : 'session.updated', session: { ...session, running: this.running.has(session.id) } });
      }
    });
  }

  publish(sessionId: string, event: StampedEvent): void {
    this.bus(sessionId).publish(event);
  }

  publishGlobal(event: GlobalPayload): void {
    this.global.publish({ ...event, id: ++this.globalId } as GlobalEvent);
  }

  setRunning(sessionId: string, runId: string, running: boolean): void {
    if (running) this.running.add(sessionId);
    else {
      this.running.delete(sessionId);
      this.release(sessionId);
    }
    this.publishGlobal({ type: 'run.status', sessionId, runId, running });
  }

  isRunning(sessionId: string): boolean {
    return this.running.has(sessionId);
  }

  /**
   * Subscribes and returns the events after `afterId` that the subscriber missed; live events that arrive while
   * the backlog is read are held and delivered after it, so nothing is lost or repeated.
   */
  async subscribe(sessionId: string, afterId: number, deliver: (event: StampedEvent) => void): Promise<() => void> {
    const bus = this.bus(sessionId);
    const held: StampedEvent[] = [];
    let live = false;
    let lastSent = afterId;
    const send = (event: StampedEvent) => {
      if (event.id <= lastSent) return;
      lastSent = event.id;
      deliver(event);
    };
    const unsubscribe = bus.subscribe((event) => (live ? send(event) : held.push(event)));
    try {
      const backlog = bus.since(afterId) ?? (await this.fromFile(sessionId, afterId));
      for (const event of backlog) send(event);
      for (const event of bus.after(lastSent)) send(event);
      for (const event of held) send(event);
      live = true;
    } catch (error) {
      unsubscribe();
      throw error;
    }
    return () => {
      unsubscribe();
      this.release(sessionId);
    };
  }

  private async fromFile(sessionId: string, afterId: number): Promise<StampedEvent[]> {
    const { events } = await this.sessions.read(sessionId);
    return events.filter((e: StoredEvent) => e.id > afterId) as unknown as StampedEvent[];
  }

  private bus(sessionId: string): EventBus<StampedEvent> {
    let bus = this.buses.get(sessionId);
    if (!bus) this.buses.set(sessionId, (bus = new EventBus<StampedEvent>()));
    return bus;
  }

  /** A session's memory is dropped once nobody watches it and no run writes to it. */
  private release(sessionId: string): void {
    const bus = this.buses.get(sessionId);
    if (bus && bus.subscriberCount === 0 && !this.running.has(sessionId)) this.buses.delete(sessionId);
  }
}
