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
    if (process.env.MEASURE_REQUEST)
      console.log(`first request: ${Buffer.byteLength(JSON.stringify(body))} bytes`);
    expect(offered(body).sort()).toEqual([
      'bash',
      'edit',
      'glob',
      'grep',
      'read',
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
});
