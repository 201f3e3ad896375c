import { z } from 'zod';

const Days = z.number().int().min(1).max(36_500);

/** `sessions.retention` in settings: each stage absent means it never happens. */
export const RetentionRuleSchema = z.strictObject({
  /** Sessions (with the child runs they started) untouched for this many days are archived. */
  archiveAfterDays: Days.optional(),
  /** Archived sessions are deleted this many days after they were archived. */
  deleteArchivedAfterDays: Days.optional(),
});
export type RetentionRule = z.output<typeof RetentionRuleSchema>;

/** A session a rule would move or delete, with the kept worktree of a child run that goes with it. */
export const RetentionItemSchema = z.object({
  id: z.string(),
  title: z.string(),
  updatedAt: z.string(),
  /** When it was archived (for one the rule would delete). */
  archivedAt: z.string().optional(),
  /** A child run's kept worktree folder that goes with the session (its branch stays in the repository). */
  worktree: z.string().optional(),
});
export type RetentionItem = z.output<typeof RetentionItemSchema>;

/**
 * `GET /api/retention`: the rule, what it would do now, and whether its deletions are allowed: a delete rule removes
 * nothing until the user has seen this preview and allowed it (`POST /api/retention/allow-deletes`), again after the
 * number of days changes.
 */
export const RetentionViewSchema = z.object({
  rule: RetentionRuleSchema,
  archive: z.array(RetentionItemSchema),
  delete: z.array(RetentionItemSchema),
  deletesAllowed: z.boolean(),
  lastSweep: z
    .object({ at: z.string(), archived: z.number(), deleted: z.number(), errors: z.array(z.string()) })
    .nullable(),
});
export type RetentionView = z.output<typeof RetentionViewSchema>;

/** `POST /api/retention/allow-deletes`: the rule's days as the user saw them in the preview. */
export const AllowDeletesBodySchema = z.strictObject({ deleteArchivedAfterDays: Days });

/** `POST /api/retention/sweep`: what applying the rule now did, and the view after it. */
export const SweepAnswerSchema = z.object({
  archived: z.array(z.string()),
  deleted: z.array(z.string()),
  errors: z.array(z.string()),
  view: RetentionViewSchema,
});
export type SweepAnswer = z.output<typeof SweepAnswerSchema>;
