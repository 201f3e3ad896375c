import type { StampedEvent } from '../contract/events';
import type { GlobalEvent, GlobalPayload } from '../contract/global-events';
import type { ApprovalBroker } from '../permissions/approvals';
import { type SessionChange, type SessionStore, publicSummary } from '../workspace/sessions';
import { EventBus } from './bus';

/**
 * Fans events out to live subscribers: one bus per session for run events, and one global bus. A reconnecting
 * subscriber is sent what it missed, from memory or, further back, from the session file.
 */
export class SessionHub {
  private readonly buses = new Map<string, EventBus<StampedEvent>>();
  private readonly running = new Set<string>();
  readonly global = new EventBus<GlobalEvent>(1000);
  private globalId = 0;

  /** `archive`: the store of archived sessions, whose changes the list follows too. */
  constructor(
    private readonly sessions: SessionStore,
    broker: ApprovalBroker,
    archive?: SessionStore,
  ) {
    broker.onChange((change) =>
      this.publishGlobal(
        change.type === 'opened'
          ? { type: 'interaction.opened', interaction: change.interaction }
          : { type: 'interaction.closed', interactionId: change.id, sessionId: change.sessionId },
      ),
    );
    const follow = (change: SessionChange) => {
      if (change.type === 'deleted') this.publishGlobal({ type: 'session.deleted', sessionId: change.id });
      else
        this.publishGlobal({
          type: change.type === 'created' ? 'session.created' : 'session.updated',
          session: publicSummary(change.session, this.running.has(change.session.id)),
        });
    };
    sessions.onChange(follow);
    archive?.onChange(follow);
  }

  /**
   * Delivers a session's event to its watchers. With nobody watching and no run writing (a title found after the
   * run, say), no bus is made for it: the event is in the session file, where a later subscriber reads it.
   */
  publish(sessionId: string, event: StampedEvent): void {
    const bus = this.running.has(sessionId) ? this.bus(sessionId) : this.buses.get(sessionId);
    bus?.publish(event);
  }

  publishGlobal(event: GlobalPayload): void {
    this.global.publish({ ...event, id: ++this.globalId });
  }

  setRunning(sessionId: string, runId: string, running: boolean): void {
    if (running) this.running.add(sessionId);
    else {
      this.running.delete(sessionId);
      this.release(sessionId);
    }
    this.publishGlobal({ type: 'run.status', sessionId, runId, running });
  }

  /** How many sessions the hub holds in memory (watched, or with a run writing): back to 0 when all is quiet. */
  get liveSessions(): number {
    return this.buses.size;
  }

  /** Sessions with a run writing. */
  get runningSessions(): number {
    return this.running.size;
  }

  /** Subscribers to the global events and to every live session's. */
  get listeners(): number {
    let count = this.global.subscriberCount;
    for (const bus of this.buses.values()) count += bus.subscriberCount;
    return count;
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
    return events.filter((e) => e.id > afterId);
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
