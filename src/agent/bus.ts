/**
 * Publish/subscribe with a bounded memory of recent events, so a subscriber that reconnects can be sent what it
 * missed. Events carry increasing ids; the bus does not assign them.
 */
export class EventBus<E extends { id: number }> {
  private readonly subscribers = new Set<(event: E) => void>();
  private readonly recent: E[] = [];

  constructor(private readonly capacity = 5000) {}

  publish(event: E): void {
    this.recent.push(event);
    if (this.recent.length > this.capacity) this.recent.splice(0, this.recent.length - this.capacity);
    for (const subscriber of this.subscribers) subscriber(event);
  }

  subscribe(subscriber: (event: E) => void): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Remembered events after `afterId`, or undefined when memory does not reach back that far (ids are consecutive). */
  since(afterId: number): E[] | undefined {
    const first = this.recent[0];
    if (!first || first.id > afterId + 1) return undefined;
    return this.after(afterId);
  }

  /** Whatever is remembered after `afterId`, complete or not. */
  after(afterId: number): E[] {
    return this.recent.filter((e) => e.id > afterId);
  }
}
