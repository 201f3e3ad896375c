import { z } from 'zod';
import { HostCommandPreviewSchema } from './permissions';

/** What a run can ask of the user (approvals, plans, questions) and what tools tell of their session (todos). */

export const QuestionSchema = z.object({
  question: z.string().min(1).max(2000),
  header: z.string().max(60).optional(),
  options: z
    .array(z.object({ label: z.string().min(1).max(200), description: z.string().max(1000).optional() }))
    .max(12),
  multiSelect: z.boolean().optional(),
  allowFreeText: z.boolean().optional(),
});
export type Question = z.output<typeof QuestionSchema>;

export const AnswerSchema = z.object({
  selected: z.array(z.string().max(200)).max(12),
  text: z.string().max(10_000).optional(),
});
export type QuestionAnswer = z.output<typeof AnswerSchema>;

export const TodoSchema = z.object({
  content: z.string().min(1).max(500),
  status: z.enum(['pending', 'in_progress', 'completed']),
});
export type Todo = z.output<typeof TodoSchema>;

/** What a call would change, shown on its approval card. */
export const PreviewSchema = z.object({
  kind: z.literal('diff'),
  path: z.string(),
  before: z.string(),
  after: z.string(),
});
export type ApprovalPreview = z.output<typeof PreviewSchema>;

/** How the user answered a permission request: allow once, for the session, for the workspace, or deny. */
export const ApprovalOutcomeSchema = z.enum(['once', 'session', 'workspace', 'deny']);
export type ApprovalOutcome = z.output<typeof ApprovalOutcomeSchema>;

/** A request parked by a team run on a worker machine: its session lives there, its run on the Team page. */
export const TeamOriginSchema = z.object({ runId: z.string(), worker: z.string(), job: z.string().nullable() });
export type TeamOrigin = z.output<typeof TeamOriginSchema>;

const waiting = {
  id: z.string(),
  sessionId: z.string(),
  runId: z.string(),
  callId: z.string(),
  createdAt: z.string(),
  team: TeamOriginSchema.optional(),
};

/** Something a run waits on the user for; listed in the approvals inbox across sessions. */
export const InteractionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('approval'),
    ...waiting,
    tool: z.string(),
    level: z.string(),
    input: z.unknown(),
    subject: z.string().optional(),
    reason: z.string(),
    preview: PreviewSchema.optional(),
    /** For a shell line: what a standing grant records (one pattern per known command) and what it cannot cover. */
    grantPatterns: z.array(z.string()).optional(),
    ungrantable: z.array(z.string()).optional(),
    /** For a shell line that runs host programs: each such command, its folder, and whether it gets network. */
    hostCommands: z.array(HostCommandPreviewSchema).optional(),
  }),
  z.object({ kind: z.literal('plan'), ...waiting, plan: z.string() }),
  z.object({ kind: z.literal('question'), ...waiting, questions: z.array(QuestionSchema) }),
]);
export type Interaction = z.output<typeof InteractionSchema>;

/**
 * `POST /api/interactions/:id`: the user's answer, of the request's kind. For session and workspace grants,
 * `patterns` are what to allow, one rule each (default: the call's subject, or each known command of a shell line);
 * `pattern` is the one-pattern form, folded into `patterns`.
 */
export const InteractionReplySchema = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('approval'),
      outcome: ApprovalOutcomeSchema,
      patterns: z.array(z.string().trim().min(1).max(500)).min(1).max(100).optional(),
      pattern: z.string().trim().min(1).max(500).optional(),
      message: z.string().trim().max(2000).optional(),
    })
    .transform(({ pattern, ...reply }) => ({
      ...reply,
      patterns: reply.patterns ?? (pattern === undefined ? undefined : [pattern]),
    })),
  z.strictObject({ kind: z.literal('plan'), approved: z.boolean(), feedback: z.string().trim().max(5000).optional() }),
  z.strictObject({ kind: z.literal('question'), answers: z.array(AnswerSchema).max(4) }),
]);
/** A reply as the broker takes it. */
export type InteractionReply = z.output<typeof InteractionReplySchema>;
/** A reply as the dashboard sends it. */
export type InteractionReplyBody = z.input<typeof InteractionReplySchema>;
