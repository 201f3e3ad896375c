import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ExportPreviewSchema } from '../../src/contract/sessions';
import { defineTool } from '../../src/tools/tool';
import type { StoredEvent } from '../../src/workspace/sessions';
import { startChat } from '../helpers/chat';
import { SHAPES } from '../helpers/secret-shapes';
import { startTestServer } from '../helpers/server';

const BEARER = 'Qx7Lm2Np9Rt4Vw8Yz1Bc';
/** A named secret (secrets.json `values`) stored after the session was recorded, so only an export can take it out. */
const NAMED = 'correct-horse-battery-staple-42';
const CONFIG = [
  // Labels that are not themselves a credential's (`api-key: …` is one, and would be taken out as it is stored).
  ...Object.values(SHAPES).map((secret, i) => `value ${i + 1}: ${secret}`),
  `curl -H "Authorization: Bearer ${BEARER}" https://api.example.com`,
].join('\n');

/** A tool whose output is a file full of credentials, as `cat .env` would give. */
const showConfig = defineTool({
  name: 'show_config',
  description: 'Shows the deployment configuration.',
  permissionLevel: 'read',
  input: z.strictObject({}),
  async execute() {
    return { content: CONFIG };
  },
});

const TIME = '2025-05-01T10:00:00.000Z';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** A session's events written by hand: every kind the HTML export shows, with hostile Markdown and HTML in it. */
function handWrittenEvents(): StoredEvent[] {
  const run = { runId: 'run_1' };
  const events: { type: string; [key: string]: unknown }[] = [
    { type: 'run.started', ...run, model: 'mock/mock-model', maxTurns: 10 },
    {
      type: 'message.user',
      ...run,
      messageId: 'msg_u1',
      text: 'Look at <script>alert(1)</script> and <img src=x onerror=alert(2)>',
    },
    {
      type: 'message.completed',
      ...run,
      messageId: 'msg_a1',
      model: 'mock/mock-model',
      text: [
        '# Findings',
        '',
        'Some **bold** text, [a bad link](javascript:alert(3)), [the docs](https://example.com/docs)',
        'and ![a tracker](https://tracker.example.com/pixel.png).',
        '',
        '<iframe src="https://evil.example.com"></iframe>',
        '',
        '- [x] read the tests',
        '',
        '```js',
        'const tag = "<b>";',
        '```',
      ].join('\n'),
      reasoning: 'Thinking it over.',
      toolCalls: [
        { callId: 'call_1', name: 'screenshot', input: { url: 'http://localhost:3000' } },
        { callId: 'call_2', name: 'agent', input: { description: 'check the tests', prompt: 'Run the tests' } },
      ],
      finishReason: 'tool-calls',
      modelMessage: { role: 'assistant', content: [] },
    },
    {
      type: 'tool.completed',
      ...run,
      messageId: 'msg_a1',
      callId: 'call_1',
      name: 'screenshot',
      result: {
        content: [
          { type: 'text', text: 'Captured the page.' },
          { type: 'image', mediaType: 'image/png', data: PNG },
        ],
      },
      durationMs: 12,
    },
    {
      type: 'agent.spawned',
      ...run,
      callId: 'call_2',
      childId: 'ses_child00000000000000',
      agentType: 'explore',
      description: 'check the tests',
      background: false,
      isolation: 'none',
      queued: false,
    },
    {
      type: 'agent.completed',
      ...run,
      callId: 'call_2',
      childId: 'ses_child00000000000000',
      agentType: 'explore',
      background: false,
      status: 'finished',
      turns: 3,
      usage: { inputTokens: 2000, outputTokens: 100, costUsd: 0.5 },
      text: 'All **42** tests pass.',
      filesChanged: ['src/a.ts'],
    },
    {
      type: 'tool.completed',
      ...run,
      messageId: 'msg_a1',
      callId: 'call_2',
      name: 'agent',
      result: { content: 'All 42 tests pass.' },
      durationMs: 900,
    },
    {
      type: 'usage',
      ...run,
      provider: 'mock',
      model: 'mock-model',
      inputTokens: 1500,
      outputTokens: 60,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0.25,
    },
    { type: 'run.completed', ...run, status: 'cancelled', turns: 1 },
  ];
  return events.map((e, i) => ({ ...e, id: i + 1, time: TIME }));
}

/** Every tag of an HTML text, with its attributes. */
const tags = (html: string) => [...html.matchAll(/<[a-z][^>]*>/gi)].map((m) => m[0]);

