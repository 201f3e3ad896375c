import { Hono } from 'hono';
import { z } from 'zod';
import { type UsageGroup, UsageGroupBySchema, type UsageReport } from '../contract/usage';
import { isTimeZone } from '../workspace/usage-summary';
import type { ServerContext } from './context';
import { toCsv } from './csv';
import { parseInput } from './validate';

const IsoDate = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date or time such as 2026-11-01');
const UsageQuery = z.object({
  from: IsoDate.optional(),
  to: IsoDate.optional(),
  groupBy: UsageGroupBySchema.default('day'),
  /** The IANA time zone whose calendar days the day grouping counts (the browser's); UTC when absent. */
  tz: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').optional(),
});

/** Dollars rounded to a millionth: sums of floats would otherwise print as 0.30000000000000004. */
const dollars = (usd: number) => Math.round(usd * 1e6) / 1e6;

/** `GET /api/usage` (JSON) and `GET /api/usage.csv` (the same groups, one row each). */
export function usageRoutes(ctx: ServerContext): Hono {
  const { usageLog, sessions, archive } = ctx.runtime;
  const title = (sessionId: string) => (sessions.get(sessionId) ?? archive.get(sessionId))?.title;

  const report = async (raw: Record<string, string>): Promise<UsageReport> => {
    const { tz, ...query } = parseInput(UsageQuery, raw);
    const result = await usageLog.query({
      ...query,
      timeZone: tz,
      parentOf: (id) => sessions.get(id)?.spawnedBy?.sessionId,
    });
    if (query.groupBy !== 'session') return { groupBy: query.groupBy, ...result };
    const titled = <T extends object>(entry: T, sessionId: string): T => {
      const name = title(sessionId);
      return name === undefined ? entry : { ...entry, title: name };
    };
    const groups = result.groups.map((group) => ({
      ...titled(group, group.key),
      children: group.children?.map((child) => titled(child, child.sessionId)),
    }));
    return { groupBy: query.groupBy, total: result.total, groups };
  };

  return new Hono()
    .get('/usage', async (c) => c.json(await report(c.req.query())))
    .get('/usage.csv', async (c) => {
      const { groupBy, groups } = await report(c.req.query());
      return c.body(usageCsv(groupBy, groups), 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="usage-by-${groupBy}.csv"`,
        'Cache-Control': 'no-store',
      });
    });
}

const KEY_COLUMNS: Record<UsageReport['groupBy'], string[]> = {
  day: ['day'],
  model: ['model'],
  session: ['session_id', 'title', 'child_sessions'],
  agent: ['agent_type'],
};

function usageCsv(groupBy: UsageReport['groupBy'], groups: UsageGroup[]): string {
  const header = [
    ...KEY_COLUMNS[groupBy],
    'calls',
    'input_tokens',
    'output_tokens',
    'cache_read_tokens',
    'cache_write_tokens',
    'cache_hit_rate',
    'cost_usd',
    'unpriced_calls',
  ];
  const rows = groups.map((g) => [
    ...(groupBy === 'session' ? [g.key, g.title ?? null, g.children?.length ?? 0] : [g.key]),
    g.calls,
    g.inputTokens,
    g.outputTokens,
    g.cacheReadTokens,
    g.cacheWriteTokens,
    g.cacheHitRate === null ? null : Math.round(g.cacheHitRate * 1e4) / 1e4,
    // Nothing known is an empty cell, not 0; with some calls unpriced the sum is what is known (see unpriced_calls).
    g.unpricedCalls === g.calls ? null : dollars(g.costUsd),
    g.unpricedCalls,
  ]);
  return toCsv(header, rows);
}
