import type { ModelMessage } from 'ai';
import type { ToolCallRecord } from '../contract/events';
import type { Tool } from '../tools/tool';
import { coerceArguments } from './text-tool-calls/coerce';
import { type TextCallFailure, extractToolCalls } from './text-tool-calls';

/** What a step's answer holds once the tool calls written in its text are read. */
export interface TextCallsRead {
  /** The calls, with `fromText`; one that names a tool but could not be read is `invalid`, with the reason. */
  calls: ToolCallRecord[];
  /** The answer's text without the calls' markup. */
  text: string;
  /** Attempts at calls that name no tool the run has; the model is told why. */
  unreadable: TextCallFailure[];
  /** The assistant message to replay: the text and the calls as real tool calls. */
  assistant: ModelMessage;
}

/**
 * Reads the tool calls a model wrote into its answer's text (a small model, or one without native tool calling):
 * null when the text holds none, so the answer is an answer.
 */
export function readTextCalls(text: string, offered: readonly Tool[], newCallId: () => string): TextCallsRead | null {
  const found = extractToolCalls(text, offered);
  if (found.calls.length === 0 && found.failures.length === 0) return null;
  const names = new Set(offered.map((tool) => tool.name));
  // A failed call that names a tool of the run is that tool's call, refused with the reason; any other is only text.
  const named = found.failures.flatMap((f) =>
    f.name !== undefined && names.has(f.name) ? [{ ...f, name: f.name }] : [],
  );
  const unreadable = found.failures.filter((f) => f.name === undefined || !names.has(f.name));
  const calls: ToolCallRecord[] = [
    ...found.calls.map((call) => ({
      callId: newCallId(),
      name: call.name,
      input: call.input,
      fromText: { format: call.format, repairs: call.repairs },
    })),
    ...named.map((failure) => ({
      callId: newCallId(),
      name: failure.name,
      input: failure.raw,
      invalid: failure.reason,
      fromText: { format: failure.format, repairs: [] },
    })),
  ];
  const assistant: ModelMessage = {
    role: 'assistant',
    content: [
      ...(found.text ? [{ type: 'text' as const, text: found.text }] : []),
      ...calls.map((call) => ({
        type: 'tool-call' as const,
        toolCallId: call.callId,
        toolName: call.name,
        input: call.invalid ? {} : call.input,
      })),
    ],
  };
  return { calls, text: found.text, unreadable, assistant };
}

/**
 * Native tool calls whose arguments were not JSON, repaired where the fix is certain (trailing commas, single quotes,
 * a missing brace, "5" for a number); the others stay invalid, with the reason.
 */
export function repairInvalidCalls(calls: ToolCallRecord[], offered: readonly Tool[]): ToolCallRecord[] {
  return calls.map((call) => {
    const tool = offered.find((t) => t.name === call.name);
    if (!call.invalid || !tool || typeof call.input !== 'string') return call;
    const coerced = coerceArguments(tool.name, call.input, tool.inputSchema);
    if (!coerced.ok) return { ...call, invalid: coerced.reason };
    const { invalid: _repaired, ...rest } = call;
    return { ...rest, input: coerced.input, fromText: { format: 'arguments', repairs: coerced.repairs } };
  });
}
