import type { ModelMessage, ToolResultPart } from 'ai';
import { estimateText } from './estimate';

/** A tool output replaced by a stub: which call, and what the model now reads in its place. */
export interface MaskedOutput {
  callId: string;
  name: string;
  stub: string;
}

/** Outputs of these tools are never masked: a skill's instructions hold for the whole session. */
const NEVER_MASKED = new Set(['skill']);

/** The text an output stands for, to describe it in its stub. */
function outputText(part: ToolResultPart): string {
  const output = part.output;
  if (output.type === 'text' || output.type === 'error-text') return output.value;
  if (output.type === 'content')
    return output.value
      .map((item) => ('text' in item && typeof item.text === 'string' ? item.text : '[image]'))
      .join('\n');
  return JSON.stringify(output);
}

/** `[output of read /src/a.ts, 212 lines, elided — read it again if needed]`. */
function stubFor(name: string, input: unknown, text: string): string {
  const target =
    typeof input === 'object' && input !== null
      ? Object.values(input).find((value): value is string => typeof value === 'string' && value.length < 200)
      : undefined;
  const lines = text.split('\n').length;
  return `[output of ${name}${target ? ` ${target}` : ''}, ${lines} line${lines === 1 ? '' : 's'}, elided — call it again if needed]`;
}

/**
 * Replaces the outputs of old tool calls with one-line stubs, keeping the newest `keepTokens` of outputs, the last
 * `keepTurns` assistant turns whole, and never masking a skill's instructions. Returns the new messages and the
 * outputs masked (those already stubs are not counted again).
 */
export function maskOldOutputs(
  messages: readonly ModelMessage[],
  keepTokens: number,
  keepTurns = 2,
): { messages: ModelMessage[]; masked: MaskedOutput[] } {
  const inputs = new Map<string, unknown>();
  for (const message of messages)
    if (message.role === 'assistant' && Array.isArray(message.content))
      for (const part of message.content) if (part.type === 'tool-call') inputs.set(part.toolCallId, part.input);
  // The newest turns stay whole: count back that many assistant messages.
  let protectedFrom = messages.length;
  for (let i = messages.length - 1, turns = 0; i >= 0 && turns < keepTurns; i--) {
    if (messages[i]!.role === 'assistant') {
      turns += 1;
      protectedFrom = i;
    }
  }
  const masked: MaskedOutput[] = [];
  let kept = 0;
  const out = [...messages];
  for (let i = out.length - 1; i >= 0; i--) {
    const message = out[i]!;
    if (message.role !== 'tool') continue;
    const parts = message.content.map((part) => {
      if (part.type !== 'tool-result') return part;
      const text = outputText(part);
      if (text.startsWith('[output of ') && text.endsWith(', elided — call it again if needed]')) return part;
      const tokens = estimateText(text);
      if (i >= protectedFrom || NEVER_MASKED.has(part.toolName) || kept + tokens <= keepTokens) {
        kept += tokens;
        return part;
      }
      const stub = stubFor(part.toolName, inputs.get(part.toolCallId), text);
      masked.push({ callId: part.toolCallId, name: part.toolName, stub });
      return { ...part, output: { type: 'text' as const, value: stub } };
    });
    out[i] = { ...message, content: parts };
  }
  return { messages: out, masked };
}
