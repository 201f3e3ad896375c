import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/runtime';
import { silentLogger } from '../../src/log';
import { openWorkspace } from '../../src/workspace/workspace';
import { type ChatHarness, mockProviderSettings, startChat, startMock } from '../helpers/chat';
import { fakeMcpTools } from '../helpers/tools';
import { tempDir } from '../helpers/workspace';

const withWrite = {};
const writeCall = (file: string, content = 'hello') => ({
  toolCalls: [{ name: 'write', input: { file_path: file, content } }],
});

async function answer(chat: ChatHarness, id: string, body: unknown) {
  const res = await chat.server.fetch(`/api/interactions/${id}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

/** Starts a run and waits until it is waiting for the user. */
async function untilAsked(chat: ChatHarness, sessionId: string, text: string, type = 'approval.requested') {
  const stream = await chat.events(sessionId, (await chat.session(sessionId)).session.lastEventId);
  const sent = await chat.send(sessionId, text);
  expect(sent.status).toBe(202);
  const asked = await stream.waitFor((d) => d.type === type);
  return { stream, asked: asked.data, runId: sent.body.runId as string };
}

describe('approvals', () => {
  it('asks before a write in default mode; an approval over HTTP lets it run', async () => {
    const chat = await startChat(withWrite);
    chat.mock.enqueue(writeCall('notes/today.md', 'line one\n'), { text: 'Written.' });
    const id = await chat.newSession();
    const { stream, asked } = await untilAsked(chat, id, 'write my notes');
    expect(asked).toMatchObject({
      kind: 'tool',
      name: 'write',
      level: 'write',
      subject: 'notes/today.md',
      reason: 'the default mode asks for write tools',
    });
    expect(asked.preview).toEqual({ kind: 'diff', path: '/notes/today.md', before: '', after: 'line one\n' });

    const inbox: any = await (await chat.server.fetch('/api/interactions')).json();
    expect(inbox.interactions).toEqual([
      expect.objectContaining({ id: asked.approvalId, kind: 'approval', sessionId: id, tool: 'write' }),
    ]);
    await expect(readFile(join(chat.server.workspaceDir, 'notes/today.md'), 'utf8')).rejects.toThrow();

    expect((await answer(chat, asked.approvalId, { kind: 'approval', outcome: 'once' })).status).toBe(200);
    await stream.waitFor((d) => d.type === 'run.completed');
    expect(await readFile(join(chat.server.workspaceDir, 'notes/today.md'), 'utf8')).toBe('line one\n');
    const resolved = stream.messages.find((m) => m.data.type === 'approval.resolved')!.data;
    expect(resolved).toMatchObject({ approvalId: asked.approvalId, outcome: 'once' });
    expect(((await (await chat.server.fetch('/api/interactions')).json()) as any).interactions).toEqual([]);
    expect((await answer(chat, asked.approvalId, { kind: 'approval', outcome: 'once' })).status).toBe(404);
    stream.close();
  });

  it('sends a denial to the model as a tool error, with the user message', async () => {
    const chat = await startChat(withWrite);
    chat.mock.enqueue(writeCall('a.txt'), { text: 'Understood.' });
    const id = await chat.newSession();
    const { stream, asked } = await untilAsked(chat, id, 'write a');
    await answer(chat, asked.approvalId, { kind: 'approval', outcome: 'deny', message: 'not that file' });
    const done = await stream.waitFor((d) => d.type === 'tool.completed');
    expect(done.data.result).toMatchObject({
      isError: true,
      content: expect.stringMatching(/The user denied this write call\. The user said: "not that file"/),
    });
    await stream.waitFor((d) => d.type === 'run.completed');
    expect(JSON.stringify(chat.mock.requests[1]!.body.messages)).toContain('The user denied this write call');
    stream.close();
  });

  it('keeps "always allow in this workspace" across a restart, and asks again once it is revoked', async () => {
    const first = await startChat(withWrite);
    first.mock.enqueue(writeCall('docs/a.md'), { text: 'ok' });
    const id = await first.newSession();
    const { stream, asked } = await untilAsked(first, id, 'write docs');
    await answer(first, asked.approvalId, { kind: 'approval', outcome: 'workspace', pattern: 'docs/*' });
    await stream.waitFor((d) => d.type === 'run.completed');
    stream.close();
    const stored = JSON.parse(await readFile(join(first.server.workspaceDir, '.boxagnts', 'permissions.json'), 'utf8'));
    expect(stored.grants).toEqual([
      expect.objectContaining({
        rule: 'allow write(docs/*)',
        origin: expect.objectContaining({ sessionId: id, tool: 'write', subject: 'docs/a.md' }),
      }),
    ]);
    await first.server.close();

    const second = await startChat({ ...withWrite, workspaceDir: first.server.workspaceDir });
    second.mock.enqueue(writeCall('docs/b.md'), { text: 'done' });
    const events = await second.run(id, 'write another doc');
    expect(events.some((e) => e.type === 'approval.requested')).toBe(false);
    expect(await readFile(join(second.server.workspaceDir, 'docs/b.md'), 'utf8')).toBe('hello');

    const permissions: any = await (await second.server.fetch('/api/permissions')).json();
    const grant = permissions.grants[0];
    expect((await second.server.fetch(`/api/permissions/grants/${grant.id}`, { method: 'DELETE' })).status).toBe(200);
    second.mock.enqueue(writeCall('docs/c.md'));
    const { stream: again, asked: askedAgain } = await untilAsked(second, id, 'and one more');
    expect(askedAgain.name).toBe('write');
    await second.server.fetch(`/api/sessions/${id}/cancel`, { method: 'POST' });
    await again.waitFor((d) => d.type === 'run.completed');
    again.close();
  });

  it('grants for the session only, and lets the user revoke a session grant', async () => {
    const chat = await startChat(withWrite);
    chat.mock.enqueue(writeCall('x.txt'), { text: 'one' }, writeCall('x.txt', 'again'), { text: 'two' });
    const id = await chat.newSession();
    const { stream, asked } = await untilAsked(chat, id, 'first');
    await answer(chat, asked.approvalId, { kind: 'approval', outcome: 'session' });
    await stream.waitFor((d) => d.type === 'run.completed');
    stream.close();
    const state: any = await (await chat.server.fetch(`/api/sessions/${id}/state`)).json();
    expect(state.grants).toEqual([{ id: expect.stringContaining(asked.approvalId), rule: 'allow write(x.txt)' }]);
    const second = await chat.run(id, 'second');
    expect(second.some((e) => e.type === 'approval.requested')).toBe(false);
    expect(
      (await chat.server.fetch(`/api/sessions/${id}/grants/${state.grants[0].id}`, { method: 'DELETE' })).status,
    ).toBe(200);
    expect(((await (await chat.server.fetch(`/api/sessions/${id}/state`)).json()) as any).grants).toEqual([]);
    const other = await chat.newSession();
    chat.mock.enqueue(writeCall('x.txt'));
    const { stream: s2, asked: a2 } = await untilAsked(chat, other, 'in another session');
    expect(a2.name).toBe('write');
    await chat.server.fetch(`/api/sessions/${other}/cancel`, { method: 'POST' });
    await s2.waitFor((d) => d.type === 'run.completed');
    s2.close();
  });

  it('lets other calls of the step go ahead while one waits, and cancels a waiting approval with the run', async () => {
    const chat = await startChat(withWrite);
    chat.mock.enqueue({
      toolCalls: [
        { name: 'write', input: { file_path: 'w.txt', content: 'x' } },
        { name: 'sleep', input: { ms: 10 } },
      ],
    });
    const id = await chat.newSession();
    const { stream } = await untilAsked(chat, id, 'both');
    const slept = await stream.waitFor((d) => d.type === 'tool.completed' && d.name === 'sleep');
    expect(slept.data.result.content).toMatch(/Waited/);
    await chat.server.fetch(`/api/sessions/${id}/cancel`, { method: 'POST' });
    const done = await stream.waitFor((d) => d.type === 'run.completed');
    expect(done.data.status).toBe('cancelled');
    expect(stream.messages.find((m) => m.data.type === 'approval.resolved')!.data.outcome).toBe('cancelled');
    expect(
      stream.messages.find((m) => m.data.type === 'tool.completed' && m.data.name === 'write')!.data.result.metadata,
    ).toMatchObject({ cancelled: true });
    expect(((await (await chat.server.fetch('/api/interactions')).json()) as any).interactions).toEqual([]);
    stream.close();
  });

  it('refuses a reply of the wrong kind or with a bad pattern', async () => {
    const chat = await startChat(withWrite);
    chat.mock.enqueue(writeCall('y.txt'));
    const id = await chat.newSession();
    const { stream, asked } = await untilAsked(chat, id, 'go');
    expect((await answer(chat, asked.approvalId, { kind: 'plan', approved: true })).status).toBe(400);
    expect((await answer(chat, asked.approvalId, { kind: 'approval', outcome: 'maybe' })).status).toBe(400);
    expect(
      (await answer(chat, asked.approvalId, { kind: 'approval', outcome: 'workspace', pattern: '   ' })).body.error
        .field,
    ).toBe('pattern');
    await chat.server.fetch(`/api/sessions/${id}/cancel`, { method: 'POST' });
    await stream.waitFor((d) => d.type === 'run.completed');
    stream.close();
  });

  it('asks before the fourth identical call in a row', async () => {
    const chat = await startChat();
    const same = { toolCalls: [{ name: 'sleep', input: { ms: 1 } }] };
    chat.mock.enqueue(same, same, same, same);
    const id = await chat.newSession();
    const { stream, asked } = await untilAsked(chat, id, 'loop');
    expect(asked.reason).toMatch(/4 times in a row/);
    expect(stream.messages.filter((m) => m.data.type === 'tool.completed')).toHaveLength(3);
    await answer(chat, asked.approvalId, { kind: 'approval', outcome: 'deny' });
    await chat.server.fetch(`/api/sessions/${id}/cancel`, { method: 'POST' });
    await stream.waitFor((d) => d.type === 'run.completed');
    stream.close();
  });
});

describe('modes and rules', () => {
  it('follows a session mode switched from the chat page, and a deny rule beats bypass', async () => {
    const chat = await startChat(withWrite);
    const id = await chat.newSession();
    expect(
      (await chat.server.fetch(`/api/sessions/${id}/mode`, { method: 'PUT', body: JSON.stringify({ mode: 'bypass' }) }))
        .status,
    ).toBe(200);
    expect(((await (await chat.server.fetch(`/api/sessions/${id}/state`)).json()) as any).mode).toBe('bypass');
    chat.mock.enqueue(writeCall('free.txt'), { text: 'ok' });
    expect((await chat.run(id, 'write')).some((e) => e.type === 'approval.requested')).toBe(false);

    await chat.server.server.context.workspace.settings.patch({ permissions: { rules: ['deny write(secret/*)'] } });
    chat.mock.enqueue(writeCall('secret/key.txt'), { text: 'ok' });
    const events = await chat.run(id, 'write the secret');
    const refused = events.find((e) => e.type === 'tool.completed');
    expect(refused.result.content).toMatch(/Permission denied: denied by the rule "deny write\(secret\/\*\)"/);
    await expect(readFile(join(chat.server.workspaceDir, 'secret/key.txt'))).rejects.toThrow();
    expect(
      (await chat.server.fetch(`/api/sessions/${id}/mode`, { method: 'PUT', body: JSON.stringify({ mode: 'yolo' }) }))
        .status,
    ).toBe(400);
  });

  it('refuses a write in plan mode until the plan is approved, then restores the previous mode', async () => {
    const chat = await startChat(withWrite);
    await chat.server.server.context.workspace.settings.patch({ permissions: { mode: 'acceptEdits' } });
    chat.mock.enqueue({ toolCalls: [{ name: 'enter_plan_mode', input: {} }] }, writeCall('plan.txt'), {
      toolCalls: [{ name: 'exit_plan_mode', input: { plan: '1. Write plan.txt' } }],
    });
    const id = await chat.newSession();
    const { stream, asked } = await untilAsked(chat, id, 'plan first');
    expect(asked).toMatchObject({ kind: 'plan', plan: '1. Write plan.txt' });
    const refused = stream.messages.find((m) => m.data.type === 'tool.completed' && m.data.name === 'write')!.data;
    expect(refused.result.content).toMatch(/plan mode is on/);
    await expect(readFile(join(chat.server.workspaceDir, 'plan.txt'))).rejects.toThrow();

    chat.mock.enqueue(writeCall('plan.txt', 'planned'), { text: 'Done as planned.' });
    expect((await answer(chat, asked.approvalId, { kind: 'plan', approved: true })).status).toBe(200);
    await stream.waitFor((d) => d.type === 'run.completed');
    expect(await readFile(join(chat.server.workspaceDir, 'plan.txt'), 'utf8')).toBe('planned');
    const modes = stream.messages.filter((m) => m.data.type === 'session.mode').map((m) => m.data.mode);
    expect(modes).toEqual(['plan', null]);
    stream.close();
  });

  it('keeps planning with the feedback when the plan is rejected', async () => {
    const chat = await startChat(withWrite);
    chat.mock.enqueue(
      { toolCalls: [{ name: 'enter_plan_mode', input: {} }] },
      { toolCalls: [{ name: 'exit_plan_mode', input: { plan: 'Delete everything' } }] },
    );
    const id = await chat.newSession();
    const { stream, asked } = await untilAsked(chat, id, 'plan');
    chat.mock.enqueue({ text: 'I will revise it.' });
    await answer(chat, asked.approvalId, { kind: 'plan', approved: false, feedback: 'too drastic' });
    await stream.waitFor((d) => d.type === 'run.completed');
    const result = stream.messages.find((m) => m.data.type === 'tool.completed' && m.data.name === 'exit_plan_mode')!
      .data.result;
    expect(result.content).toMatch(/did not approve the plan\. Their feedback: "too drastic" Plan mode stays on/);
    expect(((await (await chat.server.fetch(`/api/sessions/${id}/state`)).json()) as any).mode).toBe('plan');
    stream.close();
  });
});

describe('native tools', () => {
  it('round-trips ask_user_question', async () => {
    const chat = await startChat();
    chat.mock.enqueue({
      toolCalls: [
        {
          name: 'ask_user_question',
          input: {
            questions: [
              {
                question: 'Which database?',
                options: [{ label: 'SQLite' }, { label: 'Postgres' }],
                allowFreeText: true,
              },
            ],
          },
        },
      ],
    });
    const id = await chat.newSession();
    const { stream, asked } = await untilAsked(chat, id, 'set up storage', 'question.asked');
    expect(asked.questions[0].question).toBe('Which database?');
    chat.mock.enqueue({ text: 'Postgres it is.' });
    expect(
      (
        await answer(chat, asked.questionId, {
          kind: 'question',
          answers: [{ selected: ['Postgres'], text: 'version 16' }],
        })
      ).status,
    ).toBe(200);
    await stream.waitFor((d) => d.type === 'run.completed');
    const sent = JSON.stringify(chat.mock.requests[1]!.body.messages);
    expect(sent).toContain('Q: Which database?');
    expect(sent).toContain('A: Postgres');
    expect(sent).toContain('version 16');
    stream.close();
  });

  it('keeps the task list in the session', async () => {
    const chat = await startChat();
    chat.mock.enqueue(
      {
        toolCalls: [
          {
            name: 'todo_write',
            input: {
              todos: [
                { content: 'Read the code', status: 'completed' },
                { content: 'Fix the bug', status: 'in_progress' },
              ],
            },
          },
        ],
      },
      { text: 'ok' },
    );
    const id = await chat.newSession();
    const events = await chat.run(id, 'work');
    expect(events.find((e) => e.type === 'tool.completed').result.content).toBe('Task list saved: 1 of 2 done.');
    const state: any = await (await chat.server.fetch(`/api/sessions/${id}/state`)).json();
    expect(state.todos.map((t: any) => t.content)).toEqual(['Read the code', 'Fix the bug']);
  });

  it('offers many MCP tools by name only until tool_search reveals them', async () => {
    const chat = await startChat({ tools: () => fakeMcpTools(45) });
    chat.mock.enqueue(
      { toolCalls: [{ name: 'tool_search', input: { query: 'weather' } }] },
      { toolCalls: [{ name: 'mcp__fake__tool_7', input: { city: 'Oslo' } }] },
      { text: 'Sunny.' },
    );
    const id = await chat.newSession();
    const events = await chat.run(id, 'weather in Oslo?');
    const offered = (i: number) => (chat.mock.requests[i]!.body.tools as any[]).map((t) => t.function.name);
    expect(offered(0)).not.toContain('mcp__fake__tool_7');
    expect(offered(0)).toContain('tool_search');
    expect(
      chat.mock.requests[0]!.body.tools.find((t: any) => t.function.name === 'tool_search').function.description,
    ).toContain('mcp__fake__tool_7');
    expect(offered(1)).toContain('mcp__fake__tool_7');
    expect(offered(1)).not.toContain('mcp__fake__tool_8');
    expect(events.filter((e) => e.type === 'tool.completed').map((e) => e.result.content)).toEqual([
      expect.stringContaining('Looks up the weather'),
      'fake tool 7 ran',
    ]);
  });

  it('lists tools with their source and schema, and never offers a disabled one', async () => {
    const chat = await startChat();
    const list: any = await (await chat.server.fetch('/api/tools')).json();
    expect(list.tools.map((t: any) => t.name)).toEqual([
      'agent',
      'agent_status',
      'agent_wait',
      'ask_user_question',
      'bash',
      'brief',
      'edit',
      'enter_plan_mode',
      'exit_plan_mode',
      'glob',
      'grep',
      'jsexec',
      'read',
      'skill',
      'sleep',
      'todo_write',
      'tool_search',
      'web_fetch',
      'word_count',
      'write',
    ]);
    expect(list.offeredTokens).toBeGreaterThan(500);
    expect(list.tools.find((t: any) => t.name === 'sleep')).toMatchObject({
      tokens: expect.any(Number),
      permissionLevel: 'read',
      source: 'native',
      enabled: true,
      onRequest: true,
      inputSchema: { type: 'object' },
    });
    expect(list.tools.find((t: any) => t.name === 'read')).toMatchObject({ onRequest: false });
    expect(list.tools.find((t: any) => t.name === 'web_fetch')).toMatchObject({
      permissionLevel: 'network',
      source: 'sandboxed',
    });
    expect(
      (await chat.server.fetch('/api/tools/sleep', { method: 'PUT', body: JSON.stringify({ enabled: false }) })).status,
    ).toBe(200);
    expect(
      (await chat.server.fetch('/api/tools/nothing', { method: 'PUT', body: JSON.stringify({ enabled: false }) }))
        .status,
    ).toBe(404);
    chat.mock.enqueue({ text: 'hi' });
    const id = await chat.newSession();
    await chat.run(id, 'hi');
    const tools = chat.mock.requests[0]!.body.tools as any[];
    expect(tools.map((t) => t.function.name)).not.toContain('sleep');
    // Not even by name, behind tool_search (where sleep waits when it is on).
    expect(tools.find((t) => t.function.name === 'tool_search').function.description).not.toContain('sleep');
  });
});

describe('headless runs', () => {
  async function headless(mode?: 'acceptEdits') {
    const mock = await startMock();
    const dir = await tempDir();
    const workspace = await openWorkspace(dir);
    await workspace.settings.patch(mockProviderSettings(mock));
    const runtime = await createRuntime(workspace, { logger: silentLogger });
    const session = await runtime.sessions.create();
    mock.enqueue(writeCall('out.txt', 'headless'), { text: 'finished' });
    const spec = await runtime.workspaceSpec(
      { text: 'write it', ...(mode ? { permissionMode: mode } : {}) },
      { watched: false, unattended: 'deny' },
    );
    const { done } = await runtime.runner.start(session.id, spec);
    const outcome = await done;
    const { events } = await runtime.sessions.read(session.id);
    await runtime.close();
    return { dir, outcome, events, mock };
  }

  it('denies a call that needs approval at once, in the output and in the session', async () => {
    const { dir, outcome, events, mock } = await headless();
    expect(outcome.status).toBe('finished');
    const result = events.find((e) => e.type === 'tool.completed')!.result as { content: string };
    expect(result.content).toMatch(/nobody can approve it in a run no one watches.*allow write\(out\.txt\)/);
    expect(events.find((e) => e.type === 'approval.resolved')).toMatchObject({ outcome: 'auto_deny' });
    expect(JSON.stringify(mock.requests[1]!.body.messages)).toContain('needs approval');
    await expect(readFile(join(dir, 'out.txt'))).rejects.toThrow();
  });

  it('runs it with acceptEdits', async () => {
    const { dir, events } = await headless('acceptEdits');
    expect(events.some((e) => e.type === 'approval.requested')).toBe(false);
    expect(await readFile(join(dir, 'out.txt'), 'utf8')).toBe('headless');
  });
});
