/**
 * An EventSource that knows when the server restarted. Every stream opens with `stream.open` carrying the server
 * process's bootId; when a reconnect meets a different one, ids from before no longer line up and `onRestart` runs
 * so the caller can reload the true state.
 */
export interface EventStreamHandlers<E> {
  onEvent(event: E): void;
  onRestart?(): void;
  onStatus?(connected: boolean): void;
}

export function openEventStream<E>(url: string, handlers: EventStreamHandlers<E>): () => void {
  let bootId: string | null = null;
  const source = new EventSource(url);
  source.onmessage = (message) => {
    const data = JSON.parse(message.data as string) as { type: string; bootId?: string };
    if (data.type === 'stream.open') {
      handlers.onStatus?.(true);
      if (bootId !== null && data.bootId !== bootId) handlers.onRestart?.();
      bootId = data.bootId ?? null;
      return;
    }
    handlers.onEvent(data as E);
  };
  source.onerror = () => handlers.onStatus?.(false);
  return () => source.close();
}
