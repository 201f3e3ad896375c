import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startMock } from '../helpers/chat';
import { startTestServer } from '../helpers/server';

const put = (s: Awaited<ReturnType<typeof startTestServer>>, id: string, body: unknown) =>
  s
    .fetch(`/api/providers/${id}`, { method: 'PUT', body: JSON.stringify(body) })
    .then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

describe('providers API', () => {
  it('adds a provider from a preset, keeps the key write-only, and deletes it with its key', async () => {
    const s = await startTestServer();
    const created = await put(s, 'openai', {
      kind: 'openai',
      preset: 'openai',
      models: { 'gpt-4o': {} },
      apiKey: 'sk-secret-123',
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      id: 'openai',
      hasKey: true,
      keySource: 'secrets',
      baseURL: 'https://api.openai.com/v1',
    });
    expect(JSON.stringify(created.body)).not.toContain('sk-secret-123');
    expect(created.body.models['gpt-4o'].info).toMatchObject({
      contextWindow: 128_000,
      source: 'builtin',
      pricing: { input: 2.5, output: 10 },
    });

    // Editing without the key keeps it; the settings file never holds it.
    const edited = await put(s, 'openai', {
      kind: 'openai',
      preset: 'openai',
      label: 'Work account',
      models: { 'gpt-4o': {} },
    });
    expect(edited.body).toMatchObject({ label: 'Work account', hasKey: true });
    const secrets = JSON.parse(await readFile(join(s.workspaceDir, '.boxagnts', 'secrets.json'), 'utf8'));
    expect(secrets.providers.openai.apiKey).toBe('sk-secret-123');
    expect(await readFile(join(s.workspaceDir, '.boxagnts', 'settings.json'), 'utf8')).not.toContain('sk-secret');

    const list: any = await (await s.fetch('/api/providers')).json();
    expect(list.presets.map((p: any) => p.id)).toEqual(
      expect.arrayContaining([
        'ollama',
        'lmstudio',
        'llamacpp',
        'vllm',
        'deepseek',
        'openrouter',
        'groq',
        'mistral',
        'xai',
        'together',
        'fireworks',
      ]),
    );
    expect(list.presets.find((p: any) => p.id === 'ollama')).toMatchObject({
      kind: 'ollama',
      baseURL: 'http://127.0.0.1:11434',
    });
    expect(JSON.stringify(list)).not.toContain('sk-secret-123');

    expect(
      (await s.fetch('/api/settings', { method: 'PATCH', body: JSON.stringify({ defaultModel: 'openai/gpt-4o' }) }))
        .status,
    ).toBe(200);
    const removedKey = await put(s, 'openai', { kind: 'openai', models: {}, apiKey: null });
    expect(removedKey.body.hasKey).toBe(false);
    expect((await s.fetch('/api/providers/openai', { method: 'DELETE' })).status).toBe(200);
    const settings: any = await (await s.fetch('/api/settings')).json();
    expect(settings.providers).toEqual({});
    expect(settings.defaultModel).toBeUndefined();
  });

  it('reads a key from the environment variable named by the provider', async () => {
    const s = await startTestServer();
    process.env.BOXAGNTS_TEST_KEY = 'from-env';
    try {
      const res = await put(s, 'proxy', {
        kind: 'openai-compatible',
        baseURL: 'http://127.0.0.1:1/v1',
        apiKeyEnv: 'BOXAGNTS_TEST_KEY',
      });
      expect(res.body).toMatchObject({ hasKey: true, keySource: 'env', keyEnv: 'BOXAGNTS_TEST_KEY' });
    } finally {
      delete process.env.BOXAGNTS_TEST_KEY;
    }
  });

  it('answers bad provider input with the field', async () => {
    const s = await startTestServer();
    expect((await put(s, 'local', { kind: 'openai-compatible' })).body.error).toMatchObject({
      code: 'invalid_provider',
      field: 'baseURL',
    });
    expect((await put(s, 'local', { kind: 'openai-compatible', baseURL: 'ftp://x' })).body.error.field).toBe('baseURL');
    expect((await put(s, 'local', { kind: 'martian', baseURL: 'http://x' })).body.error.field).toBe('kind');
    expect((await put(s, 'Bad Id', { kind: 'openai' })).status).toBe(400);
    expect((await s.fetch('/api/providers/nope', { method: 'DELETE' })).status).toBe(404);
  });

  it('discovers models through /v1/models and tests the connection with one real request', async () => {
    const mock = await startMock({ models: ['llama3.1', 'qwen2.5-coder'], apiKey: 'right' });
    const s = await startTestServer();
    await put(s, 'ollama', { kind: 'openai-compatible', preset: 'ollama', baseURL: `${mock.url}/v1`, apiKey: 'right' });
    const discovered: any = await (await s.fetch('/api/providers/ollama/discover', { method: 'POST' })).json();
    expect(discovered.models).toEqual(['llama3.1', 'qwen2.5-coder']);

    const noModel = await s.fetch('/api/providers/ollama/test', { method: 'POST', body: '{}' });
    expect(noModel.status).toBe(400);
    await put(s, 'ollama', {
      kind: 'openai-compatible',
      preset: 'ollama',
      baseURL: `${mock.url}/v1`,
      models: { 'llama3.1': { contextWindow: 8192 } },
    });
    mock.enqueue({ text: 'OK' });
    const ok: any = await (await s.fetch('/api/providers/ollama/test', { method: 'POST', body: '{}' })).json();
    expect(ok).toMatchObject({ ok: true, reply: 'OK' });
    expect(mock.requests.at(-1)!.body.model).toBe('llama3.1');

    await put(s, 'ollama', {
      kind: 'openai-compatible',
      preset: 'ollama',
      baseURL: `${mock.url}/v1`,
      models: { 'llama3.1': {} },
      apiKey: 'wrong',
    });
    const bad: any = await (await s.fetch('/api/providers/ollama/test', { method: 'POST', body: '{}' })).json();
    expect(bad.ok).toBe(false);
    expect(bad.message).toMatch(/Incorrect API key provided/);

    const models: any = await (await s.fetch('/api/models')).json();
    expect(models.models).toEqual([
      expect.objectContaining({
        id: 'ollama/llama3.1',
        info: expect.objectContaining({ contextWindow: 32_768, source: 'default' }),
      }),
    ]);
  });

  it('reports a discovery failure in the provider own words', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(403, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Project has no access to model listing' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const s = await startTestServer();
      await put(s, 'vendor', {
        kind: 'openai-compatible',
        baseURL: `http://127.0.0.1:${(server.address() as any).port}/v1`,
      });
      const res = await s.fetch('/api/providers/vendor/discover', { method: 'POST' });
      expect(res.status).toBe(502);
      expect(((await res.json()) as any).error.message).toMatch(/answered 403: Project has no access to model listing/);
    } finally {
      server.close();
    }
  });

  it('refreshes the catalog from a models.dev-shaped document and caches it', async () => {
    const doc = {
      openai: {
        models: {
          'gpt-4o': {
            name: 'GPT-4o',
            limit: { context: 111_111, output: 2222 },
            cost: { input: 9, output: 99, cache_read: 1 },
            tool_call: true,
            modalities: { input: ['text', 'image'] },
          },
        },
      },
    };
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(doc));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const s = await startTestServer();
      await s.fetch('/api/settings', {
        method: 'PATCH',
        body: JSON.stringify({
          catalog: { refreshUrl: `http://127.0.0.1:${(server.address() as any).port}/api.json` },
        }),
      });
      await put(s, 'openai', {
        kind: 'openai',
        models: { 'gpt-4o': {}, 'gpt-4o-mini': { contextWindow: 5000 } },
        apiKey: 'k',
      });
      expect((await s.fetch('/api/catalog/refresh', { method: 'POST' })).status).toBe(200);
      const provider: any = await (await s.fetch('/api/providers')).json();
      const models = provider.providers[0].models;
      expect(models['gpt-4o'].info).toMatchObject({
        contextWindow: 111_111,
        maxOutput: 2222,
        vision: true,
        source: 'models.dev',
        pricing: { input: 9, output: 99, cacheRead: 1 },
      });
      expect(models['gpt-4o-mini'].info).toMatchObject({ contextWindow: 5000, source: 'settings' });
      const cached = JSON.parse(await readFile(join(s.workspaceDir, '.boxagnts', 'cache', 'models-dev.json'), 'utf8'));
      expect(cached.data).toEqual(doc);
    } finally {
      server.close();
    }
  });
});
