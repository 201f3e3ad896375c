import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { LocalServerSchema, PullEventSchema, PullListSchema } from '../../src/contract/local-models';
import { ModelListSchema } from '../../src/contract/models';
import { silentLogger } from '../../src/log';
import { createRuntime } from '../../src/runtime/runtime';
import { contextWindowOf } from '../../src/runtime/skills';
import { openWorkspace } from '../../src/workspace/workspace';
import {
  type FakeOllama,
  PULLABLE,
  startFakeLlamaCpp,
  startFakeLmStudio,
  startFakeOllama,
  startFakeVllm,
} from '../fixtures/local-servers';
import { type TestServer, startTestServer } from '../helpers/server';
import { connectSse } from '../helpers/sse';
import { tempDir } from '../helpers/workspace';

const fakes: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});
const track = <T extends { close(): Promise<void> }>(fake: T): T => {
  fakes.push(fake);
  return fake;
};

async function serverWith(providers: Record<string, unknown>, defaultModel?: string): Promise<TestServer> {
  const server = await startTestServer();
  await server.server.context.workspace.settings.patch({
    providers,
    ...(defaultModel ? { defaultModel } : {}),
    agent: { retry: { baseDelayMs: 5, maxDelayMs: 50 } },
    catalog: { refreshUrl: null },
  });
  return server;
}

const getJson = async (server: TestServer, path: string, init?: RequestInit) => {
  const response = await server.fetch(path, init);
  return { status: response.status, body: (await response.json()) as any };
};

/** Sends one chat message and returns the events of its run, the live ones (context.measured) included. */
async function runOnce(server: TestServer, text: string, model?: string): Promise<any[]> {
  const session = (await getJson(server, '/api/sessions', { method: 'POST', body: '{}' })).body;
  const stream = await connectSse(`${server.url}/api/sessions/${session.id}/events`, { origin: server.url });
  const sent = await getJson(server, `/api/sessions/${session.id}/messages`, {
    method: 'POST',
    body: JSON.stringify({ text, ...(model ? { model } : {}) }),
    headers: { 'content-type': 'application/json' },
  });
  expect(sent.status).toBe(202);
  await stream.waitFor((d) => d.type === 'run.completed' && d.runId === sent.body.runId);
  stream.close();
  return stream.messages.map((m) => m.data).filter((d) => d.runId === sent.body.runId);
}

/** What does not fit the contract's schema: empty when the answer conforms. */
const misfits = (schema: z.ZodType, value: unknown) =>
  (schema.safeParse(value).error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);

const measuredWindow = (events: any[]) => events.find((e) => e.type === 'context.measured')?.window;

