import type { GlobalEvent } from '@contract/global-events';
import { openEventStream } from './event-stream';

type Handler = { onEvent(event: GlobalEvent): void; onRestart(): void };

const handlers = new Set<Handler>();
let stop: (() => void) | null = null;

/**
 * One connection to the global stream for the whole dashboard (the session list, the approvals counter), opened on
 * first use. After a server restart every listener reloads its state.
 */
export function onGlobalEvents(handler: Handler): () => void {
  handlers.add(handler);
  stop ??= openEventStream<GlobalEvent>('/api/events', {
    onEvent: (event) => handlers.forEach((h) => h.onEvent(event)),
    onRestart: () => handlers.forEach((h) => h.onRestart()),
  });
  return () => {
    handlers.delete(handler);
    if (handlers.size === 0) {
      stop?.();
      stop = null;
    }
  };
}
