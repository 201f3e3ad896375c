import {
  type LanguageModelUsage,
  type ModelMessage,
  type ToolSet,
  generateText,
  jsonSchema,
  tool as sdkTool,
} from 'ai';
import type { z } from 'zod';
import type { ContextMeasureSchema, StampedEvent } from '../contract/events';
import { type CompactionSettings, Compactor } from './compaction/compactor';
import { estimateText, newestThatFits, requestBreakdown } from './compaction/estimate';
import type { RunTools } from '../tools/invoke';
import type { BudgetReached, RunBudget } from './budget';
import { toToolResultPart } from './conversation';
import { usageEvent } from './usage-event';
import type { RunEvent, RunStatus } from '../contract/events';
import type { RunParent } from './run-spec';
import { type StepOptions, type StepResult, callModel } from './step';
import { executeToolCalls } from './tool-calls';
import { readTextCalls, repairInvalidCalls } from './text-calls';
import { asTextProtocol } from './text-protocol';
import { type TextCallFailure, failuresMessage, toolsPrompt } from './text-tool-calls';
import type { Tool } from '../tools/tool';

export interface LoopOptions extends StepOptions {
  /** The conversation so far, as the model saw it. */
  history: ModelMessage[];
  prompt: string;
  /** What the user typed, when `prompt` is its expansion (a `/skill`). */
  command?: string | undefined;
  maxTurns: number;
  budget: RunBudget;
  /** Where the run sits in a tree of runs, recorded in `run.started`. */
  parent?: RunParent | undefined;
  depth: number;
  /** Notes delivered to the run meanwhile (a background child's result), added before the next model call. */
  inbox?: () => string[];
  /** Keeps what the model is sent within its window (absent: nothing is compacted). */
  compaction?: { settings: CompactionSettings; events(): Promise<StampedEvent[]> } | undefined;
  /** `/compact [focus]`: the run only compacts the conversation, and ends. */
  compactOnly?: { focus?: string | undefined } | undefined;
  /** The run's tools, and everything their calls are invoked with. */
  tools: RunTools;
  /** Aborted by a cancel; a budget's own stop is `budget.signal`, and `signal` (StepOptions) is either. */
  cancel: AbortSignal;
  newId(prefix: 'msg' | 'call'): string;
}

export interface RunOutcome {
  /** A run that returns was not interrupted: that status is written for runs whose process died. */
  status: Exclude<RunStatus, 'interrupted'>;
  turns: number;
  /** The last assistant text. */
  text: string;
  error?: { code: string; message: string };
  /** Set when the run ended on a budget. */
  budget?: BudgetReached;
}

const CONTINUE_AFTER_LIMIT =
  'Your previous reply was cut off by the output limit. Continue exactly where it stopped, without repeating anything.';
const EMPTY_REPLY_NUDGE = 'Your last reply was empty. Reply to the user now, in plain text.';

/**
 * The agent loop: one model call per turn, then the runtime executes the tool calls itself, until the model answers
 * without tools, the turn limit or a budget is reached, the run is cancelled or a model call fails for good. Between
 * turns the conversation is a plain list of messages, so it can be replaced (compaction) without the loop knowing.
 */
