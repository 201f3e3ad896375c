import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log';
import { DiscoveryError, discoverModels } from '../../src/models/discovery';
import { Redactor } from '../../src/models/redaction';
import type { MockError, MockModelServer, RecordedRequest } from '../fixtures/mock-model/server';
import { startMock } from '../helpers/chat';
import { runCli, startTestServer } from '../helpers/server';
import { tempDir } from '../helpers/workspace';

const STORED_KEY = 'sk-stored-Zq81Xw4vR7tY2uP9mK3n';
const ENV_KEY = 'env-key-Hd62Lc0sB5gF8jW1aQ4e';
const ENV_NAME = 'BOXAGNTS_REDACTION_TEST_KEY';

afterEach(() => {
  delete process.env[ENV_NAME];
});

/** What a provider that quotes credentials answers: the Authorization header it got, and the key cut short. */
function echoKey(request: RecordedRequest): MockError {
  const header = request.headers.authorization ?? '(none)';
  const key = header.replace(/^Bearer /, '');
  return { status: 401, message: `Incorrect key: ${header} (starts ${key.slice(0, 14)}…)` };
}

/** Every 10-character piece of `key` found in `text`; a longer piece always contains one of these. */
function pieces(text: string, key: string): string[] {
  const found: string[] = [];
  for (let i = 0; i + 10 <= key.length; i++) if (text.includes(key.slice(i, i + 10))) found.push(key.slice(i, i + 10));
  return found;
}

/** A workspace whose provider `mock` points at the mock server, with no catalog refresh (no network). */
async function workspaceWith(mock: MockModelServer, provider: Record<string, unknown>): Promise<string> {
  const dir = await tempDir('boxagnts-ws-');
  await mkdir(join(dir, '.boxagnts'));
  const settings = {
    providers: {
      mock: { kind: 'openai-compatible', baseURL: `${mock.url}/v1`, models: { 'mock-model': {} }, ...provider },
    },
    defaultModel: 'mock/mock-model',
    catalog: { refreshUrl: null },
  };
  await writeFile(join(dir, '.boxagnts', 'settings.json'), JSON.stringify(settings));
  return dir;
}

/** The session's event stream as the bytes a client receives. */
async function rawEventStream(url: string, sessionId: string) {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/sessions/${sessionId}/events`, {
    headers: { Origin: url, Accept: 'text/event-stream' },
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return {
    /** Everything received once `runs` runs have completed. */
    async after(runs: number): Promise<string> {
      while ((text.match(/"run\.completed"/g) ?? []).length < runs) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the event stream ended early:\n${text}`);
        text += decoder.decode(value, { stream: true });
      }
      return text;
    },
    stop: () => controller.abort(),
  };
}

describe.each([
  { source: 'secrets.json', key: STORED_KEY },
  { source: 'an environment variable', key: ENV_KEY },
])('a provider that echoes the key from $source', ({ source, key }) => {
  it(
    'never gets the key into a response, the session file, an export, the event stream or the log',
    { timeout: 60_000 },
    async () => {
      const mock = await startMock();
      mock.setFallback((request) => ({ error: echoKey(request) }));
      mock.modelsError = echoKey;
      const fromEnv = source !== 'secrets.json';
      if (fromEnv) process.env[ENV_NAME] = key;
      const workspaceDir = await workspaceWith(mock, fromEnv ? { apiKeyEnv: ENV_NAME } : {});
      const logLines: string[] = [];
      const redactor = new Redactor();
      const logger = createLogger(redactor, {
        level: 'debug',
        destination: { write: (line: string) => void logLines.push(line) },
      });
      const s = await startTestServer({ workspaceDir, logger, redactor });
      if (!fromEnv) {
        // Set while the server runs: redaction must know a key from the moment it is stored.
        const put = await s.fetch('/api/providers/mock', {
          method: 'PUT',
          body: JSON.stringify({
            kind: 'openai-compatible',
            baseURL: `${mock.url}/v1`,
            models: { 'mock-model': {} },
            apiKey: key,
          }),
        });
        expect(put.status).toBe(200);
      }
      const seen: Record<string, string> = {};

      const test = await s.fetch('/api/providers/mock/test', { method: 'POST', body: '{}' });
      seen['connection test'] = await test.text();
      expect(JSON.parse(seen['connection test']!)).toMatchObject({
        ok: false,
        message: expect.stringContaining('Incorrect key: Bearer [redacted]'),
      });

      const discover = await s.fetch('/api/providers/mock/discover', { method: 'POST' });
      expect(discover.status).toBe(502);
      seen.discovery = await discover.text();
      expect(seen.discovery).toContain('Incorrect key: Bearer [redacted]');

      const sessionId = (
        (await (await s.fetch('/api/sessions', { method: 'POST', body: '{}' })).json()) as { id: string }
      ).id;
      const stream = await rawEventStream(s.url, sessionId);
      const send = (text: string) =>
        s.fetch(`/api/sessions/${sessionId}/messages`, { method: 'POST', body: JSON.stringify({ text }) });
      const { hub } = s.server.context.runtime;
      const firstRunOver = new Promise<void>((resolve) => {
        const off = hub.global.subscribe((e) => {
          if (e.type !== 'run.status' || e.sessionId !== sessionId || e.running) return;
          off();
          resolve();
        });
      });
      expect((await send('hello')).status).toBe(202);
      expect(await stream.after(1)).toContain('Incorrect key: Bearer [redacted]');
      await firstRunOver;
      // Any event, not only errors: a reply and a tool call that quote the key.
      mock.enqueue(
        { text: `Your key is ${key}.`, toolCalls: [{ name: 'brief', input: { message: `The key: ${key}` } }] },
        { text: 'Done.' },
      );
      expect((await send('what is my key?')).status).toBe(202);
      seen['event stream'] = await stream.after(2);
      stream.stop();
      expect(seen['event stream']).toContain('Your key is [redacted].');

      seen['session file'] = await readFile(join(workspaceDir, '.boxagnts', 'sessions', `${sessionId}.jsonl`), 'utf8');
      expect(seen['session file']).toContain('"run.completed"');
      seen['GET /api/sessions/:id'] = await (await s.fetch(`/api/sessions/${sessionId}`)).text();
      seen['JSON export'] = await (await s.fetch(`/api/sessions/${sessionId}/export?format=json`)).text();
      seen['Markdown export'] = await (await s.fetch(`/api/sessions/${sessionId}/export?format=markdown`)).text();
      expect(seen['Markdown export']).toContain('Incorrect key: Bearer [redacted]');
      await s.close();
      seen.log = logLines.join('');
      expect(seen.log).toContain('server stopped');

      // The provider did get the key and did echo it whole: what it said is kept, only the key is gone.
      expect(mock.requests.at(-1)!.headers.authorization).toBe(`Bearer ${key}`);
      for (const [where, text] of Object.entries(seen)) expect(pieces(text, key), where).toEqual([]);
    },
  );
});

