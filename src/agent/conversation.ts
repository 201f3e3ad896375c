import type { ModelMessage, ToolResultPart } from 'ai';
import type { RunEventOf } from '../contract/events';
import type { ToolResult } from '../tools/tool';

/** The model-facing form of a tool result. */
export function toToolResultPart(callId: string, name: string, result: ToolResult): ToolResultPart {
  const output: ToolResultPart['output'] =
    typeof result.content === 'string'
      ? { type: result.isError ? 'error-text' : 'text', value: result.content }
      : {
          type: 'content',
          value: result.content.map((block) =>
            block.type === 'text'
              ? { type: 'text' as const, text: block.text }
              : { type: 'image-data' as const, data: block.data, mediaType: block.mediaType },
          ),
        };
  return { type: 'tool-result', toolCallId: callId, toolName: name, output };
}

const INTERRUPTED_TOOL: ToolResult = {
  content: 'This tool call did not finish: the run stopped before it completed.',
  isError: true,
};

type ConversationEvent =
  | RunEventOf<'message.user'>
  | RunEventOf<'message.completed'>
  | RunEventOf<'tool.completed'>
  | RunEventOf<'compaction.completed'>
  | { type: string; id?: number };

/** How a summary compaction opens the conversation the model is sent from then on. */
export function compactedOpening(context: string): ModelMessage {
  return {
    role: 'user',
    content: `The conversation so far was compacted. What the runtime kept, and a summary of the rest:\n\n${context}`,
  };
}

/**
 * Rebuilds what the model saw from a session's stored events: user messages, the assistant messages verbatim,
 * and after each assistant message a tool message answering every call it made. A call that never completed
 * (the process died) is answered with an error, so the conversation stays valid for every provider. After a summary
 * compaction, the events it covers are replaced by what it kept (the stored events themselves stay as they were).
 */
export function conversationFrom(events: readonly ConversationEvent[]): ModelMessage[] {
  const messages: ModelMessage[] = [];
  const compaction = events
    .filter((e): e is RunEventOf<'compaction.completed'> => e.type === 'compaction.completed')
    .filter((e) => e.kind === 'summary' && e.context !== undefined)
    .at(-1);
  if (compaction) {
    messages.push(compactedOpening(compaction.context!));
    const after = compaction.coveredUpTo ?? 0;
    events = events.filter((e) => ('id' in e && typeof e.id === 'number' ? e.id : 0) > after);
  }
  const results = new Map<string, RunEventOf<'tool.completed'>>();
  for (const event of events)
    if (event.type === 'tool.completed')
      results.set((event as RunEventOf<'tool.completed'>).callId, event as RunEventOf<'tool.completed'>);

  for (const event of events) {
    if (event.type === 'message.user') {
      messages.push({ role: 'user', content: (event as RunEventOf<'message.user'>).text });
    } else if (event.type === 'message.completed') {
      const completed = event as RunEventOf<'message.completed'>;
      const hasContent =
        completed.text.length > 0 || completed.toolCalls.length > 0 || (completed.reasoning?.length ?? 0) > 0;
      if (!hasContent) continue;
      messages.push(completed.modelMessage as ModelMessage);
      if (completed.toolCalls.length === 0) continue;
      messages.push({
        role: 'tool',
        content: completed.toolCalls.map((call) => {
          const done = results.get(call.callId);
          return toToolResultPart(call.callId, call.name, done ? done.result : INTERRUPTED_TOOL);
        }),
      });
    }
  }
  return messages;
}
