import type { MockModelServer, MockTurn, RecordedRequest } from '../fixtures/mock-model/server';

/** The text of the first user message of an OpenAI-format request: which conversation (which run) it belongs to. */
export function firstUserText(request: RecordedRequest): string {
  const messages = (request.body?.messages ?? []) as { role: string; content: unknown }[];
  const first = messages.find((m) => m.role === 'user');
  if (!first) return '';
  if (typeof first.content === 'string') return first.content;
  return (first.content as { type: string; text?: string }[]).map((part) => part.text ?? '').join('');
}

/** How many answers the model has given in this conversation so far: the index of the turn it is asked for. */
function turnIndex(request: RecordedRequest): number {
  return ((request.body?.messages ?? []) as { role: string }[]).filter((m) => m.role === 'assistant').length;
}

/**
 * Scripts several conversations at once, as parallel runs need: each request is answered from the script whose key
 * its first user message contains, turn by turn; past the end of a script, or with no script, the model says so.
 * A turn may be a function, to answer from what the request holds (a tool result, say).
 */
export function scriptConversations(
  mock: MockModelServer,
  scripts: Record<string, (MockTurn | ((request: RecordedRequest) => MockTurn))[]>,
): void {
  mock.setFallback((request) => {
    const text = firstUserText(request);
    const key = Object.keys(scripts).find((k) => text.includes(k));
    if (key === undefined) return { text: `no script for "${text.slice(0, 80)}"` };
    const turn = scripts[key]![turnIndex(request)];
    if (turn === undefined) return { text: `script "${key}" is over` };
    return typeof turn === 'function' ? turn(request) : turn;
  });
}
