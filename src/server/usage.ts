import { Hono } from 'hono';
import { z } from 'zod';
import type { ServerContext } from './context';
import { parseInput } from './validate';

const IsoDate = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date or time such as 2026-11-01');
const UsageQuery = z.object({
  from: IsoDate.optional(),
  to: IsoDate.optional(),
  groupBy: z.enum(['day', 'model', 'session']).default('day'),
});

export function usageRoutes(ctx: ServerContext): Hono {
  return new Hono().get('/', async (c) => {
    const query = parseInput(UsageQuery, c.req.query());
    return c.json({ groupBy: query.groupBy, ...(await ctx.runtime.usageLog.query(query)) });
  });
}
