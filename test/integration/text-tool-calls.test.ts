import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startChat } from '../helpers/chat';

/** The calls of a run, as the dashboard's tool cards get them. */
const started = (events: any[]) => events.filter((e) => e.type === 'tool.started');
const completed = (events: any[]) => events.filter((e) => e.type === 'tool.completed');

const READ = { name: 'read', arguments: { file_path: 'notes.txt' } };
const FORMATS: [string, string][] = [
  ['hermes', `I will look.\n<tool_call>\n${JSON.stringify(READ)}\n</tool_call>`],
  ['fenced', `Reading it:\n\`\`\`json\n${JSON.stringify(READ)}\n\`\`\``],
  ['json', JSON.stringify({ name: 'read', parameters: { file_path: 'notes.txt' } })],
  ['mistral', `[TOOL_CALLS][${JSON.stringify(READ)}]`],
  ['llama', `<|python_tag|>${JSON.stringify({ name: 'read', parameters: { file_path: 'notes.txt' } })}<|eom_id|>`],
];

describe('tool calls written as text', () => {
  it.each(FORMATS)('runs a %s call as a real tool call and shows where it came from', async (format, text) => {
    const chat = await startChat();
    await writeFile(join(chat.server.workspaceDir, 'notes.txt'), 'NOTE-CONTENT\n');
    chat.mock.enqueue({ text }, { text: 'The note says NOTE-CONTENT.' });
    const events = await chat.run(await chat.newSession(), 'what does notes.txt say?');
    expect(events.at(-1)).toMatchObject({ type: 'run.completed', status: 'finished' });
    expect(started(events)).toEqual([
      expect.objectContaining({ name: 'read', input: { file_path: 'notes.txt' }, fromText: { format, repairs: [] } }),
    ]);
    expect(completed(events)[0].result.content).toContain('NOTE-CONTENT');
    // The answer that carried the call shows without its markup; the model is sent a real call and its result.
    const first = events.find((e) => e.type === 'message.completed');
    expect(first.text).not.toMatch(/tool_call|TOOL_CALLS|python_tag|"file_path"/);
    const replay = JSON.stringify(chat.mock.requests[1]!.body.messages);
    expect(replay).toContain('"tool_calls"');
    expect(replay).toContain('NOTE-CONTENT');
  });

  it('repairs almost-JSON arguments and records the repair', async () => {
    const chat = await startChat();
    await writeFile(join(chat.server.workspaceDir, 'notes.txt'), 'line\n'.repeat(50));
    chat.mock.enqueue(
      { text: "<tool_call>{'name': 'read', 'arguments': {'file_path': 'notes.txt', 'limit': '2',}}</tool_call>" },
      { text: 'Done.' },
    );
    const events = await chat.run(await chat.newSession(), 'read two lines');
    const [call] = started(events);
    expect(call.input).toEqual({ file_path: 'notes.txt', limit: 2 });
    expect(call.fromText.repairs.join(' ')).toMatch(/quote/);
    expect(call.fromText.repairs.join(' ')).toMatch(/number 2/);
    expect(completed(events)[0].result.isError).toBeFalsy();
  });

  it('repairs native tool calls whose arguments are almost JSON', async () => {
    const chat = await startChat();
    await writeFile(join(chat.server.workspaceDir, 'notes.txt'), 'NATIVE\n');
    chat.mock.enqueue(
      { toolCalls: [{ name: 'read', rawArguments: "{'file_path': 'notes.txt',}" }] },
      { text: 'Done.' },
    );
    const events = await chat.run(await chat.newSession(), 'read it');
    expect(started(events)[0]).toMatchObject({ input: { file_path: 'notes.txt' }, fromText: { format: 'arguments' } });
    expect(completed(events)[0].result.content).toContain('NATIVE');
  });

  it('tells the model once why its call could not be read, then stops instead of going round', async () => {
    const chat = await startChat();
    const broken = '<tool_call>{"name": "read", "arguments": {"lines": 3}}</tool_call>';
    chat.mock.enqueue({ text: broken }, { text: broken });
    const events = await chat.run(await chat.newSession(), 'read something');
    const feedback = events.filter((e) => e.type === 'tool.completed').map((e) => e.result.content);
    expect(feedback[0]).toMatch(/file_path. is required by read/);
    expect(events.at(-1)).toMatchObject({
      status: 'error',
      error: { code: 'unreadable_tool_calls', message: expect.stringContaining('again after being told why') },
    });
    expect(chat.mock.requests).toHaveLength(2);
  });
});

describe('a model without tool support', () => {
  it('completes a two-step tool task through the prompt format', async () => {
    const chat = await startChat();
    await chat.server.server.context.workspace.settings.patch({
      providers: { mock: { models: { 'mock-model': { tools: false } } } },
      permissions: { mode: 'acceptEdits' },
    });
    await writeFile(join(chat.server.workspaceDir, 'a.txt'), 'ALPHA\n');
    chat.mock.enqueue(
      { text: '<tool_call>{"name": "read", "arguments": {"file_path": "a.txt"}}</tool_call>' },
      {
        text: '<tool_call>{"name": "write", "arguments": {"file_path": "b.txt", "content": "ALPHA copied"}}</tool_call>',
      },
      { text: 'Copied ALPHA into b.txt.' },
    );
    const session = await chat.newSession();
    const events = await chat.run(session, 'copy the word in a.txt into b.txt');
    expect(events.at(-1)).toMatchObject({ status: 'finished' });
    const [first, second, third] = chat.mock.requests.map((r) => r.body);
    for (const body of [first, second, third]) expect(body.tools).toBeUndefined();
    expect(JSON.stringify(first.messages[0])).toContain('<tool_call>{\\"name\\": \\"TOOL\\"');
    expect(JSON.stringify(first.messages[0])).toMatch(/read\(file_path\*: string/);
    // The result comes back as text in the user's turn; no message of role tool reaches the model.
    const roles = third.messages.map((m: any) => m.role);
    expect(roles).not.toContain('tool');
    expect(third.messages.at(-3)).toEqual({
      role: 'user',
      content: expect.stringMatching(/^<tool_result name="read">\n.*ALPHA/),
    });
    expect(completed(events).map((e) => e.result.isError ?? false)).toEqual([false, false]);
  });

  it('switches to the prompt format when the server says the model takes no tools', async () => {
    const chat = await startChat();
    chat.mock.enqueue(
      { error: { status: 400, message: 'registry.ollama.ai/library/gemma:2b does not support tools' } },
      { text: 'Hello without tools.' },
    );
    const events = await chat.run(await chat.newSession(), 'hi');
    expect(events.at(-1)).toMatchObject({ status: 'finished' });
    expect(events.some((e) => e.type === 'model.retry' && /takes no tools natively/.test(e.reason))).toBe(true);
    expect(chat.mock.requests[0]!.body.tools).toBeDefined();
    expect(chat.mock.requests[1]!.body.tools).toBeUndefined();
    expect(JSON.stringify(chat.mock.requests[1]!.body.messages[0])).toContain('<tool_call>');
  });
});
