import { describe, expect, it } from 'vitest';
import { startChat } from '../helpers/chat';

const offered = (body: any): string[] => (body.tools as { function: { name: string } }[]).map((t) => t.function.name);

/** The tools a coding run rarely needs are offered by name only, behind tool_search: every request stays small. */
describe('lean requests', () => {
  it('offers the coding tools in full and the rarely needed ones by name only', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ text: 'Hello.' });
    await chat.run(await chat.newSession(), 'hi');
    const body = chat.mock.requests[0]!.body;
    if (process.env.MEASURE_REQUEST) console.log(`first request: ${Buffer.byteLength(JSON.stringify(body))} bytes`);
    expect(offered(body).sort()).toEqual([
      'bash',
      'edit',
      'glob',
      'grep',
      'read',
      'skill',
      'todo_write',
      'tool_search',
      'write',
    ]);
    const search = body.tools.find((t: any) => t.function.name === 'tool_search').function.description;
    for (const name of ['ask_user_question', 'brief', 'enter_plan_mode', 'exit_plan_mode', 'jsexec', 'sleep'])
      expect(search).toContain(name);
    expect(search).toContain('web_fetch');
    expect(search).toContain('word_count');
  });

  it('runs a tool offered by name only, after tool_search and when called straight away, and offers it from then on', async () => {
    const chat = await startChat();
    chat.mock.enqueue(
      { toolCalls: [{ name: 'tool_search', input: { query: 'sleep' } }] },
      { toolCalls: [{ name: 'sleep', input: { ms: 1 } }] },
      { toolCalls: [{ name: 'brief', input: { message: 'Halfway there.' } }] },
      { text: 'Done.' },
    );
    const events = await chat.run(await chat.newSession(), 'wait a moment, then tell me');
    expect(events.at(-1)).toMatchObject({ status: 'finished' });
    const results = events.filter((e) => e.type === 'tool.completed').map((e) => e.result);
    expect(results[0].content).toContain('## sleep');
    expect(results[1]).toMatchObject({ content: expect.stringMatching(/^Waited \d+ ms\.$/) });
    expect(results[2]).toMatchObject({ content: 'The user has been shown the message.' });
    const requests = chat.mock.requests.map((r) => offered(r.body));
    expect(requests[0]).not.toContain('sleep');
    expect(requests[1]).toContain('sleep');
    expect(requests[2]).not.toContain('brief');
    // Called without a search, by the name tool_search's description gave: revealed for the next request.
    expect(requests[3]).toContain('brief');
  });

  it('gives a model with a small window a compact system prompt and only the core tools in full', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ text: 'Hello.' });
    await chat.run(await chat.newSession(), 'hi');
    const large = chat.mock.requests[0]!.body;
    await chat.server.server.context.workspace.settings.patch({
      providers: { mock: { models: { 'mock-model': { contextWindow: 8192 } } } },
    });
    chat.mock.enqueue({ text: 'Hello.' });
    await chat.run(await chat.newSession(), 'hi');
    const small = chat.mock.requests[1]!.body;
    expect(offered(small).sort()).toEqual(['bash', 'edit', 'glob', 'grep', 'read', 'tool_search', 'write']);
    const search = small.tools.find((t: any) => t.function.name === 'tool_search').function.description;
    for (const name of ['todo_write', 'skill', 'web_fetch']) expect(search).toContain(name);
    const system = (body: any) => JSON.stringify(body.messages[0]);
    expect(system(small)).toContain('End with a plain-text answer.');
    expect(system(small).length).toBeLessThan(system(large).length / 2);
    expect(JSON.stringify(small).length).toBeLessThan(JSON.stringify(large).length * 0.8);
  });

  it('offers in full the tools the workspace lists in tools.offered', async () => {
    const chat = await startChat();
    await chat.server.server.context.workspace.settings.patch({ tools: { offered: ['jsexec', 'sleep'] } });
    chat.mock.enqueue({ text: 'Hello.' });
    await chat.run(await chat.newSession(), 'hi');
    const body = chat.mock.requests[0]!.body;
    expect(offered(body)).toEqual(expect.arrayContaining(['jsexec', 'sleep', 'read']));
    const search = body.tools.find((t: any) => t.function.name === 'tool_search').function.description;
    expect(search).not.toMatch(/jsexec|sleep/);
    expect(search).toContain('brief');
  });

  it('offers exit_plan_mode in full once the run enters plan mode', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ toolCalls: [{ name: 'enter_plan_mode', input: {} }] }, { text: 'Planning.' });
    await chat.run(await chat.newSession(), 'plan a change');
    expect(offered(chat.mock.requests[0]!.body)).not.toContain('exit_plan_mode');
    expect(offered(chat.mock.requests[1]!.body)).toContain('exit_plan_mode');
  });

  it('offers exit_plan_mode in full from the first request when the session is in plan mode already', async () => {
    const chat = await startChat();
    const id = await chat.newSession();
    const put = await chat.server.fetch(`/api/sessions/${id}/mode`, {
      method: 'PUT',
      body: JSON.stringify({ mode: 'plan' }),
    });
    expect(put.status).toBe(200);
    chat.mock.enqueue({ text: 'Planning.' });
    await chat.run(id, 'plan a change');
    expect(offered(chat.mock.requests[0]!.body)).toContain('exit_plan_mode');
    expect(offered(chat.mock.requests[0]!.body)).not.toContain('enter_plan_mode');
  });
});
