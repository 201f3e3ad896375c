import { Hono } from 'hono';
import type { TeamStatus } from '../contract/team';
import type { TeamServer } from '../team/team-server';
import type { ServerContext } from './context';
import { ApiError } from './errors';
import { assertRequestSameOrigin } from './guard';
import { eventStream, resumeAfter } from './sse';

/** A team run's id: the UUID the queue gave it. */
const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Team mode: the queue across machines, a run's events as its worker streams them, and cancelling a run. */
export function teamRoutes(ctx: ServerContext): Hono {
  const team = (): TeamServer => {
    if (!ctx.team)
      throw new ApiError(409, 'team_mode_off', 'This server runs on its own: start it with --team to share runs.');
    return ctx.team;
  };
  const runId = async (id: string) => {
    if (!RUN_ID.test(id) || !(await team().run(id)))
      throw new ApiError(404, 'team_run_not_found', `There is no team run ${id}.`);
    return id;
  };
  return new Hono()
    .get('/', async (c) => c.json(ctx.team ? await ctx.team.status() : ({ enabled: false } satisfies TeamStatus)))
    .get('/runs/:id/events', async (c) => {
      // A stream carries a run's history: the origin is checked before the id is looked up.
      assertRequestSameOrigin(c);
      const id = await runId(c.req.param('id'));
      return eventStream(c, ctx, () => {
        const after = resumeAfter(c);
        return async (send) => team().follow(id, after, send);
      });
    })
    .post('/runs/:id/cancel', async (c) => {
      const id = await runId(c.req.param('id'));
      return c.json({ cancelled: await team().queue.cancel(id) });
    });
}