export async function runAgent(options: LoopOptions): Promise<RunOutcome> {
  const { model, budget } = options;
  const messages: ModelMessage[] = [...options.history];

  const { parent, depth } = options;
  await options.emit({
    type: 'run.started',
    runId: options.runId,
    model: model.id,
    maxTurns: options.maxTurns,
    ...(parent ? { parent } : {}),
    ...(depth > 0 ? { depth } : {}),
  });
  /** The model takes no tools natively (per catalog, or as it said): they are described in the prompt instead. */
  let promptTools = !model.info.tools;
  /** Answers whose tool calls could not be read; the second one ends the run rather than go round. */
  let unreadableAnswers = 0;
  const compactor = options.compaction
    ? new Compactor({
        runId: options.runId,
        settings: options.compaction.settings,
        contextWindow: model.info.contextWindow,
        maxOutput: model.info.maxOutput,
        events: options.compaction.events,
        summarize: (history, focus) =>
          summarizeConversation(options, promptTools ? asTextProtocol(history) : history, focus),
        emit: options.emit,
      })
    : undefined;
  if (options.compactOnly) {
    const done = compactor
      ? await compactor.compactNow(messages, options.system, toolsJson(options.tools), options.compactOnly.focus)
      : false;
    const error = done
      ? undefined
      : { code: 'compaction_failed', message: 'The conversation could not be summarised.' };
    await options.emit({
      type: 'run.completed',
      runId: options.runId,
      status: done ? 'finished' : 'error',
      turns: 0,
      ...(error ? { error } : {}),
    });
    return { status: done ? 'finished' : 'error', turns: 0, text: '', ...(error ? { error } : {}) };
  }
  await addUserMessage(options, messages, options.prompt, false, options.command);

  let turns = 0;
  let lastText = '';
  let nudged = false;
  let outcome: Omit<RunOutcome, 'turns' | 'text'> = { status: 'finished' };
  /** Why the run must stop before its next step, if it must. */
  const stopped = (): Omit<RunOutcome, 'turns' | 'text'> | null => {
    if (options.cancel.aborted) return { status: 'cancelled' };
    const reached = budget.reached();
    return reached ? { status: 'budget', budget: reached } : null;
  };

  for (;;) {
    const stop = stopped();
    if (stop) {
      outcome = stop;
      break;
    }
    if (turns >= options.maxTurns) {
      outcome = { status: 'max_turns' };
      break;
    }
    for (const note of options.inbox?.() ?? []) await addUserMessage(options, messages, note, true);
    if (compactor) {
      const prepared = await compactor.beforeCall(messages, options.system, toolsJson(options.tools), turns);
      if (prepared.stop) {
        outcome = { status: 'error', error: prepared.stop };
        break;
      }
      messages.splice(0, messages.length, ...prepared.messages);
    }
    const measured = {
      window: model.info.contextWindow,
      ...requestBreakdown(options.system, toolsJson(options.tools), messages),
    };
    await options.emit({ type: 'context.measured', runId: options.runId, ...measured });
    // A server cuts a request longer than its window without a word, and the model forgets its instructions.
    if (measured.total > model.info.contextWindow) {
      outcome = { status: 'error', error: overflowError(model.id, model.info.contextWindow, measured.total) };
      break;
    }
    turns += 1;
    const messageId = options.newId('msg');
    const offered = offeredTools(options.tools);
    const call = promptTools
      ? callModel(
          { ...options, system: withToolsPrompt(options.system, offered) },
          asTextProtocol(messages),
          messageId,
          undefined,
        )
      : callModel(options, messages, messageId, toSdkTools(offered));
    const answered = await call;
    if (answered.failure && !promptTools && offered.length > 0 && TOOLS_UNSUPPORTED.test(answered.failure.message)) {
      // The server says the model takes no tools: from now on they are described in the prompt, and this turn is redone.
      promptTools = true;
      turns -= 1;
      await options.emit({
        type: 'model.retry',
        runId: options.runId,
        messageId,
        attempt: 1,
        delayMs: 0,
        reason: `${model.id} takes no tools natively; its tools are described in the prompt from now on.`,
      });
      continue;
    }
    const step =
      offered.length > 0 && !answered.failure
        ? withTextCalls(answered, offered, options)
        : { ...answered, unreadable: [] };
    if (step.usage) await emitUsage(options, step.usage, measured);
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
    if (step.failure && !options.signal.aborted) {
      outcome = { status: 'error', error: { code: step.failure.code, message: step.failure.message } };
      break;
    }
    // A budget reached by this step ends the run before its tool calls: they would only spend more.
    const after = step.interrupted ? (stopped() ?? { status: 'cancelled' as const }) : stopped();
    if (after) {
      outcome = after;
      break;
    }
    messages.push(step.assistant);

    if (step.unreadable.length > 0 || step.toolCalls.some((c) => c.fromText && c.invalid)) {
      unreadableAnswers += 1;
      if (unreadableAnswers > 1) {
        const reasons = [...step.unreadable.map((f) => f.reason), ...step.toolCalls.flatMap((c) => c.invalid ?? [])];
        outcome = {
          status: 'error',
          error: {
            code: 'unreadable_tool_calls',
            message: `${model.id} wrote tool calls that could not be read, again after being told why (${reasons.join('; ')}). Try a model that handles tools better, or ask for the step in other words.`,
          },
        };
        break;
      }
    }
    if (step.toolCalls.length === 0 && step.unreadable.length > 0) {
      await addUserMessage(options, messages, failuresMessage(step.unreadable), true);
      continue;
    }
    if (step.toolCalls.length > 0) {
      const results = await executeToolCalls(options.tools, step.toolCalls, messageId, options.emit);
      messages.push({
        role: 'tool',
        content: step.toolCalls.map((call, i) => toToolResultPart(call.callId, call.name, results[i]!)),
      });
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

  const { budget: reached, error } = outcome;
  await options.emit({
    type: 'run.completed',
    runId: options.runId,
    status: outcome.status,
    turns,
    ...(error ? { error } : {}),
    ...(reached ?? {}),
  });
  return { ...outcome, turns, text: lastText };
}

/** The run stops rather than send a request its model's server would cut: how big it is, and what to do. */
function overflowError(modelId: string, window: number, tokens: number): { code: string; message: string } {
  return {
    code: 'context_overflow',
    message: `This request needs about ${tokens.toLocaleString('en-US')} tokens, more than the ${window.toLocaleString('en-US')}-token context window of ${modelId}, so it was not sent. Raise the model's context length in Settings → Models (for a local server, the context it runs the model with), pick a model with a larger window, or start a new session.`,
  };
}

async function addUserMessage(
  options: LoopOptions,
  messages: ModelMessage[],
  text: string,
  synthetic: boolean,
  command?: string,
): Promise<void> {
  await options.emit({
    type: 'message.user',
    runId: options.runId,
    messageId: options.newId('msg'),
    text,
    ...(synthetic ? { synthetic: true } : {}),
    ...(command ? { command } : {}),
  });
  messages.push({ role: 'user', content: text });
}

/** Servers' words for a model that cannot take tools (Ollama, llama.cpp, vLLM and others). */
const TOOLS_UNSUPPORTED =
  /does not support tools|tools? (?:is|are) not supported|not support(?:ed)? (?:function|tool) call|tool.choice.*not supported/i;

/** The tools the model is offered in full this turn: those not offered by name only, or revealed since. */
function offeredTools(run: RunTools): Tool[] {
  return run.registry.list().filter((t) => !run.deferred.has(t.name) || run.revealed.has(t.name));
}

function withToolsPrompt(system: string, tools: readonly Tool[]): string {
  const described = toolsPrompt(tools);
  return described ? `${system}\n\n${described}` : system;
}

/**
 * The step with the tool calls it wrote as text read into real calls, and native calls whose arguments were almost
 * JSON repaired; `unreadable` holds the call attempts that name no tool of the run.
 */
function withTextCalls(
  step: StepResult,
  offered: readonly Tool[],
  options: LoopOptions,
): StepResult & { unreadable: TextCallFailure[] } {
  if (step.toolCalls.length > 0) {
    const calls = repairInvalidCalls(step.toolCalls, offered);
    const repaired = new Map(calls.filter((c) => c.fromText).map((c) => [c.callId, c.input]));
    if (repaired.size === 0) return { ...step, unreadable: [] };
    const content = Array.isArray(step.assistant.content)
      ? step.assistant.content.map((part) =>
          part.type === 'tool-call' && repaired.has(part.toolCallId)
            ? { ...part, input: repaired.get(part.toolCallId) }
            : part,
        )
      : step.assistant.content;
    return { ...step, toolCalls: calls, assistant: { ...step.assistant, content } as ModelMessage, unreadable: [] };
  }
  const read = step.text ? readTextCalls(step.text, offered, () => options.newId('call')) : null;
  if (!read) return { ...step, unreadable: [] };
  return { ...step, text: read.text, toolCalls: read.calls, assistant: read.assistant, unreadable: read.unreadable };
}

/** Tools are handed to the SDK without `execute`, so each call comes back to the runtime. */
function toSdkTools(tools: readonly Tool[]): ToolSet | undefined {
  if (tools.length === 0) return undefined;
  return Object.fromEntries(
    tools.map((t) => [t.name, sdkTool({ description: t.description, inputSchema: jsonSchema(t.inputSchema) })]),
  );
}

async function emitUsage(
  options: LoopOptions,
  usage: LanguageModelUsage,
  context?: z.output<typeof ContextMeasureSchema>,
): Promise<void> {
  const event = usageEvent(options.runId, options.model, usage);
  options.budget.spend({ inputTokens: event.inputTokens, outputTokens: event.outputTokens, costUsd: event.costUsd });
  await options.emit({ ...event, ...(context ? { context } : {}) });
}

/** The definitions the model is sent, as text, for estimating a request's size. */
function toolsJson(run: RunTools): string {
  const offered = run.registry.list().filter((t) => !run.deferred.has(t.name) || run.revealed.has(t.name));
  return JSON.stringify(offered.map((t) => ({ name: t.name, description: t.description, schema: t.inputSchema })));
}

const SUMMARY_SYSTEM = `You write the summary that will replace an agent's conversation with its user when the conversation no
longer fits. The runtime keeps the user's messages, the task list, the skills and a ledger of the files touched by
itself: do not repeat them at length. Write what only the conversation holds, under these headings:
## Goal
## The user's instructions (quote each one verbatim)
## Decisions
## Discoveries
## Work done
## Open items
## Files touched
Be complete and exact (names, paths, numbers, commands); drop pleasantries and repetition.`;

/** One model call that summarises the conversation (its usage counts against the run like any other). */
/** What a summary request keeps free of the window besides the summary's own output: the closing instruction and slack. */
const SUMMARY_REQUEST_SLACK = 500;

/**
 * One model call that summarises the conversation. The request itself must fit the window: when the conversation does
 * not, its oldest part is left out (the pinned state keeps every user message verbatim anyway).
 */
async function summarizeConversation(options: LoopOptions, messages: ModelMessage[], focus?: string): Promise<string> {
  const maxOutputTokens = Math.min(8000, options.model.info.maxOutput);
  const budget =
    options.model.info.contextWindow - maxOutputTokens - estimateText(SUMMARY_SYSTEM) - SUMMARY_REQUEST_SLACK;
  const fitting = newestThatFits(messages, budget);
  if (fitting.length === 0) throw new Error('not even the newest turn fits the window for a summary');
  const result = await generateText({
    model: options.model.language,
    system: SUMMARY_SYSTEM,
    messages: [
      ...fitting,
      {
        role: 'user',
        content: `Summarise the conversation above as instructed.${focus ? ` Give most room to: ${focus}` : ''}`,
      },
    ],
    maxRetries: 2,
    maxOutputTokens,
    abortSignal: options.signal,
  });
  await emitUsage(options, result.usage);
  return result.text;
}
