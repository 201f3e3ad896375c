import { type LanguageModelUsage, type ModelMessage, type ToolSet, streamText } from 'ai';
import { type ModelFailure, classifyModelError } from '../models/errors';
import type { ResolvedModel } from '../models/providers';
import type { Redactor } from '../models/redaction';
import type { RunEvent, ToolCallRecord } from '../contract/events';
import { sleep } from './sleep';

/** How model calls are retried and when a silent stream counts as stalled (the workspace's agent settings). */
export interface StepPolicy {
  stallTimeoutMs: number;
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
}

export interface StepOptions {
  runId: string;
  model: ResolvedModel;
  system: string;
  policy: StepPolicy;
  /** Aborted when the run is cancelled or runs out of budget. */
  signal: AbortSignal;
  emit(event: RunEvent): Promise<void>;
  /** Takes keys out of a failed model call's message. */
  redactor: Redactor;
}

export interface StepResult {
  text: string;
  reasoning: string;
  toolCalls: ToolCallRecord[];
  finishReason: string;
  usage?: LanguageModelUsage;
  /** The assistant message to replay; built from the text when the step did not complete. */
  assistant: ModelMessage;
  /** Cut short by a stop (a cancel or a budget) or an unrecoverable error. */
  interrupted: boolean;
  failure?: ModelFailure;
}

class StallError extends Error {
  override readonly name = 'StallError';
}

function backoff(attempt: number, limits: StepPolicy['retry']): number {
  const exponential = limits.baseDelayMs * 2 ** (attempt - 1);
  return Math.min(limits.maxDelayMs, exponential * (0.8 + Math.random() * 0.4));
}

/** A failure's sentence saying how often it was tried: inside the sentence when it ends with a full stop. */
function afterAttempts(message: string, attempts: number): string {
  return message.endsWith('.')
    ? `${message.slice(0, -1)} after ${attempts} attempts.`
    : `${message} (after ${attempts} attempts)`;
}

/** One model call of the run, retried with backoff on rate limits, server errors, broken connections and stalls. */
export async function callModel(
  options: StepOptions,
  messages: ModelMessage[],
  messageId: string,
  tools: ToolSet | undefined,
): Promise<StepResult> {
  for (let attempt = 1; ; attempt++) {
    const step = await streamStep(options, messages, messageId, tools);
    if (!step.failure || options.signal.aborted) return step;
    const failure = step.failure;
    const { maxAttempts } = options.policy.retry;
    if (!failure.retryable || attempt >= maxAttempts) {
      return attempt > 1
        ? { ...step, failure: { ...failure, message: afterAttempts(failure.message, attempt) } }
        : step;
    }
    const delayMs = Math.round(failure.retryAfterMs ?? backoff(attempt, options.policy.retry));
    await options.emit({
      type: 'model.retry',
      runId: options.runId,
      messageId,
      attempt,
      maxAttempts,
      delayMs,
      reason: failure.message,
    });
    await sleep(delayMs, options.signal);
    if (options.signal.aborted) {
      const { failure: _stoppedDuringBackoff, ...rest } = step;
      return rest;
    }
  }
}

async function streamStep(
  options: StepOptions,
  messages: ModelMessage[],
  messageId: string,
  tools: ToolSet | undefined,
): Promise<StepResult> {
  const { model } = options;
  const stall = new AbortController();
  let stallTimer: NodeJS.Timeout | undefined;
  const armStall = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => stall.abort(new StallError()), options.policy.stallTimeoutMs);
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
  // Deltas are for the live view only: the completed message, stored later, carries the whole text.
  const emitDelta = (kind: 'text' | 'reasoning', delta: string) =>
    void options
      .emit({ type: 'message.delta', runId: options.runId, messageId, kind, text: delta })
      .catch(() => undefined);

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
  if (options.signal.aborted)
    return {
      text,
      reasoning,
      toolCalls: [],
      finishReason: 'cancelled',
      ...(usage ? { usage } : {}),
      assistant: partial(),
      interrupted: true,
    };
  if (stall.signal.aborted || error !== undefined) {
    const failure: ModelFailure = stall.signal.aborted
      ? {
          code: 'stalled',
          message: `The model sent nothing for ${Math.round(options.policy.stallTimeoutMs / 1000)} s.`,
          retryable: true,
        }
      : classifyModelError(
          error,
          { providerId: model.providerId, modelId: model.modelId, baseURL: model.baseURL },
          options.redactor,
        );
    return {
      text,
      reasoning,
      toolCalls: [],
      finishReason: 'error',
      ...(usage ? { usage } : {}),
      assistant: partial(),
      interrupted: true,
      failure,
    };
  }
  const response = await result.response;
  const assistant = response.messages.find((m) => m.role === 'assistant') ?? partial();
  return { text, reasoning, toolCalls, finishReason, ...(usage ? { usage } : {}), assistant, interrupted: false };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
