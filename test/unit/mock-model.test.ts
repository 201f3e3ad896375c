import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import {
  APICallError,
  generateText,
  type LanguageModel,
  streamText,
  type TextStreamPart,
  type ToolSet,
  tool,
} from 'ai';
import { createOllama } from 'ollama-ai-provider-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { echoScript } from '../fixtures/mock-model/echo-script';
import { type MockModelServer, startMockModelServer } from '../fixtures/mock-model/server';

// The unknown model id 'm' makes the Anthropic provider warn about output limits on every call.
globalThis.AI_SDK_LOG_WARNINGS = false;

const tools = { add: tool({ inputSchema: z.object({ a: z.number(), b: z.number() }) }) };

type Part = TextStreamPart<ToolSet>;

interface Provider {
  name: string;
  format: 'openai' | 'anthropic' | 'ollama';
  /** A model of the provider pointed at the server (`http://127.0.0.1:PORT`). */
  model(serverUrl: string, apiKey?: string): LanguageModel;
}

const PROVIDERS: Provider[] = [
  {
    name: 'openai-compatible',
    format: 'openai',
    model: (url, apiKey = 'k') =>
      createOpenAICompatible({ name: 'mock', baseURL: `${url}/v1`, apiKey, includeUsage: true }).chatModel('m'),
  },
  {
    name: 'anthropic',
    format: 'anthropic',
    model: (url, apiKey = 'k') => createAnthropic({ baseURL: `${url}/v1`, apiKey })('m'),
  },
  {
    name: 'openai',
    format: 'openai',
    model: (url, apiKey = 'k') => createOpenAI({ baseURL: `${url}/v1`, apiKey }).chat('m'),
  },
  {
    name: 'ollama',
    format: 'ollama',
    model: (url, apiKey = 'k') =>
      createOllama({ baseURL: `${url}/api`, headers: { Authorization: `Bearer ${apiKey}` } })('m'),
  },
];

/** Ollama sends each tool call whole and counts no cached tokens; the other formats stream arguments in fragments. */
const streamsFragments = (provider: Provider) => provider.format !== 'ollama';

