import { z } from 'zod';

/**
 * Run events: the agent loop emits them, the session store appends the persistent ones, and SSE and the CLI stream
 * them all. Every event gets an id, monotonic per session, so a reconnecting client can resume.
 */

const ToolResultSchema = z.object({
  content: z.union([
    z.string(),
    z.array(z.union([z.object({ type: z.literal('text'), text: z.string() }), z.object({ type: z.literal('image'), data: z.string(), mediaType: z.string() })])),
  ]),
  isError: z.boolean().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

const ToolCallSchema = z.object({ callId: z.string(), name: z.string(), input: z.unknown(), invalid: z.string().optional() });
export type ToolCallRecord = z.output<typeof ToolCallSchema>;

export const RunStatus = z.enum(['finished', 'cancelled', 'max_turns', 'budget', 'error']);
export type RunStatus = z.output<typeof RunStatus>;

const run = { runId: z.string() };

export const RunEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run.started'), ...run, model: z.string(), maxTurns: z.number() }),
  /** A user message; `synthetic` marks one the runtime wrote itself (a continuation after the output limit). */
  z.object({ type: z.literal('message.user'), ...run, messageId: z.string(), text: z.string(), synthetic: z.boolean().optional() }),
  z.object({ type: z.literal('message.delta'), ...run, messageId: z.string(), kind: z.enum(['text', 'reasoning']), text: z.string() }),
  z.object({
    type: z.literal('message.completed'),
    ...run,
    messageId: z.string(),
    model: z.string(),
    text: z.string(),
    reasoning: z.string().optional(),
    toolCalls: z.array(ToolCallSchema),
    finishReason: z.string(),
    /** Cut short by a cancel or an error; the text is what had arrived. */
    interrupted: z.boolean().optional(),
    /** The AI SDK assistant message, verbatim (providerOptions included), replayed to the model on the next turn. */
    modelMessage: z.looseObject({ role: z.literal('assistant'), content: z.unknown() }),
  }),
  z.object({ type: z.literal('tool.started'), ...run, messageId: z.string(), callId: z.string(), name: z.string(), input: z.unknown() }),
  z.object({ type: z.literal('tool.progress'), ...run, callId: z.string(), data: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('tool.completed'), ...run, messageId: z.string(), callId: z.string(), name: z.string(), result: ToolResultSchema, durationMs: z.number() }),
  /** The model call failed or stalled and is tried again; text streamed by the failed attempt is void. */
  z.object({ type: z.literal('model.retry'), ...run, messageId: z.string(), attempt: z.number(), delayMs: z.number(), reason: z.string() }),
  z.object({
    type: z.literal('usage'),
    ...run,
    provider: z.string(),
    model: z.string(),
    inputTokens: z.number(),
    outputTokens: z.number(),
    cacheReadTokens: z.number(),
    cacheWriteTokens: z.number(),
    costUsd: z.number(),
  }),
  z.object({
    type: z.literal('run.completed'),
    ...run,
    status: RunStatus,
    turns: z.number(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  }),
]);

export type RunEvent = z.output<typeof RunEventSchema>;
export type RunEventType = RunEvent['type'];
export type RunEventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

/** Deltas and progress are for the live view only; everything else is written to the session file. */
export function isPersisted(type: RunEventType): boolean {
  return type !== 'message.delta' && type !== 'tool.progress';
}

/** An event as stored and streamed: the run event plus its id and time. */
export type StampedEvent = RunEvent & { id: number; time: string };