describe('model discovery', () => {
  it('words its failure without the key, before any route sees it', async () => {
    const mock = await startMock();
    mock.modelsError = echoKey;
    const provider = { kind: 'openai-compatible', baseURL: `${mock.url}/v1`, enabled: true, models: {} } as const;
    const failure = await discoverModels(provider, STORED_KEY, new Redactor(() => [STORED_KEY])).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DiscoveryError);
    expect((failure as Error).message).toMatch(
      /answered 401: Incorrect key: Bearer \[redacted\] \(starts \[redacted\]…\)$/,
    );
  });
});

describe('an imported session', () => {
  it('is stored without the keys of this workspace', async () => {
    const mock = await startMock();
    const s = await startTestServer({ workspaceDir: await workspaceWith(mock, {}) });
    await s.server.context.workspace.secrets.setProviderKey('mock', STORED_KEY);
    // As exported before keys were redacted.
    const exported = {
      format: 'boxagnts.session',
      version: 1,
      session: { title: 'old session' },
      events: [
        {
          id: 1,
          time: '2025-01-01T00:00:00.000Z',
          type: 'message.user',
          runId: 'run_1',
          messageId: 'msg_1',
          text: `my key is ${STORED_KEY}`,
        },
      ],
    };
    const imported = await s.fetch('/api/sessions/import', { method: 'POST', body: JSON.stringify(exported) });
    expect(imported.status).toBe(201);
    const { id } = (await imported.json()) as { id: string };
    const file = await readFile(join(s.workspaceDir, '.boxagnts', 'sessions', `${id}.jsonl`), 'utf8');
    expect(file).toContain('my key is [redacted]');
    expect(pieces(file, STORED_KEY)).toEqual([]);
    expect(pieces(await (await s.fetch(`/api/sessions/${id}`)).text(), STORED_KEY)).toEqual([]);
  });
});

describe('boxagnts run with a provider that echoes the key', () => {
  // Six runs of the CLI, each a fresh process: given time on a busy machine.
  it('prints neither the key nor a piece of it, in any output format', { timeout: 180_000 }, async () => {
    const mock = await startMock();
    mock.setFallback((request) => ({ error: echoKey(request) }));
    const dir = await workspaceWith(mock, { apiKeyEnv: ENV_NAME });
    const env = { [ENV_NAME]: ENV_KEY, BOXAGNTS_LOG_LEVEL: 'debug' };
    for (const format of ['text', 'json', 'stream-json']) {
      const failed = await runCli(['run', 'hello', '--workspace-dir', dir, '--output-format', format], {
        env,
        timeoutMs: 60_000,
      });
      expect(failed.code, format).toBe(1);
      expect(failed.stderr).toContain('Incorrect key: Bearer [redacted]');
      expect(pieces(failed.stdout + failed.stderr, ENV_KEY), format).toEqual([]);
      // The final answer is printed from the loop's outcome, not from a stored event.
      mock.enqueue({ text: `Your key is ${ENV_KEY}.` });
      const answered = await runCli(['run', 'what is my key?', '--workspace-dir', dir, '--output-format', format], {
        env,
        timeoutMs: 60_000,
      });
      expect(answered.code, format).toBe(0);
      expect(answered.stdout).toContain('Your key is [redacted].');
      expect(pieces(answered.stdout + answered.stderr, ENV_KEY), format).toEqual([]);
    }
    expect(mock.requests.at(-1)!.headers.authorization).toBe(`Bearer ${ENV_KEY}`);
  });
});
