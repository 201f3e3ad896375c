import { Hono } from 'hono';
import { AllowDeletesBodySchema, type RetentionView, type SweepAnswer } from '../contract/retention';
import type { ServerContext } from './context';
import { ApiError } from './errors';
import { readBody } from './validate';

/**
 * The retention rule at work: what it would archive and delete now, allowing its deletions once they were seen, and
 * applying it on request (the server also applies it hourly).
 */
export function retentionRoutes(ctx: ServerContext): Hono {
  const { retention } = ctx.runtime;
  return new Hono()
    .get('/', async (c) => c.json((await retention.view()) satisfies RetentionView))
    .post('/allow-deletes', async (c) => {
      const { deleteArchivedAfterDays } = await readBody(c, AllowDeletesBodySchema);
      try {
        await retention.allowDeletes(deleteArchivedAfterDays);
      } catch (error) {
        if (error instanceof RangeError) throw new ApiError(409, 'rule_changed', error.message);
        throw error;
      }
      return c.json((await retention.view()) satisfies RetentionView);
    })
    .post('/sweep', async (c) => {
      const report = await retention.sweep();
      return c.json({ ...report, view: await retention.view() } satisfies SweepAnswer);
    });
}
