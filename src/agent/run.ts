import { type LanguageModelUsage, type ModelMessage, type ToolSet, jsonSchema, streamText, tool as sdkTool } from 'ai';
import type { RunEvent, RunStatus, ToolCallRecord } from '../contract/events';
import { costUsd } from '../models/cost';
import { type ModelFailure, classifyModelError } from '../models/errors';
import type { ResolvedModel } from '../models/providers';
import type { Redactor } from '../models/redaction';
import type { PermissionGate } from '../permissions/gate';
import type { Decision } from '../permissions/policy';
import type { ToolRegistry } from '../tools/registry';
import { type Tool, type ToolContext, type ToolResult, errorResult } from '../tools/tool';
import { toToolResultPart } from './conversation';

export interface RunLimits {
  maxTurns: number;
  stallTimeoutMs: number;
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
}

export interface AgentRunOptions {
  sessionId: string;
  runId: string;
  model: ResolvedModel;
  system: string;
  /** The conversation so far, as the model saw it. */
  history: ModelMessage[];
  prompt: string;
  tools: ToolRegistry;
  /** Tools offered by name only until tool_search reveals them (when there are many). */
  deferredTools?: ReadonlySet<string>;
  /** Every call passes it: the policy, approvals, grants and the repeat check. */
  gate: PermissionGate;
  /** What a tool may reach of the user and the session, for one call. */
  toolContext(callId: string): Pick<ToolContext, 'user' | 'session'>;
  limits: RunLimits;
  signal: AbortSignal;
  /**
   * Receives every event in order. The returned promise settles once the event is stored; the loop awaits it for
   * events that must be on disk before the run goes on.
   */
  emit(event: RunEvent): Promise<void>;
  newId(prefix: 'msg' | 'call'): string;
  /** Takes keys out of a failed model call's message. */
  redactor: Redactor;
}

export interface RunOutcome {
  /** A run that returns was not interrupted: that status is written for runs whose process died. */
  status: Exclude<RunStatus, 'interrupted'>;
  turns: number;
  /** The last assistant text. */
  text: string;
  error?: { code: string; message: string };
}

const CONTINUE_AFTER_LIMIT = 'Your previous reply was cut off by the output limit. Continue exactly where it stopped, without repeating anything.';
const EMPTY_REPLY_NUDGE = 'Your last reply was empty. Reply to the user now, in plain text.';

interface StepResult {
  text: string;
  reasoning: string;
  toolCalls: ToolCallRecord[];
  finishReason: string;
  usage?: LanguageModelUsage;
  /** The assistant message to replay; built from the text when the step did not complete. */
  assistant: ModelMessage;
  /** Cut short by a cancel or an unrecoverable error. */
  interrupted: boolean;
  failure?: ModelFailure;
}

class StallError extends Error {
  override readonly name = 'StallError';
}

/**
 * The agent loop: one model call per turn, then the runtime executes the tool calls itself, until the model answers
 * without tools, the turn limit is reached, the run is cancelled or a model call fails for good.
 */
