import type { Context } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import type { ServerContext } from './context';
import { assertRequestSameOrigin } from './guard';

const HEARTBEAT_MS = 15_000;

/** The id a reconnecting client resumes after: the Last-Event-ID header, else `?after=`, else 0 (everything). */
export function resumeAfter(c: Context): number {
  const raw = c.req.header('last-event-id') ?? c.req.query('after') ?? '0';
  const id = Number(raw);
  return Number.isSafeInteger(id) && id >= 0 ? id : 0;
}

/** Starts delivering events to `send` (what the client missed, then live ones) and returns how to stop. */
export type Attach<E> = (send: (event: E) => void) => Promise<() => void>;

/**
 * An SSE response, the only way the server makes one. A stream carries session history, so the request must come
 * from the dashboard's own origin whatever its headers say it accepts: that is checked first, before `open` looks
 * at anything (an id, where to resume) and returns what to attach.
 *
 * The stream opens with a `stream.open` event naming this server process (a client that sees a new one knows the
 * server restarted and reloads), then sends what the attached source delivers, with a heartbeat, until the client
 * leaves or the server shuts down.
 */
export function eventStream<E extends { id: number }>(c: Context, ctx: ServerContext, open: () => Attach<E>): Response {
  assertRequestSameOrigin(c);
  const attach = open();
  c.header('X-Accel-Buffering', 'no');
  c.header('Cache-Control', 'no-cache');
  return streamSSE(c, async (stream) => {
    ctx.streams.open += 1;
    try {
      await follow(stream, ctx, attach);
    } finally {
      ctx.streams.open -= 1;
    }
  });
}

/** Sends the stream's opening event, then what the attached source delivers, until the client or the server ends it. */
async function follow<E extends { id: number }>(stream: SSEStreamingApi, ctx: ServerContext, attach: Attach<E>) {
  // Events that arrive in one turn of the event loop (a burst of deltas) leave in one write.
  let pending = '';
  let chain: Promise<unknown> = Promise.resolve();
  const flush = () => {
    const text = pending;
    pending = '';
    // A failed write means the client is gone: its abort ends this stream below, and there is no one left to tell.
    chain = chain.then(() => stream.write(text)).catch(() => undefined);
  };
  const enqueue = (text: string) => {
    if (pending === '') setImmediate(flush);
    pending += text;
  };
  // JSON.stringify never emits a raw newline, so each event is one `data:` line.
  const send = (event: E) => enqueue(`id: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`);
  enqueue(`data: ${JSON.stringify({ type: 'stream.open', bootId: ctx.bootId })}\n\n`);
  const detach = await attach(send);
  const heartbeat = setInterval(() => enqueue(': ping\n\n'), HEARTBEAT_MS);
  await new Promise<void>((resolve) => {
    // A client that left while the source was attaching has been told no abort that is still to come.
    if (ctx.shutdown.aborted || stream.aborted) return resolve();
    // Removed when the client leaves: the shutdown signal outlives every stream, and would keep each one's listener.
    const done = () => {
      ctx.shutdown.removeEventListener('abort', done);
      resolve();
    };
    stream.onAbort(done);
    ctx.shutdown.addEventListener('abort', done, { once: true });
  });
  clearInterval(heartbeat);
  detach();
  if (pending) flush();
  await chain;
}