describe('local model servers', () => {
  it('detects each kind, shows the context it really runs through the models API, and the window is the smaller', async () => {
    const ollama = track(
      await startFakeOllama({
        installed: [{ name: 'llama3.1:8b', family: 'llama', maxContext: 131_072, quantization: 'Q4_K_M' }],
      }),
    );
    ollama.loaded.push({ name: 'llama3.1:8b', context: 8192 });
    const lmstudio = track(
      await startFakeLmStudio([
        { id: 'qwen2.5-7b-instruct', state: 'loaded', maxContext: 32_768, loadedContext: 16_384 },
        { id: 'gemma-3-4b', state: 'not-loaded', maxContext: 131_072 },
      ]),
    );
    const llamacpp = track(await startFakeLlamaCpp({ model: 'qwen2.5-coder', context: 4096, trainedContext: 32_768 }));
    const vllm = track(await startFakeVllm([{ id: 'mistral-7b', maxModelLen: 16_000 }]));
    const server = await serverWith(
      {
        // Ollama through its OpenAI endpoint, as providers made before the native kind are: the server's context rules.
        ollama: {
          kind: 'openai-compatible',
          preset: 'ollama',
          baseURL: `${ollama.url}/v1`,
          models: { 'llama3.1:8b': { contextWindow: 65_536 } },
        },
        lms: {
          kind: 'openai-compatible',
          preset: 'lmstudio',
          baseURL: `${lmstudio.url}/v1`,
          models: { 'qwen2.5-7b-instruct': {}, 'gemma-3-4b': { contextWindow: 8192 } },
        },
        // No preset: found by asking every kind.
        cpp: { kind: 'openai-compatible', baseURL: `${llamacpp.url}/v1`, models: { 'qwen2.5-coder': {} } },
        vllm: { kind: 'openai-compatible', preset: 'vllm', baseURL: `${vllm.url}/v1`, models: { 'mistral-7b': {} } },
        hosted: { kind: 'openai', models: { 'gpt-4o': {} } },
      },
      'cpp/qwen2.5-coder',
    );

    const providers = (await getJson(server, '/api/providers')).body.providers;
    expect(Object.fromEntries(providers.map((p: any) => [p.id, p.localServer]))).toEqual({
      ollama: true,
      lms: true,
      cpp: true,
      vllm: true,
      hosted: false,
    });
    expect((await getJson(server, '/api/providers/hosted/local')).status).toBe(400);

    const ollamaLocal = (await getJson(server, '/api/providers/ollama/local')).body;
    expect(ollamaLocal).toMatchObject({ kind: 'ollama', reachable: true, version: '0.12.6', manageable: true });
    expect(ollamaLocal.models[0]).toMatchObject({
      name: 'llama3.1:8b',
      quantization: 'Q4_K_M',
      maxContext: 131_072,
      serverContext: 8192,
      serverContextFrom: 'loaded',
      loaded: { context: 8192 },
    });
    // The context length set here cannot reach Ollama's OpenAI endpoint: the server's 8192 is what runs.
    expect(ollamaLocal.windows['llama3.1:8b']).toEqual({
      catalog: 65_536,
      server: 8192,
      serverFrom: 'loaded',
      maxContext: 131_072,
      used: 8192,
      usedFrom: 'server',
      requested: null,
    });

    const lms = (await getJson(server, '/api/providers/lms/local')).body;
    expect(lms).toMatchObject({ kind: 'lmstudio', manageable: false });
    expect(lms.windows['qwen2.5-7b-instruct']).toMatchObject({ server: 16_384, serverFrom: 'loaded', used: 16_384 });
    // Not loaded: LM Studio says only the maximum, and the 8192 set here is smaller anyway.
    expect(lms.windows['gemma-3-4b']).toMatchObject({
      server: null,
      maxContext: 131_072,
      used: 8192,
      usedFrom: 'catalog',
    });

    const cpp = (await getJson(server, '/api/providers/cpp/local')).body;
    expect(cpp).toMatchObject({ kind: 'llamacpp', reachable: true });
    expect(cpp.windows['qwen2.5-coder']).toMatchObject({
      server: 4096,
      serverFrom: 'server',
      maxContext: 32_768,
      used: 4096,
    });

    const vllmLocal = (await getJson(server, '/api/providers/vllm/local')).body;
    expect(vllmLocal.kind).toBe('vllm');
    expect(vllmLocal.windows['mistral-7b']).toMatchObject({ server: 16_000, used: 16_000, usedFrom: 'server' });

    for (const answer of [ollamaLocal, lms, cpp, vllmLocal]) expect(misfits(LocalServerSchema, answer)).toEqual([]);
    const modelList = (await getJson(server, '/api/models')).body;
    expect(misfits(ModelListSchema, modelList)).toEqual([]);
    const models = modelList.models;
    expect(Object.fromEntries(models.map((m: any) => [m.id, m.info.contextWindow]))).toEqual({
      'ollama/llama3.1:8b': 8192,
      'lms/qwen2.5-7b-instruct': 16_384,
      'lms/gemma-3-4b': 8192,
      'cpp/qwen2.5-coder': 4096,
      'vllm/mistral-7b': 16_000,
      'hosted/gpt-4o': 128_000,
    });

    // What the compactor and the run's budgets are computed from.
    const { workspace, runtime } = server.server.context;
    expect(contextWindowOf(workspace, runtime.catalog, runtime.localServers, undefined)).toBe(4096);
    expect(contextWindowOf(workspace, runtime.catalog, runtime.localServers, 'vllm/mistral-7b')).toBe(16_000);
    expect(contextWindowOf(workspace, runtime.catalog, runtime.localServers, 'hosted/gpt-4o')).toBe(128_000);
  });

  it("uses the server's window from a run's first request, probing it before the run starts", async () => {
    const llamacpp = track(await startFakeLlamaCpp({ model: 'qwen2.5-coder', context: 4096, trainedContext: 32_768 }));
    llamacpp.enqueue({ text: 'hello' });
    const server = await serverWith(
      { cpp: { kind: 'openai-compatible', preset: 'llamacpp', baseURL: `${llamacpp.url}/v1`, models: { m: {} } } },
      'cpp/m',
    );
    // Nothing was probed yet: the run itself asks the server first.
    expect(measuredWindow(await runOnce(server, 'hi'))).toBe(4096);
  });

  it("compacts at the server's window when it is smaller than the catalog's", async () => {
    const llamacpp = track(await startFakeLlamaCpp({ model: 'm', context: 12_000, trainedContext: 32_768 }));
    const root = await tempDir('boxagnts-local-compact-');
    // Five files of about 1,500 tokens each: together past 60 % of 12,000, far from 60 % of 200,000.
    for (let i = 0; i < 5; i++)
      await writeFile(
        join(root, `big${i}.txt`),
        `FILE-${i}-START\n${'lorem ipsum dolor sit amet, line\n'.repeat(190)}`,
      );
    const workspace = await openWorkspace(root);
    await workspace.settings.patch({
      providers: {
        cpp: {
          kind: 'openai-compatible',
          preset: 'llamacpp',
          baseURL: `${llamacpp.url}/v1`,
          models: { m: { contextWindow: 200_000, maxOutput: 1000 } },
        },
      },
      defaultModel: 'cpp/m',
      catalog: { refreshUrl: null },
      context: { maskAt: 0.6, keepRecentTokens: 1000, compactAt: 100_000 },
    });
    const runtime = track(await createRuntime(workspace, { logger: silentLogger, watchExtensions: false }));
    const read = (i: number) => ({ toolCalls: [{ name: 'read', input: { file_path: `big${i}.txt` } }] });
    llamacpp.enqueue(read(0), read(1), read(2), read(3), read(4), { text: 'All read.' });
    const session = (await runtime.sessions.create()).id;
    const spec = await runtime.workspaceSpec(
      { text: 'read the big files', permissionMode: 'bypass' },
      { watched: false, unattended: 'deny' },
    );
    expect((await (await runtime.runner.start(session, spec)).done).status).toBe('finished');
    const last = JSON.stringify(llamacpp.requests.at(-1)!.body.messages);
    expect(last).toMatch(/\[output of read big0\.txt, \d+ lines, elided/);
    const { events } = await runtime.sessions.read(session);
    expect(events.some((e) => e.type === 'compaction.completed' && e.kind === 'mask')).toBe(true);
  });

  it('answers for an unreachable server at once, and a run does not wait for it', async () => {
    const gone = track(await startFakeVllm([{ id: 'm', maxModelLen: 4096 }]));
    const url = gone.url;
    await gone.close();
    const server = await serverWith(
      { vllm: { kind: 'openai-compatible', preset: 'vllm', baseURL: `${url}/v1`, models: { m: {} } } },
      'vllm/m',
    );
    const local = (await getJson(server, '/api/providers/vllm/local')).body;
    expect(misfits(LocalServerSchema, local)).toEqual([]);
    expect(local).toMatchObject({ reachable: false, kind: null, manageable: false });
    expect(local.error).toMatch(/ECONNREFUSED/);
    expect(local.windows.m).toMatchObject({ server: null, used: 32_768, usedFrom: 'catalog' });
    const events = await runOnce(server, 'hi');
    expect(events.find((e) => e.type === 'run.completed')?.status).toBe('error');
  });
});

describe('Ollama through its own API', () => {
  async function ollamaServer(models: Record<string, unknown>, ollama: FakeOllama): Promise<TestServer> {
    return serverWith({ ollama: { kind: 'ollama', preset: 'ollama', baseURL: ollama.url, models } }, 'ollama/llama3.1');
  }

  it('describes the tools in the prompt for a model whose server lists no tool capability', async () => {
    const ollama = track(
      await startFakeOllama({
        installed: [{ name: 'llama3.1:latest', family: 'llama', maxContext: 131_072, capabilities: ['completion'] }],
      }),
    );
    const server = await ollamaServer({ 'llama3.1': {} }, ollama);
    ollama.mock.enqueue(
      { text: '<tool_call>{"name": "glob", "arguments": {"pattern": "*.md"}}</tool_call>' },
      { text: 'Done.' },
    );
    const events = await runOnce(server, 'list the Markdown files');
    expect(events.at(-1)).toMatchObject({ status: 'finished' });
    expect(events.find((e) => e.type === 'tool.started')).toMatchObject({
      name: 'glob',
      fromText: { format: 'hermes' },
    });
    const first = ollama.mock.requests[0]!.body;
    expect(first.tools ?? []).toEqual([]);
    expect(JSON.stringify(first.messages[0])).toContain('<tool_call>');
  });

  it('sends the context length set for the model as num_ctx on every request, within the model maximum', async () => {
    const ollama = track(
      await startFakeOllama({ installed: [{ name: 'llama3.1:latest', family: 'llama', maxContext: 131_072 }] }),
    );
    const server = await ollamaServer({ 'llama3.1': { contextWindow: 16_384 } }, ollama);
    ollama.mock.enqueue(
      { toolCalls: [{ name: 'todo_write', input: { todos: [] } }], usage: { inputTokens: 900, outputTokens: 20 } },
      { text: 'Done.', usage: { inputTokens: 950, outputTokens: 3 } },
    );
    const events = await runOnce(server, 'hi');
    expect(events.find((e) => e.type === 'run.completed')?.status).toBe('finished');
    expect(measuredWindow(events)).toBe(16_384);
    expect(ollama.mock.requests.map((r) => [r.format, r.path, r.stream, r.body.options?.num_ctx])).toEqual([
      ['ollama', '/api/chat', true, 16_384],
      ['ollama', '/api/chat', true, 16_384],
    ]);
    // The tool call went round: its result was sent back in Ollama's shape.
    expect(ollama.mock.requests[1]!.body.messages.some((m: any) => m.role === 'tool')).toBe(true);
    const usage = events.filter((e) => e.type === 'usage');
    expect(usage.map((u) => u.inputTokens)).toEqual([900, 950]);

    // More than the model takes: what is asked for (and assumed) is its maximum.
    await server.server.context.workspace.settings.patch({
      providers: { ollama: { models: { 'llama3.1': { contextWindow: 500_000 } } } },
    });
    ollama.mock.reset();
    ollama.mock.enqueue({ text: 'ok' });
    expect(measuredWindow(await runOnce(server, 'again'))).toBe(131_072);
    expect(ollama.mock.requests[0]!.body.options).toEqual({ num_ctx: 131_072 });
  });

  it('asks Ollama for an agent-sized context when none is set, or for what the model already runs at when that is more', async () => {
    const ollama = track(
      await startFakeOllama({ installed: [{ name: 'llama3.1:latest', family: 'llama', maxContext: 131_072 }] }),
    );
    const server = await ollamaServer({ 'llama3.1': {} }, ollama);
    ollama.mock.enqueue({ text: 'ok' });
    expect(measuredWindow(await runOnce(server, 'hi'))).toBe(16_384);
    expect(ollama.mock.requests[0]!.body.options).toEqual({ num_ctx: 16_384 });
    // It cannot think: ollama-ai-provider-v2 asks for no thinking.
    expect(ollama.mock.requests[0]!.body.think).toBe(false);
    const local = (await getJson(server, '/api/providers/ollama/local')).body;
    expect(local.windows['llama3.1']).toMatchObject({ server: 16_384, serverFrom: 'requested', requested: 16_384 });

    // A Modelfile's larger num_ctx is kept.
    ollama.installed[0]!.numCtx = 32_768;
    const refreshed = (await getJson(server, '/api/providers/ollama/local?refresh=1')).body;
    expect(refreshed.windows['llama3.1']).toMatchObject({ requested: 32_768, used: 32_768 });
  });

  it('lets a model that can think do so, and shows its reasoning', async () => {
    const ollama = track(
      await startFakeOllama({
        installed: [
          { name: 'qwen3:8b', family: 'qwen3', maxContext: 40_960, capabilities: ['completion', 'thinking'] },
        ],
      }),
    );
    const server = await serverWith(
      { ollama: { kind: 'ollama', baseURL: ollama.url, models: { 'qwen3:8b': { contextWindow: 16_384 } } } },
      'ollama/qwen3:8b',
    );
    ollama.mock.enqueue({ reasoning: 'Let me see.', text: 'Hello.' });
    const events = await runOnce(server, 'hi');
    expect(ollama.mock.requests[0]!.body).toMatchObject({ think: true, options: { num_ctx: 16_384 } });
    expect(events.find((e) => e.type === 'message.completed')).toMatchObject({
      text: 'Hello.',
      reasoning: 'Let me see.',
    });
  });

  it('pulls a model with streamed progress that survives leaving, lists it, and deletes it', async () => {
    const ollama = track(await startFakeOllama());
    const server = await ollamaServer({}, ollama);
    const hold = ollama.holdPulls();
    const started = await getJson(server, '/api/providers/ollama/pull', {
      method: 'POST',
      body: JSON.stringify({ model: 'qwen2.5-coder:1.5b' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ provider: 'ollama', model: 'qwen2.5-coder:1.5b', state: 'running' });
    const pullId = started.body.id;
    const eventsUrl = `${server.url}/api/providers/ollama/pulls/${pullId}/events`;

    const first = await connectSse(eventsUrl, { origin: server.url });
    const total = PULLABLE['qwen2.5-coder:1.5b']!.sizeBytes!;
    await first.waitFor((d) => d.pull?.completed === total / 2);
    // The page goes away; the pull goes on, is listed, and can be followed again.
    first.close();
    const pulls = (await getJson(server, '/api/providers/ollama/pulls')).body;
    expect(misfits(PullListSchema, pulls)).toEqual([]);
    const listed = pulls.pulls;
    expect(listed).toMatchObject([{ id: pullId, state: 'running', total }]);
    const again = (
      await getJson(server, '/api/providers/ollama/pull', {
        method: 'POST',
        body: JSON.stringify({ model: 'qwen2.5-coder:1.5b' }),
        headers: { 'content-type': 'application/json' },
      })
    ).body;
    expect(again.id).toBe(pullId);
    const second = await connectSse(eventsUrl, { origin: server.url });
    await second.waitFor((d) => d.pull?.state === 'running' && d.pull.completed === total / 2);
    hold.release();
    const done = await second.waitFor((d) => d.pull?.state === 'done');
    second.close();
    expect(done.data.pull.status).toBe('success');
    const progress = second.messages.filter((m) => m.data.type === 'pull.progress');
    expect(progress.map((m) => m.data.pull.status)).toEqual(
      expect.arrayContaining(['verifying sha256 digest', 'success']),
    );
    for (const event of progress) expect(misfits(PullEventSchema, event.data)).toEqual([]);
    const ids = progress.map((m) => Number(m.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    const local = (await getJson(server, '/api/providers/ollama/local')).body;
    expect(local.models).toEqual([
      expect.objectContaining({
        name: 'qwen2.5-coder:1.5b',
        sizeBytes: total,
        quantization: 'Q4_K_M',
        parameterSize: '1.5B',
        family: 'qwen2',
        maxContext: 32_768,
      }),
    ]);
    expect(local.pulls).toMatchObject([{ id: pullId, state: 'done' }]);

    const deleted = await getJson(server, `/api/providers/ollama/models/${encodeURIComponent('qwen2.5-coder:1.5b')}`, {
      method: 'DELETE',
    });
    expect(deleted).toEqual({ status: 200, body: { deleted: 'qwen2.5-coder:1.5b' } });
    expect(ollama.deleted).toEqual(['qwen2.5-coder:1.5b']);
    expect((await getJson(server, '/api/providers/ollama/local')).body.models).toEqual([]);
    const missing = await getJson(server, '/api/providers/ollama/models/nope', { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain("model 'nope' not found");
  });

  it('reports a failed pull in Ollama own words, and cancels one that is running', async () => {
    const ollama = track(await startFakeOllama());
    const server = await ollamaServer({}, ollama);
    const pull = (model: string) =>
      getJson(server, '/api/providers/ollama/pull', {
        method: 'POST',
        body: JSON.stringify({ model }),
        headers: { 'content-type': 'application/json' },
      }).then((r) => r.body);

    const failed = await pull('no-such-model');
    const failing = await connectSse(`${server.url}/api/providers/ollama/pulls/${failed.id}/events`, {
      origin: server.url,
    });
    const end = await failing.waitFor((d) => d.pull?.state === 'failed');
    failing.close();
    expect(end.data.pull.error).toBe('pull model manifest: file does not exist');

    ollama.holdPulls();
    const running = await pull('qwen2.5-coder:1.5b');
    const following = await connectSse(`${server.url}/api/providers/ollama/pulls/${running.id}/events`, {
      origin: server.url,
    });
    await following.waitFor((d) => (d.pull?.completed ?? 0) > 0);
    const cancelled = await getJson(server, `/api/providers/ollama/pulls/${running.id}`, { method: 'DELETE' });
    expect(cancelled.status).toBe(200);
    await following.waitFor((d) => d.pull?.state === 'cancelled');
    following.close();
    expect(ollama.installed).toEqual([]);

    expect((await pull('../etc')).error?.field).toBe('model');
    const refused = await fetch(`${server.url}/api/providers/ollama/pull`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'qwen2.5-coder:1.5b' }),
    });
    expect(refused.status).toBe(403);
  });

  it('refuses pulls and deletions on a server that is not Ollama', async () => {
    const vllm = track(await startFakeVllm([{ id: 'm', maxModelLen: 4096 }]));
    const server = await serverWith({ v: { kind: 'openai-compatible', baseURL: `${vllm.url}/v1`, models: {} } });
    const refused = await getJson(server, '/api/providers/v/pull', {
      method: 'POST',
      body: JSON.stringify({ model: 'llama3.2' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('not_ollama');
  });
});
