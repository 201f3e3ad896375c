import type { ModelMessage } from 'ai';

/** Characters per token, for estimates before a request is sent (the provider's usage says the real count after). */
const CHARS_PER_TOKEN = 4;

/** About how many tokens a request would take: its system prompt, its tool definitions and its messages. */
export function estimateTokens(system: string, toolsJson: string, messages: readonly ModelMessage[]): number {
  return Math.ceil((system.length + toolsJson.length + JSON.stringify(messages).length) / CHARS_PER_TOKEN);
}

/** What takes the space in a request, in estimated tokens. */
export function requestBreakdown(
  system: string,
  toolsJson: string,
  messages: readonly ModelMessage[],
): { system: number; tools: number; conversation: number; toolOutputs: number; total: number } {
  const outputs = messages.filter((m) => m.role === 'tool');
  const toolOutputs = estimateText(JSON.stringify(outputs));
  const conversation = estimateText(JSON.stringify(messages.filter((m) => m.role !== 'tool')));
  const sizes = { system: estimateText(system), tools: estimateText(toolsJson), conversation, toolOutputs };
  return { ...sizes, total: sizes.system + sizes.tools + sizes.conversation + sizes.toolOutputs };
}

export function estimateText(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/**
 * A conversation as it is when it fits `budget` estimated tokens; else its newest part that fits and starts at a user
 * message (so no tool result is left without its call); empty when not even the last user turn fits.
 */
export function newestThatFits(messages: readonly ModelMessage[], budget: number): ModelMessage[] {
  const sizes = messages.map((m) => estimateText(JSON.stringify(m)));
  let total = sizes.reduce((sum, size) => sum + size, 0);
  if (total <= budget) return [...messages];
  for (let start = 0; start < messages.length; start++) {
    if (total <= budget && messages[start]!.role === 'user') return messages.slice(start);
    total -= sizes[start]!;
  }
  return [];
}
