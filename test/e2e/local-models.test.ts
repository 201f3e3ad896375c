import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, SCREENSHOT_DIR, screenshot, useBrowser } from '../helpers/browser';
import {
  type FakeOllama,
  startFakeLlamaCpp,
  startFakeLmStudio,
  startFakeOllama,
  startFakeVllm,
} from '../fixtures/local-servers';
import { type TestServer, startTestServer } from '../helpers/server';
import { connectSse } from '../helpers/sse';
import { join } from 'node:path';

const browser = useBrowser();

const fakes: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

async function ollamaSetup(): Promise<{ ollama: FakeOllama; server: TestServer }> {
  const ollama = await startFakeOllama({
    installed: [
      {
        name: 'llama3.1:8b',
        family: 'llama',
        parameterSize: '8.0B',
        quantization: 'Q4_K_M',
        sizeBytes: 4_920_000_000,
        maxContext: 131_072,
      },
    ],
  });
  fakes.push(ollama);
  ollama.loaded.push({ name: 'llama3.1:8b', context: 8192 });
  const server = await startTestServer();
  await server.server.context.workspace.settings.patch({
    providers: { ollama: { kind: 'ollama', preset: 'ollama', baseURL: ollama.url, models: { 'llama3.1:8b': {} } } },
    defaultModel: 'ollama/llama3.1:8b',
    catalog: { refreshUrl: null },
  });
  return { ollama, server };
}

/**
 * The whole page in slices a picture viewer shows at full size: the main column scrolls inside the viewport, so the
 * viewport is made tall for the pictures.
 */
async function tallScreenshot(page: Page, viewport: { width: number; height: number }, name: string): Promise<void> {
  const height = 4000;
  await page.setViewportSize({ width: viewport.width, height });
  for (let y = 0; y < height; y += 1000)
    await page.screenshot({
      path: join(SCREENSHOT_DIR, `${name}-full-${y / 1000}.png`),
      clip: { x: 0, y, width: viewport.width, height: 1000 },
    });
  await page.setViewportSize(viewport);
}

