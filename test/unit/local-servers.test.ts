import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerFacts } from '../../src/contract/local-models';
import { ProviderConfigSchema } from '../../src/contract/settings';
import { localServerHint } from '../../src/models/local-servers/detect';
import { serverRoot } from '../../src/models/local-servers/http';
import { sameOllamaModel } from '../../src/models/local-servers/ollama';
import { LocalServers } from '../../src/models/local-servers/registry';
import { modelWindow } from '../../src/models/local-servers/window';

const provider = (fields: Record<string, unknown>) => ProviderConfigSchema.parse(fields);

const ollamaFacts = (model: Partial<ServerFacts['models'][number]>): ServerFacts => ({
  kind: 'ollama',
  reachable: true,
  checkedAt: '2026-01-01T00:00:00.000Z',
  models: [{ name: 'llama3.1:latest', maxContext: 131_072, ...model }],
});

describe('the window a run uses', () => {
  const native = (contextWindow?: number) =>
    provider({
      kind: 'ollama',
      baseURL: 'http://127.0.0.1:11434',
      models: { 'llama3.1': contextWindow ? { contextWindow } : {} },
    });

  it("is the server's when it is smaller than the catalog's, and the catalog's otherwise", () => {
    const facts = ollamaFacts({ serverContext: 8192, serverContextFrom: 'loaded' });
    const compatible = provider({
      kind: 'openai-compatible',
      preset: 'ollama',
      baseURL: 'http://127.0.0.1:11434/v1',
      models: { 'llama3.1': {} },
    });
    expect(modelWindow(32_768, compatible, 'llama3.1', facts)).toMatchObject({
      used: 8192,
      usedFrom: 'server',
      serverFrom: 'loaded',
      requested: null,
    });
    expect(modelWindow(4096, compatible, 'llama3.1', facts)).toMatchObject({ used: 4096, usedFrom: 'catalog' });
  });

  it('asks Ollama for an agent-sized context when none is set, or for more when the model already runs at more', () => {
    const assumed = ollamaFacts({ serverContext: 4096, serverContextFrom: 'assumed' });
    expect(modelWindow(131_072, native(), 'llama3.1', assumed)).toMatchObject({ requested: 16_384, used: 16_384 });
    const loaded = ollamaFacts({ serverContext: 65_536, serverContextFrom: 'loaded' });
    expect(modelWindow(131_072, native(), 'llama3.1', loaded)).toMatchObject({ requested: 65_536, used: 65_536 });
  });

  it('asks Ollama for the context length set, within the model maximum, and assumes just that', () => {
    const facts = ollamaFacts({ serverContext: 4096, serverContextFrom: 'assumed' });
    expect(modelWindow(16_384, native(16_384), 'llama3.1', facts)).toMatchObject({
      server: 16_384,
      serverFrom: 'requested',
      requested: 16_384,
      used: 16_384,
    });
    expect(modelWindow(500_000, native(500_000), 'llama3.1', facts)).toMatchObject({
      requested: 131_072,
      used: 131_072,
      usedFrom: 'server',
    });
    // Through the OpenAI endpoint nothing is asked: the server's default stands.
    const compatible = provider({
      kind: 'openai-compatible',
      preset: 'ollama',
      baseURL: 'http://127.0.0.1:11434/v1',
      models: { 'llama3.1': { contextWindow: 16_384 } },
    });
    expect(modelWindow(16_384, compatible, 'llama3.1', facts)).toMatchObject({ requested: null, used: 4096 });
  });

  it("is the catalog's, or the agent-sized context asked of Ollama, when nothing is known of the server", () => {
    expect(modelWindow(8192, native(), 'llama3.1', undefined)).toMatchObject({ requested: 16_384, used: 8192 });
    const down: ServerFacts = { kind: null, reachable: false, checkedAt: '', models: [] };
    expect(modelWindow(32_768, native(), 'llama3.1', down)).toMatchObject({ requested: 16_384, used: 16_384 });
  });
});

describe('local server names and addresses', () => {
  it('reads an untagged Ollama name as :latest', () => {
    expect(sameOllamaModel('llama3.1', 'llama3.1:latest')).toBe(true);
    expect(sameOllamaModel('llama3.1:8b', 'llama3.1:latest')).toBe(false);
    expect(sameOllamaModel('hf.co/user/repo', 'hf.co/user/repo:latest')).toBe(true);
  });

  it("finds the server's root under /v1 or /api", () => {
    expect(serverRoot('http://127.0.0.1:11434/v1')).toBe('http://127.0.0.1:11434');
    expect(serverRoot('http://127.0.0.1:11434/api/')).toBe('http://127.0.0.1:11434');
    expect(serverRoot('http://box:8000/proxy/v1')).toBe('http://box:8000/proxy');
  });

  it('probes local and custom servers, never hosted vendors', () => {
    expect(localServerHint(provider({ kind: 'ollama' }))).toEqual({ kind: 'ollama' });
    const at = (preset?: string) =>
      localServerHint(provider({ kind: 'openai-compatible', baseURL: 'http://x/v1', ...(preset ? { preset } : {}) }));
    expect(at('lmstudio')).toEqual({ kind: 'lmstudio' });
    expect(at('custom')).toEqual({ kind: undefined });
    expect(at()).toEqual({ kind: undefined });
    expect(at('openrouter')).toBeNull();
    expect(localServerHint(provider({ kind: 'openai' }))).toBeNull();
  });
});

describe('LocalServers', () => {
  const sockets: { close(): void }[] = [];
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));

  it('gives up waiting for a server that never answers, and lets the probe finish later', async () => {
    // Accepts connections and says nothing: a probe can only end by its own timeout, long after the wait.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    sockets.push({ close: () => silent.close() });
    const { port } = silent.address() as AddressInfo;
    const servers = new LocalServers(
      () => undefined,
      (text) => text,
    );
    const silentProvider = provider({ kind: 'ollama', baseURL: `http://127.0.0.1:${port}` });
    expect(await servers.facts('p', silentProvider, { waitMs: 20 })).toBeUndefined();
    // A second caller of the same probe does not wait again once the first one's wait is spent.
    expect(await servers.facts('p', silentProvider, { waitMs: 0 })).toBeUndefined();
    const facts = await servers.facts('p', silentProvider);
    expect(facts).toMatchObject({ reachable: false, kind: null });
    expect(servers.cached('p', silentProvider)).toBe(facts);
    // Another address is another server: what was known of the old one does not carry over.
    expect(servers.cached('p', provider({ kind: 'ollama', baseURL: 'http://127.0.0.1:1' }))).toBeUndefined();
  });
});