export async function runAgent(options: AgentRunOptions): Promise<RunOutcome> {
  const { model, limits, signal } = options;
  const revealed = new Set<string>();
  const messages: ModelMessage[] = [...options.history];

  await options.emit({ type: 'run.started', runId: options.runId, model: model.id, maxTurns: limits.maxTurns });
  await addUserMessage(options, messages, options.prompt, false);

  let turns = 0;
  let lastText = '';
  let nudged = false;
  let outcome: Omit<RunOutcome, 'turns' | 'text'> = { status: 'finished' };

  for (;;) {
    if (signal.aborted) {
      outcome = { status: 'cancelled' };
      break;
    }
    if (turns >= limits.maxTurns) {
      outcome = { status: 'max_turns' };
      break;
    }
    turns += 1;
    const messageId = options.newId('msg');
    const sdkTools = model.info.tools ? toSdkTools(options, revealed) : undefined;
    const step = await callModel(options, messages, messageId, sdkTools);
    if (step.usage) await emitUsage(options, step.usage);
    await options.emit({
      type: 'message.completed',
      runId: options.runId,
      messageId,
      model: model.id,
      text: step.text,
      ...(step.reasoning ? { reasoning: step.reasoning } : {}),
      toolCalls: step.toolCalls,
      finishReason: step.finishReason,
      ...(step.interrupted ? { interrupted: true } : {}),
      modelMessage: step.assistant as { role: 'assistant'; content: unknown },
    });
    if (step.text) lastText = step.text;
    if (step.failure) {
      outcome = { status: 'error', error: { code: step.failure.code, message: step.failure.message } };
      break;
    }
    if (step.interrupted) {
      outcome = { status: 'cancelled' };
      break;
    }
    messages.push(step.assistant);

    if (step.toolCalls.length > 0) {
      const results = await executeToolCalls(options, step.toolCalls, messageId, revealed);
      messages.push({ role: 'tool', content: step.toolCalls.map((call, i) => toToolResultPart(call.callId, call.name, results[i]!)) });
      continue;
    }
    if (step.finishReason === 'length') {
      await addUserMessage(options, messages, CONTINUE_AFTER_LIMIT, true);
      continue;
    }
    if (step.text.trim() === '' && !nudged) {
      nudged = true;
      await addUserMessage(options, messages, EMPTY_REPLY_NUDGE, true);
      continue;
    }
    break;
  }

  await options.emit({ type: 'run.completed', runId: options.runId, status: outcome.status, turns, ...(outcome.error ? { error: outcome.error } : {}) });
  return { ...outcome, turns, text: lastText };
}

async function addUserMessage(options: AgentRunOptions, messages: ModelMessage[], text: string, synthetic: boolean): Promise<void> {
  await options.emit({ type: 'message.user', runId: options.runId, messageId: options.newId('msg'), text, ...(synthetic ? { synthetic: true } : {}) });
  messages.push({ role: 'user', content: text });
}

/** Tools are handed to the SDK without `execute`, so each call comes back to the runtime. */
function toSdkTools(options: AgentRunOptions, revealed: ReadonlySet<string>): ToolSet | undefined {
  const tools = options.tools.list().filter((t) => !options.deferredTools?.has(t.name) || revealed.has(t.name));
  if (tools.length === 0) return undefined;
  return Object.fromEntries(tools.map((t) => [t.name, sdkTool({ description: t.description, inputSchema: jsonSchema(t.inputSchema) })]));
}

