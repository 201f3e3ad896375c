import { z } from 'zod';
import { AnswerSchema, ApprovalOutcomeSchema, PreviewSchema, QuestionSchema, TodoSchema } from './interactions';
import { HostCommandPreviewSchema, PermissionModeSchema } from './permissions';

/**
 * Run events: the agent loop emits them, the session store appends the persistent ones, and SSE and the CLI stream
 * them all. Every event gets an id, monotonic per session, so a reconnecting client can resume.
 */

const ContentBlockSchema = z.union([
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('image'), data: z.string(), mediaType: z.string() }),
]);
export type ContentBlock = z.output<typeof ContentBlockSchema>;

export const ToolResultSchema = z.object({
  content: z.union([z.string(), z.array(ContentBlockSchema)]),
  isError: z.boolean().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type ToolResult = z.output<typeof ToolResultSchema>;

/** A call the model wrote as text (its format: `hermes`, `mistral`, …) rather than as a tool call, and what was fixed. */
export const FromTextSchema = z.object({ format: z.string(), repairs: z.array(z.string()) });
export type FromText = z.output<typeof FromTextSchema>;

const ToolCallSchema = z.object({
  callId: z.string(),
  name: z.string(),
  input: z.unknown(),
  invalid: z.string().optional(),
  /** Read from the answer's text (a model that writes its calls as text), not from the API's tool-call field. */
  fromText: FromTextSchema.optional(),
});
export type ToolCallRecord = z.output<typeof ToolCallSchema>;

/** How a run ended; `interrupted`: its process died mid-run, and the next start closed it (see recovery.ts). */
export const RunStatus = z.enum(['finished', 'cancelled', 'max_turns', 'budget', 'error', 'interrupted']);
export type RunStatus = z.output<typeof RunStatus>;

/** The budgets a run may end on (`run.completed {status: 'budget', limit}`); the turn limit ends with `max_turns`. */
export const BudgetLimit = z.enum(['maxInputTokens', 'maxOutputTokens', 'maxCostUsd', 'maxWallMs']);
export type BudgetLimit = z.output<typeof BudgetLimit>;

const run = { runId: z.string() };

/** How a child run ended, as the `agent` tool reports it; `interrupted` never reaches a parent (its process died). */
export const ChildStatusSchema = RunStatus.exclude(['interrupted']);
export type ChildStatus = z.output<typeof ChildStatusSchema>;

/** What a child run spent: its own model calls (a child's children included). */
export const ChildUsageSchema = z.object({ inputTokens: z.number(), outputTokens: z.number(), costUsd: z.number() });
export type ChildUsage = z.output<typeof ChildUsageSchema>;

/** A child's git worktree once it finished: its branch, what changed, and whether it is kept for the user. */
export const WorktreeReportSchema = z.object({
  branch: z.string(),
  /** `git diff --stat` of the child's commit against where it started; empty when nothing changed. */
  diffStat: z.string(),
  /** Nothing changed: the worktree and its branch were removed. */
  clean: z.boolean(),
});
export type WorktreeReport = z.output<typeof WorktreeReportSchema>;

/** What one model call used and cost; the usage log records the same figures. */
export const USAGE_FIGURES = {
  provider: z.string(),
  model: z.string(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
  costUsd: z.number(),
  /** false: the model has no price in the catalog, so what the call cost is unknown (costUsd is then 0). */
  costKnown: z.literal(false).optional(),
};

/** A request's estimated size against the model's window, and what takes the space (tokens). */
export const ContextMeasureSchema = z.object({
  window: z.number(),
  system: z.number(),
  tools: z.number(),
  conversation: z.number(),
  toolOutputs: z.number(),
  total: z.number(),
});

export const RunEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('run.started'),
    ...run,
    model: z.string(),
    maxTurns: z.number(),
    /** For a child run: the call of the parent run that started it, and how deep it is (absent: 0). */
    parent: z.object({ sessionId: z.string(), runId: z.string(), callId: z.string() }).optional(),
    depth: z.number().int().min(1).optional(),
  }),
  /**
   * A user message; `synthetic` marks one the runtime wrote itself (a continuation after the output limit); `command`
   * is what the user typed when `text` is its expansion (`/code-review src/a.ts`).
   */
  z.object({
    type: z.literal('message.user'),
    ...run,
    messageId: z.string(),
    text: z.string(),
    synthetic: z.boolean().optional(),
    command: z.string().optional(),
  }),
  z.object({
    type: z.literal('message.delta'),
    ...run,
    messageId: z.string(),
    kind: z.enum(['text', 'reasoning']),
    text: z.string(),
  }),
  z.object({
    type: z.literal('message.completed'),
    ...run,
    messageId: z.string(),
    model: z.string(),
    text: z.string(),
    reasoning: z.string().optional(),
    toolCalls: z.array(ToolCallSchema),
    finishReason: z.string(),
    /** Cut short by a cancel, an error or the end of the process; the text is what had arrived. */
    interrupted: z.boolean().optional(),
    /** The AI SDK assistant message, verbatim (providerOptions included), replayed to the model on the next turn. */
    modelMessage: z.looseObject({ role: z.literal('assistant'), content: z.unknown() }),
  }),
  z.object({
    type: z.literal('tool.started'),
    ...run,
    messageId: z.string(),
    callId: z.string(),
    name: z.string(),
    input: z.unknown(),
    fromText: FromTextSchema.optional(),
  }),
  z.object({ type: z.literal('tool.progress'), ...run, callId: z.string(), data: z.record(z.string(), z.unknown()) }),
  z.object({
    type: z.literal('tool.completed'),
    ...run,
    messageId: z.string(),
    callId: z.string(),
    name: z.string(),
    result: ToolResultSchema,
    durationMs: z.number(),
  }),
  /**
   * The model call failed or stalled and is tried again after `delayMs`; text streamed by the failed attempt is void.
   * `attempt` is the one that failed; `maxAttempts`, the attempts allowed in all (absent in sessions written before it
   * was recorded, and when the call is redone in another form rather than retried).
   */
  z.object({
    type: z.literal('model.retry'),
    ...run,
    messageId: z.string(),
    attempt: z.number(),
    maxAttempts: z.number().int().min(1).optional(),
    delayMs: z.number(),
    reason: z.string(),
  }),
  z.object({
    type: z.literal('usage'),
    ...run,
    ...USAGE_FIGURES,
    /** The call's request as measured before it was sent (what `context.measured` showed live), kept with its usage. */
    context: ContextMeasureSchema.optional(),
  }),
  /** A tool call waits for the user: a permission (`tool`) or a plan to approve (`plan`). */
  z.object({
    type: z.literal('approval.requested'),
    ...run,
    approvalId: z.string(),
    kind: z.enum(['tool', 'plan']),
    callId: z.string(),
    name: z.string(),
    level: z.string(),
    input: z.unknown(),
    subject: z.string().optional(),
    reason: z.string(),
    preview: PreviewSchema.optional(),
    plan: z.string().optional(),
    /** For a shell line: the patterns a standing grant records (one per known command) and the commands it cannot cover. */
    grantPatterns: z.array(z.string()).optional(),
    ungrantable: z.array(z.string()).optional(),
    /** For a shell line that runs host programs: each such command, its folder, and whether it gets network. */
    hostCommands: z.array(HostCommandPreviewSchema).optional(),
  }),
  z.object({
    type: z.literal('approval.resolved'),
    ...run,
    approvalId: z.string(),
    /** The user's answer; cancelled when the run stopped first; auto_deny when no one could be asked. */
    outcome: z.enum([...ApprovalOutcomeSchema.options, 'cancelled', 'auto_deny']),
    /** The rules a session or workspace grant added, one per pattern. */
    grants: z.array(z.object({ id: z.string(), rule: z.string() })).optional(),
    /** The one rule of a grant, as sessions written before grants could hold several record it. */
    rule: z.string().optional(),
    grantId: z.string().optional(),
    message: z.string().optional(),
  }),
  z.object({
    type: z.literal('question.asked'),
    ...run,
    questionId: z.string(),
    callId: z.string(),
    questions: z.array(QuestionSchema),
  }),
  z.object({
    type: z.literal('question.answered'),
    ...run,
    questionId: z.string(),
    answers: z.array(AnswerSchema).optional(),
    cancelled: z.boolean().optional(),
  }),
  z.object({ type: z.literal('todos.updated'), ...run, todos: z.array(TodoSchema) }),
  /**
   * What the model is sent was made smaller. `mask`: old tool outputs (their calls in `masked`) became stubs.
   * `summary`: the events up to `coveredUpTo` are replaced by `context` (the pinned state and the summary) in every
   * later request; the stored events stay as they are.
   */
  z.object({
    type: z.literal('compaction.completed'),
    ...run,
    kind: z.enum(['mask', 'summary']),
    tokensBefore: z.number(),
    tokensAfter: z.number(),
    manual: z.boolean().optional(),
    summary: z.string().optional(),
    context: z.string().optional(),
    coveredEventIds: z.array(z.number()),
    coveredUpTo: z.number().optional(),
    masked: z.array(z.object({ callId: z.string(), name: z.string(), stub: z.string() })).optional(),
  }),
  /**
   * The size of the request about to be sent (estimated), and what takes the space, against the model's window: for
   * the live view only, not stored (the provider's usage, stored, gives the real figure).
   */
  z.object({
    type: z.literal('context.measured'),
    ...run,
    ...ContextMeasureSchema.shape,
  }),
  /** A skill was loaded into the run: its `allowed-tools`, as rules, run without asking until the run ends. */
  z.object({ type: z.literal('skill.activated'), ...run, name: z.string(), rules: z.array(z.string()) }),
  /** The `agent` call `callId` started a child run in session `childId` (queued when the workspace's cap is reached). */
  z.object({
    type: z.literal('agent.spawned'),
    ...run,
    callId: z.string(),
    childId: z.string(),
    agentType: z.string(),
    description: z.string(),
    background: z.boolean(),
    isolation: z.enum(['none', 'worktree']),
    queued: z.boolean(),
  }),
  /** A child's live state, for its card: not stored. */
  z.object({
    type: z.literal('agent.progress'),
    ...run,
    callId: z.string(),
    childId: z.string(),
    state: z.enum(['queued', 'running']),
    turns: z.number(),
    usage: ChildUsageSchema,
    /** The tool the child is calling now, if any. */
    tool: z.string().optional(),
  }),
  /** A child run ended: what it answered, how, what it spent and which files it changed. */
  z.object({
    type: z.literal('agent.completed'),
    ...run,
    callId: z.string(),
    childId: z.string(),
    agentType: z.string(),
    background: z.boolean(),
    status: ChildStatusSchema,
    turns: z.number(),
    usage: ChildUsageSchema,
    text: z.string(),
    filesChanged: z.array(z.string()),
    worktree: WorktreeReportSchema.optional(),
    error: z.string().optional(),
  }),
  z.object({
    type: z.literal('run.completed'),
    ...run,
    status: RunStatus,
    turns: z.number(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    /** For status `budget`: the limit the run reached, what it allowed and how much the run had used. */
    limit: BudgetLimit.optional(),
    max: z.number().optional(),
    used: z.number().optional(),
  }),
]);

