import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports';
import { type WireFormat, startChat } from '../helpers/chat';

const types = (events: any[]) =>
  events.map((e) => e.type).filter((t) => t !== 'message.delta' && t !== 'context.measured');

describe.each<WireFormat>(['openai', 'anthropic'])('a chat run in the %s wire format', (format) => {
  it('runs a multi-step tool-calling conversation and stores it', async () => {
    const chat = await startChat({ format });
    chat.mock.enqueue(
      {
        text: 'Let me wait. ',
        toolCalls: [
          { name: 'sleep', input: { ms: 5 } },
          { name: 'brief', input: { message: 'half way' } },
        ],
        usage: { inputTokens: 100, outputTokens: 20 },
      },
      { text: ['All ', 'done', '.'], usage: { inputTokens: 150, outputTokens: 5 } },
    );
    const id = await chat.newSession();
    const events = await chat.run(id, 'Please wait a moment');

    expect(types(events)).toEqual([
      'run.started',
      'message.user',
      'usage',
      'message.completed',
      'tool.started',
      'tool.started',
      'tool.completed',
      'tool.completed',
      'usage',
      'message.completed',
      'run.completed',
    ]);
    const [first, second] = events.filter((e) => e.type === 'message.completed');
    expect(first.toolCalls.map((c: any) => c.name)).toEqual(['sleep', 'brief']);
    expect(second.text).toBe('All done.');
    expect(events.at(-1)).toMatchObject({ status: 'finished', turns: 2 });
    const sleep = events.find((e) => e.type === 'tool.completed' && e.name === 'sleep');
    expect(sleep.result.content).toMatch(/^Waited \d+ ms\.$/);

    // The second model request carried both tool results back.
    const followUp = JSON.stringify(chat.mock.requests[1]!.body.messages);
    expect(followUp).toContain('Waited');
    expect(followUp).toContain('The user has been shown the message.');

    const stored = await chat.session(id);
    expect(stored.session.title).toBe('Please wait a moment');
    expect(stored.session.messageCount).toBe(3);
    expect(stored.events.some((e: any) => e.type === 'message.delta')).toBe(false);
    expect(stored.events.map((e: any) => e.type)).toEqual(types(events));
  });

  it('continues a session with its full history', async () => {
    const chat = await startChat({ format });
    chat.mock.enqueue({ text: 'First answer.' }, { text: 'Second answer.' });
    const id = await chat.newSession();
    await chat.run(id, 'first question');
    await chat.run(id, 'second question');
    const sent = JSON.stringify(chat.mock.requests[1]!.body.messages);
    expect(sent).toContain('first question');
    expect(sent).toContain('First answer.');
    expect(sent).toContain('second question');
  });

  it('turns a 401 into a clear error with the provider text', async () => {
    const chat = await startChat({ format, mockOptions: { apiKey: 'right-key' }, apiKey: 'wrong-key' });
    const id = await chat.newSession();
    const events = await chat.run(id, 'hello');
    const done = events.at(-1);
    expect(done).toMatchObject({ type: 'run.completed', status: 'error', error: { code: 'auth' } });
    expect(done.error.message).toMatch(/rejected the API key \(401\)/);
    expect(done.error.message).toMatch(format === 'openai' ? /Incorrect API key provided/ : /invalid x-api-key/);
    expect(chat.mock.requests).toHaveLength(1);
  });
});