function backoff(attempt: number, limits: RunLimits['retry']): number {
  const exponential = limits.baseDelayMs * 2 ** (attempt - 1);
  return Math.min(limits.maxDelayMs, exponential * (0.8 + Math.random() * 0.4));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** One model call, retried with backoff on rate limits, server errors, broken connections and stalls. */
async function callModel(options: AgentRunOptions, messages: ModelMessage[], messageId: string, tools: ToolSet | undefined): Promise<StepResult> {
  for (let attempt = 1; ; attempt++) {
    const step = await streamStep(options, messages, messageId, tools);
    if (!step.failure || options.signal.aborted) return step;
    const failure = step.failure;
    if (!failure.retryable || attempt >= options.limits.retry.maxAttempts) {
      const tries = attempt > 1 ? ` (after ${attempt} attempts)` : '';
      return { ...step, failure: { ...failure, message: failure.message + tries } };
    }
    const delayMs = Math.round(failure.retryAfterMs ?? backoff(attempt, options.limits.retry));
    await options.emit({ type: 'model.retry', runId: options.runId, messageId, attempt, delayMs, reason: failure.message });
    await sleep(delayMs, options.signal);
    if (options.signal.aborted) {
      const { failure: _cancelledDuringBackoff, ...rest } = step;
      return rest;
    }
  }
}

async function streamStep(options: AgentRunOptions, messages: ModelMessage[], messageId: string, tools: ToolSet | undefined): Promise<StepResult> {
  const { model } = options;
  const stall = new AbortController();
  let stallTimer: NodeJS.Timeout | undefined;
  const armStall = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => stall.abort(new StallError()), options.limits.stallTimeoutMs);
  };
  const result = streamText({
    model: model.language,
    system: options.system,
    messages,
    ...(tools ? { tools } : {}),
    maxRetries: 0,
    maxOutputTokens: model.info.maxOutput,
    abortSignal: AbortSignal.any([options.signal, stall.signal]),
    // Errors arrive as stream parts below; the default handler would print them to the console.
    onError: () => undefined,
  });

  let text = '';
  let reasoning = '';
  const toolCalls: ToolCallRecord[] = [];
  let finishReason = 'unknown';
  let usage: LanguageModelUsage | undefined;
  let error: unknown;
  const emitDelta = (kind: 'text' | 'reasoning', delta: string) =>
    void options.emit({ type: 'message.delta', runId: options.runId, messageId, kind, text: delta }).catch(() => undefined);

  armStall();
  try {
    for await (const part of result.fullStream) {
      armStall();
      switch (part.type) {
        case 'text-delta':
          text += part.text;
          emitDelta('text', part.text);
          break;
        case 'reasoning-delta':
          reasoning += part.text;
          emitDelta('reasoning', part.text);
          break;
        case 'tool-call':
          toolCalls.push({
            callId: part.toolCallId,
            name: part.toolName,
            input: part.input,
            ...('invalid' in part && part.invalid ? { invalid: errorText(part.error) } : {}),
          });
          break;
        case 'finish-step':
          finishReason = part.finishReason;
          usage = part.usage;
          break;
        case 'error':
          error = part.error;
          break;
      }
    }
  } catch (thrown) {
    error = thrown;
  } finally {
    clearTimeout(stallTimer);
  }

  const partial = (): ModelMessage => ({ role: 'assistant', content: text ? [{ type: 'text', text }] : '' });
  if (options.signal.aborted) return { text, reasoning, toolCalls: [], finishReason: 'cancelled', ...(usage ? { usage } : {}), assistant: partial(), interrupted: true };
  if (stall.signal.aborted || error !== undefined) {
    const failure: ModelFailure = stall.signal.aborted
      ? { code: 'stalled', message: `The model sent nothing for ${Math.round(options.limits.stallTimeoutMs / 1000)} s.`, retryable: true }
      : classifyModelError(error, { providerId: model.providerId, modelId: model.modelId, baseURL: model.baseURL }, options.redactor);
    return { text, reasoning, toolCalls: [], finishReason: 'error', ...(usage ? { usage } : {}), assistant: partial(), interrupted: true, failure };
  }
  const response = await result.response;
  const assistant = response.messages.find((m) => m.role === 'assistant') ?? partial();
  return { text, reasoning, toolCalls, finishReason, ...(usage ? { usage } : {}), assistant, interrupted: false };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function emitUsage(options: AgentRunOptions, usage: LanguageModelUsage): Promise<void> {
  const tokens = {
    inputTokens: usage.inputTokens ?? 0,
    outputTokens: usage.outputTokens ?? 0,
    cacheReadTokens: usage.inputTokenDetails?.cacheReadTokens ?? 0,
    cacheWriteTokens: usage.inputTokenDetails?.cacheWriteTokens ?? 0,
  };
  await options.emit({
    type: 'usage',
    runId: options.runId,
    provider: options.model.providerId,
    model: options.model.modelId,
    ...tokens,
    costUsd: costUsd(tokens, options.model.info.pricing),
  });
}

interface Prepared {
  call: ToolCallRecord;
  tool?: Tool;
  input?: unknown;
  /** Set when the call must not run: bad input, an unknown tool, or a refusal. */
  result?: ToolResult;
  decision?: Decision;
}

/** Validates each call and asks the gate; calls that need approval are marked `ask`. */
function prepareCalls(options: AgentRunOptions, calls: ToolCallRecord[]): Promise<Prepared[]> {
  return Promise.all(
    calls.map(async (call): Promise<Prepared> => {
      if (call.invalid) {
        return { call, result: errorResult(`The call to ${call.name} could not be used: ${call.invalid}. Send it again with arguments that are a JSON object matching the tool's input schema.`) };
      }
      const prepared = options.tools.prepare(call.name, call.input);
      if ('error' in prepared) return { call, result: prepared.error };
      return { call, tool: prepared.tool, input: prepared.input, decision: await options.gate.decide({ callId: call.callId, tool: prepared.tool, input: prepared.input }) };
    }),
  );
}

