import type { ModelMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { estimateText, newestThatFits } from '../../src/agent/compaction/estimate';

const user = (text: string): ModelMessage => ({ role: 'user', content: text });
const assistantCall = (id: string): ModelMessage => ({
  role: 'assistant',
  content: [{ type: 'tool-call', toolCallId: id, toolName: 'read', input: { file_path: 'a' } }],
});
const toolResult = (id: string, text: string): ModelMessage => ({
  role: 'tool',
  content: [{ type: 'tool-result', toolCallId: id, toolName: 'read', output: { type: 'text', value: text } }],
});

describe('newestThatFits', () => {
  const messages = [
    user('first'),
    assistantCall('c1'),
    toolResult('c1', 'a'.repeat(4000)),
    user('second'),
    assistantCall('c2'),
    toolResult('c2', 'b'.repeat(400)),
  ];
  const size = (list: ModelMessage[]) => list.reduce((sum, m) => sum + estimateText(JSON.stringify(m)), 0);

  it('keeps a conversation that fits as it is, system messages and all', () => {
    const withSystem: ModelMessage[] = [{ role: 'system', content: 'rules' }, ...messages];
    expect(newestThatFits(withSystem, size(withSystem))).toEqual(withSystem);
  });

  it('drops the oldest turns, starting the rest at a user message so no result loses its call', () => {
    const fitted = newestThatFits(messages, size(messages) - 1);
    expect(fitted[0]).toEqual(user('second'));
    expect(fitted).toHaveLength(3);
  });

  it('is empty when not even the newest turn fits', () => {
    expect(newestThatFits(messages, 10)).toEqual([]);
  });
});