describe('the agent loop', () => {
  it('streams deltas over SSE in order with increasing ids', async () => {
    const chat = await startChat();
    const chunks = Array.from({ length: 40 }, (_, i) => `w${i} `);
    chat.mock.enqueue({ text: chunks });
    const id = await chat.newSession();
    const stream = await chat.events(id);
    const { body } = await chat.send(id, 'count');
    await stream.waitFor((d) => d.type === 'run.completed' && d.runId === body.runId);
    const deltas = stream.messages.filter((m) => m.data.type === 'message.delta');
    expect(deltas.map((m) => m.data.text).join('')).toBe(chunks.join(''));
    const ids = stream.messages.filter((m) => m.id).map((m) => Number(m.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    stream.close();
  });

  it('shows the same live stream to two tabs and replays from Last-Event-ID', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ text: ['a', 'b', 'c', 'd'], chunkDelayMs: 20 });
    const id = await chat.newSession();
    const [tab1, tab2] = await Promise.all([chat.events(id), chat.events(id)]);
    const { body } = await chat.send(id, 'go');
    await Promise.all([tab1, tab2].map((t) => t.waitFor((d) => d.type === 'run.completed' && d.runId === body.runId)));
    const seen = (t: typeof tab1) => t.messages.filter((m) => m.id).map((m) => `${m.id}:${m.data.type}`);
    expect(seen(tab1)).toEqual(seen(tab2));

    const midway = Number(tab1.messages.find((m) => m.data.type === 'message.user')!.id);
    const replay = await chat.events(id, midway);
    await replay.waitFor((d) => d.type === 'run.completed');
    const replayed = replay.messages.filter((m) => m.id).map((m) => Number(m.id));
    expect(replayed[0]).toBeGreaterThan(midway);
    expect(replay.messages.some((m) => m.data.type === 'message.completed')).toBe(true);
    for (const t of [tab1, tab2, replay]) t.close();
  });

  it('refuses a second message while a run is going on (409)', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ text: ['slow ', 'reply'], chunkDelayMs: 300 });
    const id = await chat.newSession();
    expect((await chat.send(id, 'one')).status).toBe(202);
    const second = await chat.send(id, 'two');
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('run_in_progress');
    await chat.server.fetch(`/api/sessions/${id}/cancel`, { method: 'POST' });
  });

  it('cancels mid-stream, keeping and marking the partial text', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ text: Array.from({ length: 50 }, (_, i) => `part${i} `), chunkDelayMs: 40 });
    const id = await chat.newSession();
    const stream = await chat.events(id);
    await chat.send(id, 'write a lot');
    await stream.waitFor((d) => d.type === 'message.delta' && d.text === 'part2 ');
    const cancel = await chat.server.fetch(`/api/sessions/${id}/cancel`, { method: 'POST' });
    expect(await cancel.json()).toEqual({ cancelled: true });
    const done = await stream.waitFor((d) => d.type === 'run.completed');
    expect(done.data.status).toBe('cancelled');
    const completed = stream.messages.find((m) => m.data.type === 'message.completed')!.data;
    expect(completed.interrupted).toBe(true);
    expect(completed.text.startsWith('part0 part1 part2 ')).toBe(true);
    expect(completed.text.length).toBeLessThan(50 * 6);
    const stored = await chat.session(id);
    expect(stored.events.find((e: any) => e.type === 'message.completed').text).toBe(completed.text);
    expect(stored.session.running).toBe(false);
    stream.close();
  });

  it('cancels a tool in flight', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ toolCalls: [{ name: 'sleep', input: { ms: 60_000 } }] });
    const id = await chat.newSession();
    const stream = await chat.events(id);
    await chat.send(id, 'sleep long');
    await stream.waitFor((d) => d.type === 'tool.started');
    await chat.server.fetch(`/api/sessions/${id}/cancel`, { method: 'POST' });
    // Cancelled, not finished: the minute's sleep did not run out (the test would have timed out first).
    const tool = await stream.waitFor((d) => d.type === 'tool.completed');
    expect(tool.data.result).toMatchObject({ isError: true, metadata: { cancelled: true } });
    expect((await stream.waitFor((d) => d.type === 'run.completed')).data.status).toBe('cancelled');
    stream.close();
  });

  it('retries a 500 and then succeeds', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ error: { status: 500, message: 'upstream exploded' } }, { text: 'recovered' });
    const id = await chat.newSession();
    const events = await chat.run(id, 'hi');
    const retry = events.find((e) => e.type === 'model.retry');
    expect(retry).toMatchObject({ attempt: 1 });
    expect(retry.reason).toMatch(/500.*upstream exploded/);
    expect(events.at(-1)).toMatchObject({ status: 'finished' });
    expect(events.find((e) => e.type === 'message.completed').text).toBe('recovered');
  });

  it('retries a 429, a dropped connection and a stalled stream', async () => {
    const chat = await startChat({ agent: { stallTimeoutMs: 1000 } });
    chat.mock.enqueue(
      { error: { status: 429, message: 'slow down', headers: { 'retry-after': '0' } } },
      { text: ['half ', 'way ', 'there'], dropAfterChunks: 2 },
      { text: ['stuck ', 'here'], stallAfterChunks: 2 },
      { text: 'finally' },
    );
    const id = await chat.newSession();
    const events = await chat.run(id, 'hi');
    const reasons = events.filter((e) => e.type === 'model.retry').map((e) => e.reason);
    expect(reasons).toHaveLength(3);
    expect(reasons[0]).toMatch(/429/);
    expect(reasons[1]).toMatch(/connection|reach/i);
    expect(reasons[2]).toMatch(/sent nothing for 1 s/);
    expect(events.find((e) => e.type === 'message.completed').text).toBe('finally');
  });

  it('gives up after the retry budget with a clear error', async () => {
    const chat = await startChat({ agent: { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5 } } });
    chat.mock.setFallback({ error: { status: 503, message: 'overloaded' } });
    const id = await chat.newSession();
    const events = await chat.run(id, 'hi');
    expect(events.at(-1)).toMatchObject({ status: 'error', error: { code: 'provider_error' } });
    expect(events.at(-1).error.message).toMatch(/overloaded.*after 2 attempts/);
  });

  it('names an unknown model and a context overflow', async () => {
    const chat = await startChat();
    chat.mock.enqueue(
      { error: { status: 404, message: 'The model `nope` does not exist' } },
      { error: { status: 400, message: "This model's maximum context length is 8192 tokens" } },
    );
    const id = await chat.newSession();
    const first = (await chat.run(id, 'a')).at(-1);
    expect(first.error.code).toBe('model_not_found');
    expect(first.error.message).toMatch(/does not exist/);
    const second = (await chat.run(id, 'b')).at(-1);
    expect(second.error.code).toBe('context_overflow');
  });

  it('reports a provider that is down', async () => {
    const chat = await startChat({ agent: { retry: { maxAttempts: 1 } } });
    const closed = await freePort();
    await chat.server.server.context.workspace.settings.patch({
      providers: { mock: { baseURL: `http://127.0.0.1:${closed}/v1` } },
    });
    const id = await chat.newSession();
    const done = (await chat.run(id, 'hi')).at(-1);
    expect(done.error.code).toBe('provider_down');
    expect(done.error.message).toContain(
      `Cannot reach the provider "mock" at http://127.0.0.1:${closed}/v1 (ECONNREFUSED)`,
    );
  });

  it('returns invalid tool arguments and unknown tools to the model as tool errors', async () => {
    const chat = await startChat();
    chat.mock.enqueue(
      {
        toolCalls: [
          { name: 'sleep', rawArguments: '{"ms": ' },
          { name: 'teleport', input: {} },
          { name: 'sleep', input: { ms: 'soon' } },
        ],
      },
      { text: 'sorry' },
    );
    const id = await chat.newSession();
    const events = await chat.run(id, 'go');
    const results = events.filter((e) => e.type === 'tool.completed').map((e) => e.result);
    expect(results.every((r) => r.isError)).toBe(true);
    expect(results[0].content).toMatch(/could not be used/);
    expect(results[1].content).toMatch(/teleport/);
    expect(results[2].content).toMatch(/Invalid input for sleep: ms/);
    expect(events.at(-1)).toMatchObject({ status: 'finished' });
    expect(JSON.stringify(chat.mock.requests[1]!.body.messages)).toContain('could not be used');
  });

  it('continues after the output limit and nudges once after an empty reply', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ text: 'The first half', finishReason: 'length' }, { text: '' }, { text: ' and the rest.' });
    const id = await chat.newSession();
    const events = await chat.run(id, 'write');
    const synthetic = events.filter((e) => e.type === 'message.user' && e.synthetic);
    expect(synthetic.map((e) => e.text)).toEqual([
      expect.stringMatching(/cut off by the output limit/),
      expect.stringMatching(/reply was empty/),
    ]);
    expect(events.at(-1)).toMatchObject({ status: 'finished', turns: 3 });
  });

  it('stops at the turn limit, counting every model call', async () => {
    const chat = await startChat();
    chat.mock.setFallback({ toolCalls: [{ name: 'sleep', input: { ms: 1 } }] });
    const id = await chat.newSession();
    const events = await chat.run(id, 'loop', { maxTurns: 3 });
    expect(events.at(-1)).toMatchObject({ status: 'max_turns', turns: 3 });
    expect(chat.mock.requests).toHaveLength(3);
  });

  it('uses the model chosen per message and refuses an unknown one', async () => {
    const chat = await startChat();
    await chat.server.server.context.workspace.settings.patch({ providers: { mock: { models: { other: {} } } } });
    chat.mock.enqueue({ text: 'hi' });
    const id = await chat.newSession();
    await chat.run(id, 'x', { model: 'mock/other' });
    expect(chat.mock.requests[0]!.body.model).toBe('other');
    const bad = await chat.send(id, 'y', { model: 'nowhere/thing' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/No provider "nowhere"/);
  });

  it('records usage and cost per call and answers /api/usage', async () => {
    const chat = await startChat();
    await chat.server.server.context.workspace.settings.patch({
      providers: { mock: { models: { 'mock-model': { pricing: { input: 1, output: 2 } } } } },
    });
    chat.mock.enqueue(
      { toolCalls: [{ name: 'sleep', input: { ms: 1 } }], usage: { inputTokens: 1_000_000, outputTokens: 500_000 } },
      { text: 'ok', usage: { inputTokens: 10, outputTokens: 10 } },
    );
    const id = await chat.newSession();
    await chat.run(id, 'spend');
    const lines = (await readFile(join(chat.server.workspaceDir, '.boxagnts', 'usage.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      sessionId: id,
      provider: 'mock',
      model: 'mock-model',
      inputTokens: 1_000_000,
      outputTokens: 500_000,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 2,
    });
    const byModel: any = await (await chat.server.fetch('/api/usage?groupBy=model')).json();
    expect(byModel.groups).toEqual([
      expect.objectContaining({ key: 'mock/mock-model', calls: 2, inputTokens: 1_000_010 }),
    ]);
    const bySession: any = await (await chat.server.fetch('/api/usage?groupBy=session&from=2000-01-01')).json();
    expect(bySession.groups[0].key).toBe(id);
    const future: any = await (await chat.server.fetch('/api/usage?from=2999-01-01')).json();
    expect(future.total.calls).toBe(0);
    expect((await chat.server.fetch('/api/usage?groupBy=week')).status).toBe(400);
  });

  it('puts AGENTS.md, the workspace name and no host path into the system prompt', async () => {
    const chat = await startChat();
    const put = await chat.server.fetch('/api/agents-md', {
      method: 'PUT',
      body: JSON.stringify({ content: 'Always answer in haiku.' }),
    });
    expect(put.status).toBe(200);
    chat.mock.enqueue({ text: 'ok' });
    const id = await chat.newSession();
    await chat.run(id, 'hi');
    const system = JSON.stringify(chat.mock.requests[0]!.body.messages[0]);
    expect(system).toContain('Always answer in haiku.');
    expect(system).toContain(chat.server.workspaceDir.split('/').pop());
    expect(JSON.stringify(chat.mock.requests[0]!.body)).not.toContain(chat.server.workspaceDir);
  });
});