describe('exporting a session', () => {
  it('takes every secret shape and a secrets.json value out of each format, and previews what it takes', async () => {
    const chat = await startChat({ tools: () => [showConfig] });
    chat.mock.enqueue(
      { toolCalls: [{ name: 'show_config', input: {} }] },
      { text: `Your AWS key is ${SHAPES['aws-access-key']}; keep it safe.` },
    );
    const id = await chat.newSession();
    await chat.run(id, `Deploy with the password ${NAMED}, and show me the configuration.`);
    await chat.server.server.context.workspace.secrets.setSecret('deploy-password', NAMED);

    // The session itself is not rewritten: the export does the work.
    const file = await readFile(join(chat.server.workspaceDir, '.boxagnts', 'sessions', `${id}.jsonl`), 'utf8');
    expect(file).toContain(SHAPES['aws-access-key']);
    expect(file).toContain(NAMED);
    // A sent credential was taken out already when the event was stored.
    expect(file).not.toContain(BEARER);

    const secrets = [...Object.values(SHAPES), BEARER, NAMED];
    for (const format of ['html', 'markdown', 'json']) {
      const res = await chat.server.fetch(`/api/sessions/${id}/export?format=${format}`);
      expect(res.status, format).toBe(200);
      const text = await res.text();
      expect(text, format).toContain('[redacted]');
      expect(text, format).toContain('keep it safe');
      // The JSON escapes line breaks, so the private key is looked for by its lines.
      for (const secret of secrets)
        for (const line of secret.split('\n')) expect(text, `${format}: ${line}`).not.toContain(line);
    }

    const events = (await chat.session(id)).events as StoredEvent[];
    const eventOf = (type: string) => events.find((e) => e.type === type)!.id;
    const lastOf = (type: string) => events.filter((e) => e.type === type).at(-1)!.id;
    const preview = ExportPreviewSchema.parse(
      await (await chat.server.fetch(`/api/sessions/${id}/export/preview`)).json(),
    );
    const seen = preview.findings.map((f) => `${f.eventId} ${f.kind}`).sort();
    expect(seen).toEqual(
      [
        ...Object.keys(SHAPES).map((kind) => `${eventOf('tool.completed')} ${kind}`),
        // Said in the reply's text and again in its model message: one finding.
        `${lastOf('message.completed')} aws-access-key`,
        `${eventOf('message.user')} stored`,
        // The session's title is the first message.
        'null stored',
      ].sort(),
    );
    expect(preview.total).toBe(preview.findings.length);
    for (const finding of preview.findings) {
      expect(finding.excerpt).toContain('[redacted]');
      for (const secret of secrets) expect(finding.excerpt).not.toContain(secret.split('\n')[0]);
    }
    expect(preview.findings).toContainEqual({
      kind: 'stored',
      excerpt: 'Deploy with the password [redacted], and show me the configuration.',
      eventId: eventOf('message.user'),
      eventType: 'message.user',
    });
    expect(preview.findings).toContainEqual({
      kind: 'slack-token',
      excerpt: '…[redacted] value 2: [redacted] value 3: [redacted] value 4: [redacted] value 5: [redacted]…',
      eventId: eventOf('tool.completed'),
      eventType: 'tool.completed',
    });
  });

  it('writes a page with no script and no request, its Markdown rendered safely, tools and agents shown', async () => {
    const s = await startTestServer();
    const { sessions } = s.server.context.runtime;
    const { id } = await sessions.create({ title: 'Review <the> tests', events: handWrittenEvents() });
    const res = await s.fetch(`/api/sessions/${id}/export?format=html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${id}.html"`);
    const html = await res.text();

    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">`,
    );
    for (const tag of tags(html)) {
      expect(tag).not.toMatch(/^<(script|iframe|object|embed|link|form|base|input)\b/i);
      expect(tag).not.toMatch(/\son\w+\s*=/i);
      const src = /\ssrc="([^"]*)"/.exec(tag)?.[1];
      if (src !== undefined) expect(src).toMatch(/^data:image\/png;base64,/);
      const href = /\shref="([^"]*)"/.exec(tag)?.[1];
      if (href !== undefined) expect(href).toMatch(/^https:\/\//);
    }
    expect(html).not.toContain('javascript:');
    // A picture from elsewhere is a link to it, not a request for it.
    expect(html).toContain(
      '<a href="https://tracker.example.com/pixel.png" rel="noopener noreferrer">[image: a tracker]</a>',
    );

    expect(html).toContain('<title>Review &#60;the&#62; tests</title>');
    expect(html).toContain('<h1>Review &#60;the&#62; tests</h1>');
    expect(html).toContain(
      'Look at &#60;script&#62;alert(1)&#60;/script&#62; and &#60;img src=x onerror=alert(2)&#62;',
    );
    expect(html).toContain('<h3>Findings</h3>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('a bad link');
    expect(html).toContain('<a href="https://example.com/docs" rel="noopener noreferrer">the docs</a>');
    expect(html).toContain('&#60;iframe src=&#34;https://evil.example.com&#34;&#62;');
    expect(html).toContain('<code class="language-js">const tag = &quot;&lt;b&gt;&quot;;');
    expect(html).toContain('<li><span role="img" aria-label="done">☑</span> read the tests</li>');
    expect(html).toContain('<summary>Reasoning</summary>');

    expect(html).toMatch(
      /<span class="tool-name">screenshot<\/span>[\s\S]*&#34;url&#34;: &#34;http:\/\/localhost:3000&#34;/,
    );
    expect(html).toContain(
      `<details><summary>Output · 1 line · 1 image</summary><pre>Captured the page.</pre><img src="data:image/png;base64,${PNG}"`,
    );
    expect(html).toMatch(/<strong>explore agent<\/strong> — check the tests/);
    expect(html).toContain('finished · 3 turns · 2.0k in · 100 out · $0.5000');
    expect(html).toContain('All <strong>42</strong> tests pass.');
    expect(html).toContain('<code>src/a.ts</code>');
    expect(html).toContain('Run ended: cancelled');

    expect(html).toContain('<dt>Model</dt><dd>mock/mock-model</dd>');
    expect(html).toContain('<dt>Usage</dt><dd>1.5k in · 60 out · $0.2500</dd>');
    expect(html).toContain('<dt>Agents (1)</dt><dd>2.0k in · 100 out · $0.5000</dd>');
    expect(html).toContain('<dt>Tool calls</dt><dd>2</dd>');
  });

  it('answers 400 for an unknown format and 404 for an unknown session; a clean session previews nothing', async () => {
    const s = await startTestServer();
    const { id } = await s.server.context.runtime.sessions.create({ title: 'Clean', events: handWrittenEvents() });
    expect((await s.fetch(`/api/sessions/${id}/export?format=pdf`)).status).toBe(400);
    expect((await s.fetch('/api/sessions/ses_00000000000000000000/export/preview')).status).toBe(404);
    expect(await (await s.fetch(`/api/sessions/${id}/export/preview`)).json()).toEqual({ findings: [], total: 0 });
  });
});

