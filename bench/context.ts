import type { StampedEvent } from '../src/contract/events';
import { conversationFrom } from '../src/agent/conversation';
import { pinnedState } from '../src/agent/compaction/pinned';
import { type Bench, type Metric, median, round, timeEach } from './lib';

const MESSAGES = 2000;

/** A session of MESSAGES model turns: a user message now and then, each turn a tool call and its output. */
function session(): StampedEvent[] {
  const events: StampedEvent[] = [];
  let id = 0;
  const stamp = { time: '2026-12-02T00:00:00.000Z' };
  for (let i = 0; i < MESSAGES; i++) {
    if (i % 20 === 0)
      events.push({
        ...stamp,
        id: ++id,
        type: 'message.user',
        runId: 'r',
        messageId: `u${i}`,
        text: `Step ${i}: do the next part`,
      });
    const callId = `c${i}`;
    const input = { file_path: `src/file${i % 50}.ts` };
    events.push({
      ...stamp,
      id: ++id,
      type: 'message.completed',
      runId: 'r',
      messageId: `m${i}`,
      model: 'mock/mock-model',
      text: '',
      toolCalls: [{ callId, name: 'read', input }],
      finishReason: 'tool-calls',
      modelMessage: {
        role: 'assistant',
        content: [{ type: 'tool-call', toolCallId: callId, toolName: 'read', input }],
      },
    });
    events.push({
      ...stamp,
      id: ++id,
      type: 'tool.started',
      runId: 'r',
      messageId: `m${i}`,
      callId,
      name: 'read',
      input,
    });
    events.push({
      ...stamp,
      id: ++id,
      type: 'tool.completed',
      runId: 'r',
      messageId: `m${i}`,
      callId,
      name: 'read',
      result: { content: `1\texport const value${i} = ${i};\n`.repeat(40) },
      durationMs: 1,
    });
  }
  return events;
}

/** Context: building the model's conversation of a 2,000-turn session from its events, before and after compaction. */
export const contextBench: Bench = {
  name: 'context',
  async run(): Promise<Metric[]> {
    const events = session();
    const before = await timeEach(30, async () => conversationFrom(events));
    const last = events.at(-1)!.id;
    const compacted: StampedEvent[] = [
      ...events,
      {
        time: '2026-12-02T00:00:00.000Z',
        id: last + 1,
        type: 'compaction.completed',
        runId: 'r',
        kind: 'summary',
        tokensBefore: 0,
        tokensAfter: 0,
        summary: 'summary',
        context: `${pinnedState(events)}\n\n## Summary\nsummary`,
        coveredEventIds: [],
        coveredUpTo: last - 8,
      },
    ];
    const after = await timeEach(30, async () => conversationFrom(compacted));
    const pinned = await timeEach(30, async () => pinnedState(events));
    const sizes = [JSON.stringify(conversationFrom(events)).length, JSON.stringify(conversationFrom(compacted)).length];
    return [
      {
        name: `build the conversation of a ${MESSAGES}-turn session`,
        value: round(median(before.slice(5)), 2),
        unit: `ms (${Math.round(sizes[0]! / 1024)} KB of messages)`,
      },
      {
        name: `the same after a summary compaction`,
        value: round(median(after.slice(5)), 2),
        unit: `ms (${Math.round(sizes[1]! / 1024)} KB of messages)`,
      },
      {
        name: 'rebuild the pinned state from the events',
        value: round(median(pinned.slice(5)), 2),
        unit: 'ms',
      },
    ];
  },
};
