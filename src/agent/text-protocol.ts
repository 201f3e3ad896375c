import type { ModelMessage, ToolResultPart } from 'ai';

/** The tags a model without tool support is asked to write its calls in, and reads their results from. */
export const CALL_OPEN = '<tool_call>';
export const CALL_CLOSE = '</tool_call>';

/** A tool result as the text a model without tool support reads. */
function resultText(part: ToolResultPart): string {
  const { output } = part;
  const body =
    output.type === 'text' || output.type === 'error-text'
      ? output.value
      : output.type === 'json' || output.type === 'error-json'
        ? JSON.stringify(output.value)
        : output.type === 'content'
          ? output.value.map((block) => (block.type === 'text' ? block.text : `[${block.type}]`)).join('\n')
          : output.type === 'execution-denied'
            ? `Denied${output.reason ? `: ${output.reason}` : ''}`
            : '';
  const error = output.type === 'error-text' || output.type === 'error-json' ? ' error="true"' : '';
  return `<tool_result name="${part.toolName}"${error}>\n${body}\n</tool_result>`;
}

/** The parts of a message as text; anything that is not text (an image, a file) is only named. */
function plainText(content: Exclude<ModelMessage['content'], string>): string[] {
  return content.flatMap((part) => {
    switch (part.type) {
      case 'text':
        return [part.text];
      case 'tool-call':
        return [`${CALL_OPEN}${JSON.stringify({ name: part.toolName, arguments: part.input })}${CALL_CLOSE}`];
      case 'tool-result':
        return [resultText(part)];
      case 'reasoning':
        return [];
      default:
        return [`[${part.type}]`];
    }
  });
}

/**
 * A conversation as a model without tool support reads it: the calls it made as the text the prompt format asks for,
 * their results in the user's turn that follows. The stored conversation keeps real tool calls; only what is sent
 * differs. Neighbouring user turns are joined, since many chat templates require turns to alternate.
 */
export function asTextProtocol(messages: readonly ModelMessage[]): ModelMessage[] {
  const out: ModelMessage[] = [];
  for (const message of messages) {
    if (message.role === 'system') {
      out.push(message);
      continue;
    }
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const text = typeof message.content === 'string' ? message.content : plainText(message.content).join('\n\n');
    const previous = out.at(-1);
    if (role === 'user' && previous?.role === 'user' && typeof previous.content === 'string')
      previous.content = `${previous.content}\n\n${text}`;
    else out.push({ role, content: text });
  }
  return out;
}