let server: MockModelServer;
beforeAll(async () => {
  server = await startMockModelServer({ models: ['alpha', 'beta'] });
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** All parts of a single-step stream; an error that ends the stream by throwing is kept as a final error part. */
async function stream(
  model: LanguageModel,
  options: { prompt?: string; abortSignal?: AbortSignal } = {},
): Promise<Part[]> {
  // onError is quiet because the tests read errors from the parts instead of the console.
  const result = streamText({
    model,
    prompt: options.prompt ?? 'hi',
    tools,
    maxRetries: 0,
    abortSignal: options.abortSignal,
    onError: () => {},
  });
  const parts: Part[] = [];
  try {
    for await (const part of result.fullStream) parts.push(part);
  } catch (error) {
    parts.push({ type: 'error', error });
  }
  return parts;
}

function ofType<T extends Part['type']>(parts: Part[], type: T): Extract<Part, { type: T }>[] {
  return parts.filter((part): part is Extract<Part, { type: T }> => part.type === type);
}

function streamError(parts: Part[]): unknown {
  return ofType(parts, 'error')[0]?.error;
}

describe.each(PROVIDERS)('through $name', (provider) => {
  const model = () => provider.model(server.url);

  it('streams the exact text chunks, and splits a string into words', async () => {
    server.enqueue({ text: ['Hel', 'lo', ', wor', 'ld'] }, { text: 'Two  words\nand more ' });
    const first = await stream(model());
    expect(ofType(first, 'text-delta').map((p) => p.text)).toEqual(['Hel', 'lo', ', wor', 'ld']);
    expect(ofType(first, 'finish')[0]?.finishReason).toBe('stop');
    const second = await stream(model());
    expect(ofType(second, 'text-delta').map((p) => p.text)).toEqual(['Two  ', 'words\n', 'and ', 'more ']);
  });

  it('streams tool calls whose arguments arrive in fragments', async () => {
    server.enqueue({
      text: 'Adding.',
      toolCalls: [
        { id: 'call_a', name: 'add', input: { a: 1, b: 2 } },
        { name: 'add', input: { a: 30, b: 12 } },
      ],
    });
    const parts = await stream(model());
    const calls = ofType(parts, 'tool-call');
    expect(calls.map((c) => [c.toolName, c.input, c.invalid ?? false])).toEqual([
      ['add', { a: 1, b: 2 }, false],
      ['add', { a: 30, b: 12 }, false],
    ]);
    expect(calls[0]?.toolCallId).toBe('call_a');
    expect(calls[1]?.toolCallId).toMatch(/^(call|toolu)_mock_/);
    // Three fragments per call, so the client really had to stitch the arguments together.
    if (streamsFragments(provider)) expect(ofType(parts, 'tool-input-delta').length).toBeGreaterThanOrEqual(6);
    expect(ofType(parts, 'finish')[0]?.finishReason).toBe('tool-calls');
  });

  it('reports the scripted usage, cache reads included', async () => {
    server.enqueue({ text: 'ok', usage: { inputTokens: 120, outputTokens: 7, cacheReadTokens: 100 } });
    const usage = ofType(await stream(model()), 'finish-step')[0]?.usage;
    expect(usage?.inputTokens).toBe(120);
    expect(usage?.outputTokens).toBe(7);
    if (streamsFragments(provider)) expect(usage?.inputTokenDetails.cacheReadTokens).toBe(100);
  });

  // Ollama parses the model's tool calls itself, so its API has no way to carry arguments that are not JSON.
  it.skipIf(provider.format === 'ollama')('passes invalid raw arguments through as an invalid tool call', async () => {
    server.enqueue({ toolCalls: [{ name: 'add', rawArguments: '{"a": 1, "b":' }] });
    const [call] = ofType(await stream(model()), 'tool-call');
    expect(call?.invalid).toBe(true);
  });

  it('answers a scripted error with its status and message', async () => {
    server.enqueue({ error: { status: 401, message: 'Scripted auth failure' } });
    const error = streamError(await stream(model()));
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).statusCode).toBe(401);
    // Ollama's error body is `{"error": "…"}`, which ollama-ai-provider-v2 does not read: its text is in the body only.
    expect((error as APICallError)[provider.format === 'ollama' ? 'responseBody' : 'message']).toContain(
      'Scripted auth failure',
    );
  });

  it('answers non-streaming requests', async () => {
    server.enqueue(
      { text: 'Plain answer.', usage: { inputTokens: 3, outputTokens: 2 } },
      { toolCalls: [{ name: 'add', input: { a: 2, b: 2 } }] },
    );
    const plain = await generateText({ model: model(), prompt: 'hi', maxRetries: 0 });
    expect(plain.text).toBe('Plain answer.');
    expect(plain.usage.inputTokens).toBe(3);
    expect(plain.finishReason).toBe('stop');
    const withTool = await generateText({ model: model(), prompt: 'hi', tools, maxRetries: 0 });
    expect(withTool.toolCalls.map((c) => c.input)).toEqual([{ a: 2, b: 2 }]);
    expect(withTool.finishReason).toBe('tool-calls');
    expect(server.requests.map((r) => [r.format, r.stream])).toEqual([
      [provider.format, false],
      [provider.format, false],
    ]);
  });

  it('lets a client abort a stalled stream, then answers the next request', async () => {
    server.enqueue(
      { text: ['one ', 'two ', 'three'], stallAfterChunks: { openai: 2, anthropic: 3, ollama: 1 }[provider.format] },
      { text: 'next' },
    );
    const abort = new AbortController();
    const result = streamText({ model: model(), prompt: 'hi', maxRetries: 0, abortSignal: abort.signal });
    const parts: Part[] = [];
    for await (const part of result.fullStream) {
      parts.push(part);
      if (part.type === 'text-delta') abort.abort();
    }
    expect(ofType(parts, 'text-delta').map((p) => p.text)).toEqual(['one ']);
    expect(ofType(parts, 'abort')).toHaveLength(1);
    expect(ofType(await stream(model()), 'text-delta').map((p) => p.text)).toEqual(['next']);
  });

  it('makes the client see an error when the connection drops mid-stream', async () => {
    // Before 'three' in every format: OpenAI and Anthropic open with chunks of their own, Ollama with the text.
    server.enqueue({ text: ['one ', 'two ', 'three'], dropAfterChunks: provider.format === 'ollama' ? 2 : 3 });
    const parts = await stream(model());
    expect(streamError(parts)).toBeDefined();
    expect(
      ofType(parts, 'text-delta')
        .map((p) => p.text)
        .join(''),
    ).not.toBe('one two three');
  });
});

