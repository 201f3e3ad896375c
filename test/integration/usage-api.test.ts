import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageReportSchema } from '../../src/contract/usage';
import { type ChatHarness, startChat } from '../helpers/chat';
import { scriptConversations } from '../helpers/conversations';

const agentCall = (input: Record<string, unknown>) => ({ name: 'agent', input });
/** $1,000 per million tokens in and out: 15 tokens (the mock's default call) cost $0.015. */
const PRICED_MODEL = { pricing: { input: 1000, output: 1000 } };

const usageLines = async (chat: ChatHarness): Promise<any[]> =>
  (await readFile(join(chat.server.workspaceDir, '.boxagnts', 'usage.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

async function report(chat: ChatHarness, query: string) {
  const response = await chat.server.fetch(`/api/usage?${query}`);
  expect(response.status).toBe(200);
  // The dashboard parses the answer with this schema: it must fit.
  return UsageReportSchema.parse(await response.json());
}

describe('GET /api/usage', () => {
  it('marks a call to a model without a price as of unknown cost: in the event, the log and the totals', async () => {
    const chat = await startChat();
    await chat.server.server.context.workspace.settings.patch({
      providers: { mock: { models: { priced: PRICED_MODEL } } },
    });
    chat.mock.enqueue({ text: 'priced answer' }, { text: 'unpriced answer' });
    const id = await chat.newSession();
    const priced = await chat.run(id, 'first', { model: 'mock/priced' });
    const unpriced = await chat.run(id, 'second');

    const usageEvent = (events: any[]) => events.find((e) => e.type === 'usage');
    expect(usageEvent(priced)).toMatchObject({ model: 'priced', costUsd: 0.015 });
    expect(usageEvent(priced)).not.toHaveProperty('costKnown');
    expect(usageEvent(unpriced)).toMatchObject({ model: 'mock-model', costUsd: 0, costKnown: false });
    const lines = await usageLines(chat);
    expect(lines.map((l) => [l.model, l.costKnown])).toEqual([
      ['priced', undefined],
      ['mock-model', false],
    ]);

    const byModel = await report(chat, 'groupBy=model');
    expect(byModel.total).toMatchObject({ calls: 2, costUsd: 0.015, unpricedCalls: 1 });
    expect(byModel.groups.map((g) => [g.key, g.calls, g.unpricedCalls])).toEqual([
      ['mock/priced', 1, 0],
      ['mock/mock-model', 1, 1],
    ]);
  });

  it('rolls child runs up into the session that started them, with titles, and groups by agent type', async () => {
    const chat = await startChat();
    await chat.server.server.context.workspace.settings.patch({
      providers: { mock: { models: { 'mock-model': PRICED_MODEL } } },
      permissions: { rules: ['allow agent(general)', 'allow agent(explore)'] },
    });
    scriptConversations(chat.mock, {
      'PARENT-RUN': [
        { toolCalls: [agentCall({ description: 'Survey the code', prompt: 'CHILD-RUN: look' })] },
        { text: 'Parent done.', usage: { inputTokens: 1000, outputTokens: 10, cacheReadTokens: 800 } },
      ],
      'CHILD-RUN': [
        { toolCalls: [agentCall({ description: 'Look deeper', prompt: 'GRAND-RUN: deeper', agent_type: 'explore' })] },
        { text: 'Child done.' },
      ],
      'GRAND-RUN': [{ text: 'Nothing odd.' }],
      'SOLO-RUN': [{ text: 'Alone.' }],
    });
    const parent = await chat.newSession();
    await chat.run(parent, 'PARENT-RUN: check everything');
    const solo = await chat.newSession();
    await chat.run(solo, 'SOLO-RUN please');

    const lines = await usageLines(chat);
    const child = lines.find((l) => l.agentType === 'general').sessionId;
    const grandchild = lines.find((l) => l.agentType === 'explore').sessionId;
    expect(lines.find((l) => l.sessionId === grandchild).parentSessionId).toBe(child);

    const bySession = await report(chat, 'groupBy=session');
    expect(bySession.groups.map((g) => [g.key, g.title, g.calls, g.children?.length])).toEqual([
      [parent, 'PARENT-RUN: check everything', 5, 2],
      [solo, 'SOLO-RUN please', 1, 0],
    ]);
    const top = bySession.groups[0]!;
    // The parent's second call: 1,000 in and 10 out at $1,000 a million; the four others 15 tokens each.
    expect(top.costUsd).toBeCloseTo(1.01 + 4 * 0.015, 9);
    expect(top.children!.map((c) => [c.sessionId, c.parentSessionId, c.agentType, c.calls, c.title])).toEqual([
      [child, parent, 'general', 2, 'Survey the code'],
      [grandchild, child, 'explore', 1, 'Look deeper'],
    ]);
    // Cache hit rate: cache-read over input tokens, per group and overall.
    expect(top.cacheHitRate).toBeCloseTo(800 / (1000 + 4 * 10), 9);
    expect(bySession.total.cacheHitRate).toBeCloseTo(800 / (1000 + 5 * 10), 9);

    const byAgent = await report(chat, 'groupBy=agent');
    expect(byAgent.groups.map((g) => [g.key, g.calls])).toEqual([
      ['(plain)', 3],
      ['general', 2],
      ['explore', 1],
    ]);
    // A deleted session keeps its spending, without a title.
    expect((await chat.server.fetch(`/api/sessions/${solo}`, { method: 'DELETE' })).status).toBe(200);
    const afterDelete = await report(chat, 'groupBy=session');
    expect(afterDelete.groups.find((g) => g.key === solo)).not.toHaveProperty('title');
  });

  it('counts days in the asked time zone and refuses a zone or grouping it does not know', async () => {
    const chat = await startChat();
    const line = (time: string, costUsd: number) =>
      JSON.stringify({
        time,
        sessionId: 'ses_x',
        provider: 'mock',
        model: 'mock-model',
        inputTokens: 10,
        outputTokens: 5,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd,
      });
    await appendFile(
      join(chat.server.workspaceDir, '.boxagnts', 'usage.jsonl'),
      `${line('2026-03-01T23:30:00.000Z', 1)}\n${line('2026-03-02T12:00:00.000Z', 2)}\n`,
    );
    const utc = await report(chat, 'groupBy=day');
    expect(utc.groups.map((g) => [g.key, g.costUsd])).toEqual([
      ['2026-03-01', 1],
      ['2026-03-02', 2],
    ]);
    const tokyo = await report(chat, `groupBy=day&tz=${encodeURIComponent('Asia/Tokyo')}`);
    expect(tokyo.groups.map((g) => [g.key, g.costUsd])).toEqual([['2026-03-02', 3]]);
    const ranged = await report(chat, `from=${encodeURIComponent('2026-03-02T00:00:00+09:00')}&to=2026-03-02T12:00Z`);
    expect(ranged.total.costUsd).toBe(1);

    const badZone = await chat.server.fetch('/api/usage?tz=Mars/Olympus');
    expect(badZone.status).toBe(400);
    expect(((await badZone.json()) as any).error.message).toMatch(/^tz: must be an IANA time zone/);
    expect((await chat.server.fetch('/api/usage?groupBy=week')).status).toBe(400);
    expect((await chat.server.fetch('/api/usage.csv?from=yesterday')).status).toBe(400);
  });
});

describe('GET /api/usage.csv', () => {
  it('exports one row per group with a header, quoting titles and leaving an unknown cost empty', async () => {
    const chat = await startChat();
    await chat.server.server.context.workspace.settings.patch({
      providers: { mock: { models: { priced: PRICED_MODEL } } },
    });
    chat.mock.enqueue({ text: 'a' }, { text: 'b', usage: { inputTokens: 100, outputTokens: 5, cacheReadTokens: 25 } });
    const priced = await chat.newSession();
    await chat.run(priced, 'priced run', { model: 'mock/priced' });
    const unpriced = await chat.newSession();
    await chat.run(unpriced, 'unpriced run');
    const title = '=SUM(1, 2) "quoted"';
    const rename = await chat.server.fetch(`/api/sessions/${unpriced}`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ title }),
    });
    expect(rename.status).toBe(200);

    const response = await chat.server.fetch('/api/usage.csv?groupBy=session&from=2000-01-01');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="usage-by-session.csv"');
    const text = await response.text();
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.trimEnd().split('\r\n')).toEqual([
      'session_id,title,child_sessions,calls,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,cache_hit_rate,cost_usd,unpriced_calls',
      `${priced},priced run,0,1,10,5,0,0,0,0.015,0`,
      // A formula-like title stays text; its comma and quotes are quoted; no price known: no cost, not 0.
      `${unpriced},"'=SUM(1, 2) ""quoted""",0,1,100,5,25,0,0.25,,1`,
    ]);

    const byModel = await (await chat.server.fetch('/api/usage.csv?groupBy=model')).text();
    expect(byModel.split('\r\n')[0]).toMatch(/^model,calls,/);
    expect(byModel).toContain('mock/priced,1,');
    const empty = await (await chat.server.fetch('/api/usage.csv?from=2999-01-01')).text();
    expect(empty).toBe(
      'day,calls,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,cache_hit_rate,cost_usd,unpriced_calls\r\n',
    );
  });
});