describe('importing an export', () => {
  it('makes a new session with a new id, however often and whatever id the file names, and overwrites nothing', async () => {
    const s = await startTestServer();
    const { sessions } = s.server.context.runtime;
    const original = await sessions.create({ title: 'Original', events: handWrittenEvents() });
    const other = await sessions.create({ title: 'Other', events: handWrittenEvents().slice(0, 2) });
    const path = (id: string) => join(s.workspaceDir, '.boxagnts', 'sessions', `${id}.jsonl`);
    const before = {
      original: await readFile(path(original.id), 'utf8'),
      other: await readFile(path(other.id), 'utf8'),
    };

    const exported = (await (await s.fetch(`/api/sessions/${original.id}/export?format=json`)).json()) as {
      session: { id: string };
      events: StoredEvent[];
    };
    expect(exported.session.id).toBe(original.id);
    const importOnce = async (body: unknown) => {
      const res = await s.fetch('/api/sessions/import', { method: 'POST', body: JSON.stringify(body) });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const first = await importOnce(exported);
    const second = await importOnce(exported);
    // A file that names another existing session is still a new one.
    const third = await importOnce({ ...exported, session: { ...exported.session, id: other.id } });
    expect(new Set([original.id, other.id, first, second, third]).size).toBe(5);

    for (const id of [first, second, third]) {
      const copy = await sessions.read(id);
      expect(copy.header.id).toBe(id);
      expect(copy.summary.title).toBe('Original');
      expect(copy.events).toEqual(exported.events);
    }
    expect((await sessions.read(third)).header.importedFrom).toBe(other.id);
    expect(await readFile(path(original.id), 'utf8')).toBe(before.original);
    expect(await readFile(path(other.id), 'utf8')).toBe(before.other);
    expect(sessions.list({}).sessions).toHaveLength(5);
  });
});