/** Sends a chat message through the API and waits for its run to end. */
async function runOnce(server: TestServer, text: string): Promise<void> {
  const session = (await (await server.fetch('/api/sessions', { method: 'POST', body: '{}' })).json()) as {
    id: string;
  };
  const stream = await connectSse(`${server.url}/api/sessions/${session.id}/events`, { origin: server.url });
  const sent = (await (
    await server.fetch(`/api/sessions/${session.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    })
  ).json()) as { runId: string };
  await stream.waitFor((d) => d.type === 'run.completed' && d.runId === sent.runId);
  stream.close();
}

describe('Settings → Models, a provider on Ollama', () => {
  it("shows the catalog's and the server's context, sets the context length, and pulls and uninstalls a model", async () => {
    const { ollama, server } = await ollamaSetup();
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${server.url}/settings/models`);
    const card = page.getByRole('region', { name: 'Ollama' });
    await expect.poll(() => card.getByText('Ollama server').count(), { timeout: 10_000 }).toBe(1);
    // Loaded at 8192 by the server; the catalog knows nothing of it (32,768), so runs use the server's.
    await expect.poll(() => card.getByText("(the server's, smaller)").count(), { timeout: 10_000 }).toBe(1);
    expect(await card.getByText('in memory now').first().isVisible()).toBe(true);
    await expect.poll(() => card.getByText('In memory · 8.2K context').count(), { timeout: 10_000 }).toBe(1);

    const contextField = page.getByLabel('Context length for llama3.1:8b (tokens)');
    await contextField.fill('16384');
    await page.getByRole('button', { name: 'Save context length' }).click();
    await expect
      .poll(
        async () =>
          ((await (await server.fetch('/api/settings')).json()) as any).providers.ollama.models['llama3.1:8b']
            .contextWindow,
      )
      .toBe(16_384);
    await expect.poll(() => card.getByText('(asked of Ollama)').count(), { timeout: 10_000 }).toBe(1);
    // The next request asks Ollama for it.
    ollama.mock.enqueue({ text: 'ok' });
    await runOnce(server, 'hello');
    expect(ollama.mock.requests.at(-1)!.body.options).toEqual({ num_ctx: 16_384 });

    const hold = ollama.holdPulls();
    await page.getByLabel('Pull a model').fill('qwen2.5-coder:1.5b');
    await page.getByRole('button', { name: 'Pull', exact: true }).click();
    const bar = page.getByRole('progressbar', { name: 'Downloading qwen2.5-coder:1.5b' });
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 10_000 }).toBe('50');
    await bar.scrollIntoViewIfNeeded();
    await screenshot(page, 'desktop-models-ollama-pulling');

    // Leaving the page does not stop the download; coming back follows it again.
    await page.goto(`${server.url}/settings/general`);
    await page.goto(`${server.url}/settings/models`);
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 10_000 }).toBe('50');
    hold.release();
    await expect
      .poll(() => page.getByText('qwen2.5-coder:1.5b is installed.').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    const installed = page.getByRole('list', { name: 'Models on the Ollama server' });
    await expect
      .poll(() => installed.getByText('qwen2.5-coder:1.5b', { exact: true }).count(), { timeout: 10_000 })
      .toBe(1);
    expect(await installed.getByText(/1\.5B · Q4_K_M · qwen2 · 940\sMB/).count()).toBe(1);

    await page.getByRole('button', { name: 'Add qwen2.5-coder:1.5b to the models' }).click();
    await expect
      .poll(async () => Object.keys(((await (await server.fetch('/api/providers')).json()) as any).providers[0].models))
      .toEqual(['llama3.1:8b', 'qwen2.5-coder:1.5b']);

    await page.getByRole('button', { name: 'Uninstall qwen2.5-coder:1.5b' }).click();
    await page.getByRole('button', { name: 'Yes, uninstall' }).click();
    await expect
      .poll(() => installed.getByText('qwen2.5-coder:1.5b', { exact: true }).count(), { timeout: 10_000 })
      .toBe(0);
    expect(ollama.deleted).toEqual(['qwen2.5-coder:1.5b']);
    expect(errors).toEqual([]);
    await close();
  });

  it('is usable from the keyboard and reads well in both themes and on a phone', async () => {
    const { ollama, server } = await ollamaSetup();
    const hold = ollama.holdPulls();
    for (const [viewport, scheme, name] of [
      [DESKTOP, 'light', 'desktop-models-ollama'],
      [DESKTOP, 'dark', 'desktop-models-ollama-dark'],
      [PHONE, 'light', 'phone-models-ollama'],
      [PHONE, 'dark', 'phone-models-ollama-dark'],
    ] as const) {
      const { page, errors, close } = await browser.open(viewport, scheme);
      await page.goto(`${server.url}/settings/models`);
      const field = page.getByLabel('Pull a model');
      await expect.poll(() => field.count(), { timeout: 10_000 }).toBe(1);
      if (name === 'desktop-models-ollama') {
        // Typed and started with the keyboard alone.
        await field.focus();
        await page.keyboard.type('qwen2.5-coder:1.5b');
        await page.keyboard.press('Enter');
        // Uninstalling asks first, with the focus on the answer; Escape keeps the model and the focus comes back.
        await page.getByRole('button', { name: 'Uninstall llama3.1:8b' }).focus();
        await page.keyboard.press('Enter');
        const focused = () =>
          page.evaluate(
            () => document.activeElement?.textContent?.trim() || document.activeElement?.getAttribute('aria-label'),
          );
        await expect.poll(focused).toBe('Yes, uninstall');
        await page.keyboard.press('Escape');
        await expect.poll(focused).toBe('Uninstall llama3.1:8b');
        expect(ollama.deleted).toEqual([]);
      }
      const bar = page.getByRole('progressbar', { name: 'Downloading qwen2.5-coder:1.5b' });
      await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 10_000 }).toBe('50');
      await tallScreenshot(page, viewport, name);
      await screenshot(page, name);
      expect(errors).toEqual([]);
      await close();
    }
    hold.release();
  });

  it("moves a provider on Ollama's OpenAI endpoint to Ollama's own API, and shows what other servers run", async () => {
    const { ollama } = await ollamaSetup();
    const lmstudio = await startFakeLmStudio([
      { id: 'qwen2.5-7b-instruct', state: 'loaded', maxContext: 32_768, loadedContext: 16_384 },
    ]);
    const llamacpp = await startFakeLlamaCpp({ model: 'qwen2.5-coder', context: 4096, trainedContext: 32_768 });
    const vllm = await startFakeVllm([{ id: 'mistral-7b', maxModelLen: 16_000 }]);
    const gone = await startFakeVllm([{ id: 'm', maxModelLen: 4096 }]);
    await gone.close();
    fakes.push(lmstudio, llamacpp, vllm);
    const server = await startTestServer();
    await server.server.context.workspace.settings.patch({
      providers: {
        old: {
          kind: 'openai-compatible',
          preset: 'ollama',
          baseURL: `${ollama.url}/v1`,
          models: { 'llama3.1:8b': {} },
        },
        lms: {
          kind: 'openai-compatible',
          preset: 'lmstudio',
          baseURL: `${lmstudio.url}/v1`,
          models: { 'qwen2.5-7b-instruct': {} },
        },
        cpp: {
          kind: 'openai-compatible',
          preset: 'llamacpp',
          baseURL: `${llamacpp.url}/v1`,
          models: { 'qwen2.5-coder': {} },
        },
        vllm: { kind: 'openai-compatible', preset: 'vllm', baseURL: `${vllm.url}/v1`, models: { 'mistral-7b': {} } },
        off: {
          kind: 'openai-compatible',
          preset: 'vllm',
          label: 'Switched off',
          baseURL: `${gone.url}/v1`,
          models: {},
        },
      },
      catalog: { refreshUrl: null },
    });
    for (const [viewport, scheme, name] of [
      [DESKTOP, 'light', 'desktop-models-local-servers'],
      [DESKTOP, 'dark', 'desktop-models-local-servers-dark'],
      [PHONE, 'light', 'phone-models-local-servers'],
      [PHONE, 'dark', 'phone-models-local-servers-dark'],
    ] as const) {
      const { page, errors, close } = await browser.open(viewport, scheme);
      await page.goto(`${server.url}/settings/models`);
      await expect.poll(() => page.getByText('The server does not answer').count(), { timeout: 10_000 }).toBe(1);
      for (const title of ['LM Studio server', 'llama.cpp server', 'vLLM server'])
        await expect.poll(() => page.getByText(title, { exact: true }).count(), { timeout: 10_000 }).toBeGreaterThan(0);
      await expect
        .poll(() => page.getByText('Ollama through its OpenAI endpoint').count(), { timeout: 10_000 })
        .toBe(1);
      await tallScreenshot(page, viewport, name);
      await screenshot(page, name);
      expect(errors).toEqual([]);
      await close();
    }

    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${server.url}/settings/models`);
    await page.getByRole('button', { name: 'Use Ollama’s own API' }).click();
    await expect
      .poll(async () => ((await (await server.fetch('/api/settings')).json()) as any).providers.old, {
        timeout: 10_000,
      })
      .toMatchObject({ kind: 'ollama', preset: 'ollama', baseURL: ollama.url });
    await expect
      .poll(() => page.getByLabel('Context length for llama3.1:8b (tokens)').count(), { timeout: 10_000 })
      .toBe(1);
    expect(errors).toEqual([]);
    await close();
  });
});