export type RunEvent = z.output<typeof RunEventSchema>;
export type RunEventType = RunEvent['type'];
export type RunEventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

/**
 * Events about the session rather than a run; recorded by the user's actions as well as by runs.
 * `session.mode`: the permission mode for this session (`previous` is kept while the agent is in plan mode).
 * `grant.revoked`: a session grant taken back.
 * `session.agent`: the agent type of the session's runs.
 * `agent.worktree`: what the user did with a child's worktree.
 * `session.pinned`: the user pinned the session (no retention rule archives or deletes it) or unpinned it.
 * `session.titled`: the title the session's model gave it after its first answer; a title the user gave wins over it.
 */
export const SessionEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('session.renamed'), title: z.string() }),
  z.object({ type: z.literal('session.titled'), title: z.string() }),
  z.object({
    type: z.literal('session.mode'),
    mode: PermissionModeSchema.nullable(),
    previous: PermissionModeSchema.nullable().optional(),
    by: z.enum(['user', 'agent']),
  }),
  z.object({ type: z.literal('grant.revoked'), grantId: z.string() }),
  /** The agent type the session's runs take (`manager`: managed mode); null: the workspace's plain agent. */
  z.object({ type: z.literal('session.agent'), agentType: z.string().nullable() }),
  /** The user merged a child's kept worktree branch into the checkout, or discarded it. */
  z.object({ type: z.literal('agent.worktree'), childId: z.string(), action: z.enum(['merged', 'discarded']) }),
  z.object({ type: z.literal('session.pinned'), pinned: z.boolean() }),
]);
export type SessionEvent = z.output<typeof SessionEventSchema>;