describe('reasoning', () => {
  it.each(PROVIDERS.filter((p) => p.name !== 'openai'))(
    'arrives as reasoning-delta parts through $name',
    async (provider) => {
      server.enqueue({ reasoning: ['Let me ', 'think.'], text: 'Done.' });
      const parts = await stream(provider.model(server.url));
      expect(
        ofType(parts, 'reasoning-delta')
          .map((p) => p.text)
          .join(''),
      ).toBe('Let me think.');
      expect(
        ofType(parts, 'text-delta')
          .map((p) => p.text)
          .join(''),
      ).toBe('Done.');
    },
  );

  it('carries the Anthropic thinking signature', async () => {
    server.enqueue({ reasoning: 'Hmm.', text: 'Done.' });
    const result = await generateText({
      model: createAnthropic({ baseURL: `${server.url}/v1`, apiKey: 'k' })('m'),
      prompt: 'hi',
      maxRetries: 0,
    });
    expect(result.reasoningText).toBe('Hmm.');
    expect(result.reasoning[0]?.providerMetadata?.anthropic?.signature).toBe('mock-signature');
  });
});

describe('API key check', () => {
  it.each(PROVIDERS)('refuses a wrong key through $name with a 401 in its format', async (provider) => {
    const guarded = await startMockModelServer({ apiKey: 'right-key' });
    try {
      guarded.enqueue({ text: 'only for the right key' });
      const error = streamError(await stream(provider.model(guarded.url, 'wrong-key-123')));
      expect((error as APICallError).statusCode).toBe(401);
      expect((error as APICallError).message).toMatch(
        { openai: /Incorrect API key provided/, anthropic: /invalid x-api-key/, ollama: /unauthorized/i }[
          provider.format
        ],
      );
      // The refused request was recorded but did not use up the turn.
      expect(guarded.requests).toHaveLength(1);
      const parts = await stream(provider.model(guarded.url, 'right-key'));
      expect(
        ofType(parts, 'text-delta')
          .map((p) => p.text)
          .join(''),
      ).toBe('only for the right key');
    } finally {
      await guarded.close();
    }
  });
});