/**
 * Runs a step's calls. Calls that need no approval go ahead at once — consecutive read-level ones together, the
 * others one at a time in the model's order — while calls that need approval wait for it alongside. Calls that
 * change things never overlap.
 */
async function executeToolCalls(options: AgentRunOptions, calls: ToolCallRecord[], messageId: string, revealed: Set<string>): Promise<ToolResult[]> {
  const prepared = await prepareCalls(options, calls);
  for (const p of prepared) await options.emit({ type: 'tool.started', runId: options.runId, messageId, callId: p.call.callId, name: p.call.name, input: p.call.input });
  const results: ToolResult[] = new Array(calls.length);
  let exclusive: Promise<unknown> = Promise.resolve();
  const alone = <T>(work: () => Promise<T>): Promise<T> => {
    const next = exclusive.then(work);
    exclusive = next.catch(() => undefined);
    return next;
  };
  const settle = async (index: number, work: () => Promise<ToolResult>) => {
    const started = performance.now();
    const result = await work();
    results[index] = result;
    const { call } = prepared[index]!;
    await options.emit({ type: 'tool.completed', runId: options.runId, messageId, callId: call.callId, name: call.name, result, durationMs: Math.round(performance.now() - started) });
  };
  const execute = (p: Prepared) => (p.tool!.permissionLevel === 'read' ? runCall(options, p, revealed) : alone(() => runCall(options, p, revealed)));

  const waiting = prepared.map((p, i) => [p, i] as const).filter(([p]) => p.decision?.action === 'ask');
  const ready = prepared.map((p, i) => [p, i] as const).filter(([p]) => p.decision?.action !== 'ask');
  const runReady = async () => {
    for (const batch of batches(ready)) {
      await Promise.all(
        batch.map(([p, i]) =>
          settle(i, async () => {
            if (p.result) return p.result;
            return (await options.gate.authorize({ callId: p.call.callId, tool: p.tool!, input: p.input }, p.decision!)) ?? execute(p);
          }),
        ),
      );
    }
  };
  const runWaiting = waiting.map(([p, i]) =>
    settle(i, async () => (await options.gate.authorize({ callId: p.call.callId, tool: p.tool!, input: p.input }, p.decision!)) ?? execute(p)),
  );
  await Promise.all([runReady(), ...runWaiting]);
  return results;
}

/** Consecutive read-level calls form one batch; every other call is a batch of its own. */
function batches(items: (readonly [Prepared, number])[]): (readonly [Prepared, number])[][] {
  const out: { readOnly: boolean; items: (readonly [Prepared, number])[] }[] = [];
  for (const item of items) {
    const readOnly = item[0].tool?.permissionLevel === 'read' && !item[0].result;
    const last = out.at(-1);
    if (readOnly && last?.readOnly) last.items.push(item);
    else out.push({ readOnly, items: [item] });
  }
  return out.map((b) => b.items);
}

async function runCall(options: AgentRunOptions, p: Prepared, revealed: Set<string>): Promise<ToolResult> {
  const { runId, signal } = options;
  if (signal.aborted) return errorResult('Not run: the run was cancelled.', { cancelled: true });
  options.gate.executed({ callId: p.call.callId, tool: p.tool!, input: p.input });
  return options.tools.run(p.tool!, p.input, {
    sessionId: options.sessionId,
    runId,
    callId: p.call.callId,
    signal,
    progress: (data) => void options.emit({ type: 'tool.progress', runId, callId: p.call.callId, data }).catch(() => undefined),
    ...options.toolContext(p.call.callId),
    catalog: {
      all: () => options.tools.list(),
      deferred: () => [...(options.deferredTools ?? [])].filter((name) => !revealed.has(name)),
      reveal: (names) => {
        for (const name of names) revealed.add(name);
      },
    },
  });
}