/** Every event a session holds, of a run or of the session itself. */
export const EventSchema = z.discriminatedUnion('type', [...RunEventSchema.options, ...SessionEventSchema.options]);

/** The types this version knows; a line of another type was written by a newer version. */
export const EVENT_TYPES: ReadonlySet<string> = new Set(EventSchema.options.map((option) => option.shape.type.value));

/** Deltas and progress are for the live view only; everything else is written to the session file. */
export function isPersisted(type: RunEventType | SessionEvent['type']): boolean {
  return (
    type !== 'message.delta' && type !== 'tool.progress' && type !== 'agent.progress' && type !== 'context.measured'
  );
}

const STAMP = { id: z.number().int().positive(), time: z.string() };

/**
 * An event as stored and streamed: the run or session event plus its id (monotonic per session) and time. Each
 * event's own schema with the stamp added, in one discriminated union: parsed as fast as an unstamped event (an
 * intersection of the two schemas took four times as long, and every event of every session file is parsed).
 */
export const StampedEventSchema = z.discriminatedUnion(
  'type',
  nonEmpty(EventSchema.options.map((option) => option.extend(STAMP))),
);
export type StampedEvent = z.output<typeof StampedEventSchema>;

function nonEmpty<T>(items: T[]): [T, ...T[]] {
  const [first, ...rest] = items;
  if (first === undefined) throw new Error('a union needs at least one option');
  return [first, ...rest];
}