describe('the server', () => {
  it('records every model request with its format, body and lower-cased headers', async () => {
    server.enqueue({ text: 'a' }, { text: 'b' });
    await stream(PROVIDERS[0]!.model(server.url), { prompt: 'first' });
    await stream(PROVIDERS[1]!.model(server.url), { prompt: 'second' });
    const [openai, anthropic] = server.requests;
    expect(openai).toMatchObject({ format: 'openai', path: '/v1/chat/completions', stream: true });
    expect(openai?.headers.authorization).toBe('Bearer k');
    expect(openai?.body.messages).toEqual([{ role: 'user', content: 'first' }]);
    expect(openai?.body.stream_options).toEqual({ include_usage: true });
    expect(anthropic).toMatchObject({ format: 'anthropic', path: '/v1/messages', stream: true });
    expect(anthropic?.headers['x-api-key']).toBe('k');
    expect(anthropic?.body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'second' }] }]);
  });

  it('lists its models', async () => {
    server.models = ['gamma'];
    const response = await fetch(`${server.url}/v1/models`);
    const body = (await response.json()) as {
      object: string;
      data: { id: string; object: string; owned_by: string }[];
    };
    expect(body.object).toBe('list');
    expect(body.data).toEqual([expect.objectContaining({ id: 'gamma', object: 'model', owned_by: 'mock' })]);
  });

  it('lists its models as Ollama does, and records what an Ollama request asks for', async () => {
    server.models = ['llama3.2:3b'];
    const tags = (await (await fetch(`${server.url}/api/tags`)).json()) as { models: { name: string }[] };
    expect(tags.models.map((m) => m.name)).toEqual(['llama3.2:3b']);
    server.enqueue({ text: 'ok' }, { text: 'ok' });
    await stream(PROVIDERS[3]!.model(server.url), { prompt: 'third' });
    await generateText({
      model: PROVIDERS[3]!.model(server.url),
      prompt: 'fourth',
      maxRetries: 0,
      providerOptions: { ollama: { options: { num_ctx: 8192 } } },
    });
    const [streamed, plain] = server.requests;
    expect(streamed).toMatchObject({ format: 'ollama', path: '/api/chat', stream: true });
    expect(streamed?.body.messages).toEqual([{ role: 'user', content: 'third' }]);
    expect(plain).toMatchObject({ format: 'ollama', stream: false });
    expect(plain?.body.options).toEqual({ num_ctx: 8192 });
  });

  it('streams Ollama replies as JSON lines, the last one done with the token counts', async () => {
    server.enqueue({ text: ['a', 'b'], usage: { inputTokens: 12, outputTokens: 2 } });
    const response = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [] }),
    });
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { done: boolean; message: { content: string }; eval_count?: number });
    expect(lines.map((l) => [l.message.content, l.done])).toEqual([
      ['a', false],
      ['b', false],
      ['', true],
    ]);
    expect(lines.at(-1)).toMatchObject({ done_reason: 'stop', prompt_eval_count: 12, eval_count: 2 });
  });

  it('answers unknown routes with a 404', async () => {
    const response = await fetch(`${server.url}/v1/embeddings`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(await response.json()).toHaveProperty('error.message');
  });

  it('answers 500 "mock script exhausted" when nothing is queued, and uses the fallback', async () => {
    const model = PROVIDERS[1]!.model(server.url);
    const error = await generateText({ model, prompt: 'hi', maxRetries: 0 }).catch((e: unknown) => e);
    expect((error as APICallError).statusCode).toBe(500);
    expect((error as APICallError).message).toContain('mock script exhausted');
    server.setFallback((request) => ({ text: `echo ${request.body.messages.length}` }));
    expect((await generateText({ model, prompt: 'hi', maxRetries: 0 })).text).toBe('echo 1');
  });

  it('sends error headers such as retry-after', async () => {
    server.enqueue({ error: { status: 429, message: 'Slow down', headers: { 'retry-after': '7' } } });
    const error = streamError(await stream(PROVIDERS[1]!.model(server.url)));
    expect((error as APICallError).statusCode).toBe(429);
    expect((error as APICallError).responseHeaders?.['retry-after']).toBe('7');
    expect((error as APICallError).responseBody).toContain('rate_limit_error');
  });

  it('sends headers at once and holds the first chunk back', async () => {
    // Held for longer than the test may take: the headers arrive anyway, so they were not held with it.
    server.enqueue({ text: 'much later', firstChunkDelayMs: 600_000 });
    const held = new AbortController();
    const early = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', stream: true, messages: [] }),
      signal: held.signal,
    });
    expect(early.headers.get('content-type')).toMatch(/^text\/event-stream/);
    held.abort();

    server.enqueue({ text: 'late', firstChunkDelayMs: 300 });
    const started = Date.now();
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', stream: true, messages: [] }),
    });
    const body = await response.text();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(body).toContain('"content":"late"');
    expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('ends stalled responses on close', async () => {
    const own = await startMockModelServer();
    own.enqueue({ text: 'never finished', stallAfterChunks: 1 });
    const response = await fetch(`${own.url}/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', stream: true, messages: [] }),
    });
    const reading = response.text().catch((e: unknown) => e);
    await own.close();
    expect(await reading).toBeInstanceOf(Error);
  });
});

describe('the CLI echo script', () => {
  beforeEach(() => server.setFallback(echoScript));

  it.each(PROVIDERS.filter((p) => p.name !== 'openai'))(
    'calls the tool named in the message, then echoes through $name',
    async (provider) => {
      const model = provider.model(server.url);
      const first = await generateText({
        model,
        prompt: 'please tool:add {"a": 1, "b": {"c": 2}} thanks',
        tools,
        maxRetries: 0,
      });
      expect(first.toolCalls.map((c) => [c.toolName, c.input])).toEqual([['add', { a: 1, b: { c: 2 } }]]);

      const toolCall = first.toolCalls[0]!;
      const second = await generateText({
        model,
        tools,
        maxRetries: 0,
        messages: [
          { role: 'user', content: 'please tool:add {"a": 1, "b": {"c": 2}} thanks' },
          {
            role: 'assistant',
            content: [{ type: 'tool-call', toolCallId: toolCall.toolCallId, toolName: 'add', input: toolCall.input }],
          },
          {
            role: 'tool',
            content: [
              {
                type: 'tool-result',
                toolCallId: toolCall.toolCallId,
                toolName: 'add',
                output: { type: 'text', value: '3' },
              },
            ],
          },
        ],
      });
      expect(second.toolCalls).toEqual([]);
      expect(second.text).toContain('> please tool:add');
      expect(second.text).toContain('```text\nplease tool:add');
    },
  );
});
