import { z } from 'zod';

/**
 * An EventSource that knows when the server restarted. Every stream opens with `stream.open` carrying the server
 * process's bootId; when a reconnect meets a different one, ids from before no longer line up and `onRestart` runs
 * so the caller can reload the true state.
 */
export interface EventStreamHandlers<E> {
  onEvent(event: E): void;
  onRestart?(): void;
  onStatus?(connected: boolean): void;
  /** An event of a known type that does not fit its schema; it is skipped. */
  onInvalid?(problem: string): void;
}

/** What the stream's events are: their schema, and the types this dashboard knows. */
export interface EventStreamSchema<S extends z.ZodType> {
  schema: S;
  /** An event of another type comes from a newer server and is skipped: this dashboard has nothing to show for it. */
  knownTypes: ReadonlySet<string>;
}

const StreamOpenSchema = z.object({ type: z.literal('stream.open'), bootId: z.string().optional() });
const TypedSchema = z.object({ type: z.string() });

export function openEventStream<S extends z.ZodType>(
  url: string,
  events: EventStreamSchema<S>,
  handlers: EventStreamHandlers<z.output<S>>,
): () => void {
  let bootId: string | null = null;
  const source = new EventSource(url);
  source.onmessage = (message: MessageEvent<string>) => {
    const data = parseJson(message.data);
    const open = StreamOpenSchema.safeParse(data);
    if (open.success) {
      handlers.onStatus?.(true);
      if (bootId !== null && open.data.bootId !== bootId) handlers.onRestart?.();
      bootId = open.data.bootId ?? null;
      return;
    }
    const typed = TypedSchema.safeParse(data);
    if (!typed.success) return handlers.onInvalid?.('An event without a type arrived on the stream and was skipped.');
    if (!events.knownTypes.has(typed.data.type)) return;
    const event = events.schema.safeParse(data);
    if (event.success) handlers.onEvent(event.data);
    else handlers.onInvalid?.(describeInvalid(typed.data.type, event.error));
  };
  source.onerror = () => handlers.onStatus?.(false);
  return () => source.close();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Reported by the caller as an event without a type, like any other event it cannot read.
    return undefined;
  }
}

function describeInvalid(type: string, error: z.ZodError): string {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.');
  return `A damaged ${type} event arrived on the stream and was skipped (${field ? `${field}: ` : ''}${issue?.message ?? 'invalid'}).`;
}
