import type { ModelMessage } from 'ai';

/** Characters per token, for estimates before a request is sent (the provider's usage says the real count after). */
const CHARS_PER_TOKEN = 4;

/** About how many tokens a request would take: its system prompt, its tool definitions and its messages. */
export function estimateTokens(system: string, toolsJson: string, messages: readonly ModelMessage[]): number {
  return Math.ceil((system.length + toolsJson.length + JSON.stringify(messages).length) / CHARS_PER_TOKEN);
}

export function estimateText(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}
