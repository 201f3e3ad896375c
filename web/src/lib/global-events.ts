import { type GlobalEvent, GlobalEventSchema, GlobalPayloadSchema } from '@contract/global-events';
import { z } from 'zod';
import { openEventStream } from './event-stream';

type Handler = { onEvent(event: GlobalEvent): void; onRestart(): void };

const handlers = new Set<Handler>();
let stop: (() => void) | null = null;

/** The global event types this dashboard knows, read off the contract's union. */
const GLOBAL_EVENT_TYPES: ReadonlySet<string> = new Set(
  GlobalPayloadSchema.options.flatMap((option): readonly string[] => {
    const type = option.shape.type;
    return type instanceof z.ZodEnum ? type.options : [...type.values];
  }),
);

/**
 * One connection to the global stream for the whole dashboard (the session list, the approvals counter), opened on
 * first use. After a server restart every listener reloads its state.
 */
export function onGlobalEvents(handler: Handler): () => void {
  handlers.add(handler);
  stop ??= openEventStream(
    '/api/events',
    { schema: GlobalEventSchema, knownTypes: GLOBAL_EVENT_TYPES },
    {
      onEvent: (event) => handlers.forEach((h) => h.onEvent(event)),
      onRestart: () => handlers.forEach((h) => h.onRestart()),
      // No page owns the global stream; the console is where a damaged event can be seen.
      onInvalid: (problem) => console.warn(problem),
    },
  );
  return () => {
    handlers.delete(handler);
    if (handlers.size === 0) {
      stop?.();
      stop = null;
    }
  };
}
