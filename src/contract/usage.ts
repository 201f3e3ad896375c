import { z } from 'zod';

/** How `GET /api/usage` groups the calls: by day, model, session (children rolled up) or agent type. */
export const UsageGroupBySchema = z.enum(['day', 'model', 'session', 'agent']);
export type UsageGroupBy = z.output<typeof UsageGroupBySchema>;

/** The key of the runs that took no agent type, in the `agent` grouping (agent type names cannot hold brackets). */
export const PLAIN_AGENT_KEY = '(plain)';

/** What a set of model calls used and cost. */
export const UsageTotalsSchema = z.object({
  calls: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
  /** The cost of the calls whose model had a price: with `unpricedCalls` above 0 it is a lower bound. */
  costUsd: z.number(),
  /** Calls whose model had no price in the catalog: what they cost is unknown. */
  unpricedCalls: z.number(),
  /** cacheReadTokens / inputTokens; null when no input token was counted. */
  cacheHitRate: z.number().nullable(),
});
export type UsageTotals = z.output<typeof UsageTotalsSchema>;

/** A session whose calls were rolled up into a top-level session (a child run's, or its child's). */
export const UsageChildSchema = UsageTotalsSchema.extend({
  sessionId: z.string(),
  /** The session that started it: the group's session, or another child for a grandchild. */
  parentSessionId: z.string(),
  agentType: z.string().optional(),
  /** Absent when the session was deleted. */
  title: z.string().optional(),
});
export type UsageChild = z.output<typeof UsageChildSchema>;

export const UsageGroupSchema = UsageTotalsSchema.extend({
  /** A day (YYYY-MM-DD in the asked time zone), `provider/model`, a session id or an agent type (PLAIN_AGENT_KEY). */
  key: z.string(),
  /** The session grouping: the session's title (absent when it was deleted) and its children, most costly first. */
  title: z.string().optional(),
  children: z.array(UsageChildSchema).optional(),
});
export type UsageGroup = z.output<typeof UsageGroupSchema>;

/** `GET /api/usage`: the totals over [from, to) and per group; days in order, other groups most costly first. */
export const UsageReportSchema = z.object({
  groupBy: UsageGroupBySchema,
  total: UsageTotalsSchema,
  groups: z.array(UsageGroupSchema),
});
export type UsageReport = z.output<typeof UsageReportSchema>;
