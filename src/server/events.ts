import { Hono } from 'hono';
import type { ServerContext } from './context';
import { eventStream, resumeAfter } from './sse';

/** The global stream: session list changes and which sessions are running, for every open dashboard. */
export function globalEventRoutes(ctx: ServerContext): Hono {
  const { hub } = ctx.runtime;
  return new Hono().get('/', (c) =>
    eventStream(c, ctx, () => {
      const after = resumeAfter(c);
      return async (send) => {
        for (const event of hub.global.since(after) ?? []) send(event);
        return hub.global.subscribe(send);
      };
    }),
  );
}
