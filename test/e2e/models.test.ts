import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startMock } from '../helpers/chat';
import { startTestServer } from '../helpers/server';

const browser = useBrowser();

describe('Settings → Models', () => {
  it('adds a local provider from its preset, discovers models, makes one the default and tests the connection', async () => {
    const mock = await startMock({ models: ['llama3.1', 'qwen2.5-coder'] });
    const server = await startTestServer();
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${server.url}/settings/models`);
    await page.getByRole('button', { name: 'Add provider' }).first().click();
    await page.getByRole('button', { name: /^Ollama/ }).click();
    await page.getByLabel('Base URL').fill(mock.url);
    await page.getByRole('button', { name: 'Add provider' }).last().click();
    await expect.poll(() => page.getByRole('button', { name: 'Discover models' }).count()).toBe(1);

    await page.getByRole('button', { name: 'Discover models' }).click();
    await page.getByRole('checkbox', { name: /Select all/ }).check();
    await page.getByRole('button', { name: 'Add 2 models' }).click();
    await expect
      .poll(async () => Object.keys(((await (await server.fetch('/api/providers')).json()) as any).providers[0].models))
      .toEqual(['llama3.1', 'qwen2.5-coder']);

    await page.getByRole('button', { name: 'Make default' }).first().click();
    await expect
      .poll(async () => ((await (await server.fetch('/api/settings')).json()) as any).defaultModel)
      .toBe('ollama/llama3.1');

    mock.enqueue({ error: { status: 500, message: 'model is loading, try again' } });
    await page.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => page.getByText('model is loading, try again', { exact: false }).count()).toBe(1);
    await screenshot(page, 'desktop-settings-models');
    expect(errors).toEqual([]);
    await close();
  });

  it('keeps a stored key when a provider is edited without retyping it', async () => {
    const server = await startTestServer();
    await server.fetch('/api/providers/openai', {
      method: 'PUT',
      body: JSON.stringify({ kind: 'openai', preset: 'openai', apiKey: 'sk-stored', models: { 'gpt-4o': {} } }),
    });
    const { page, errors, close } = await browser.open(PHONE);
    await page.goto(`${server.url}/settings/models`);
    await expect.poll(() => page.getByText('Key stored').count()).toBe(1);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    expect(await page.getByLabel('API key').inputValue()).toBe('');
    await page.getByLabel('Name').fill('Work OpenAI');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.getByText('Work OpenAI').count()).toBeGreaterThan(0);
    const provider = ((await (await server.fetch('/api/providers')).json()) as any).providers[0];
    expect(provider).toMatchObject({ label: 'Work OpenAI', hasKey: true, keySource: 'secrets' });
    expect(await page.content()).not.toContain('sk-stored');
    await screenshot(page, 'phone-settings-models');
    expect(errors).toEqual([]);
    await close();
  });

  it('words the discovery panel after the provider’s list as it is now: after adding, and after removing', async () => {
    const mock = await startMock({ models: ['llama3.1', 'qwen2.5-coder'] });
    const server = await startTestServer();
    for (const [viewport, theme, name] of [
      [DESKTOP, 'light', 'desktop-settings-models-discovered'],
      [DESKTOP, 'dark', 'desktop-dark-settings-models-discovered'],
      [PHONE, 'light', 'phone-settings-models-discovered'],
      [PHONE, 'dark', 'phone-dark-settings-models-discovered'],
    ] as const) {
      await server.fetch('/api/providers/ollama', {
        method: 'PUT',
        body: JSON.stringify({ kind: 'ollama', preset: 'ollama', baseURL: mock.url, models: {} }),
      });
      const { page, errors, close } = await browser.open(viewport, theme);
      await page.goto(`${server.url}/settings/models`);
      await page.getByRole('button', { name: 'Discover models' }).click();
      const summary = page.getByRole('status').filter({ hasText: /models? the provider lists|Found/ });
      await expect.poll(() => summary.textContent()).toBe('Found 2 models.');

      await page.getByRole('checkbox', { name: 'llama3.1' }).check();
      await page.getByRole('button', { name: 'Add 1 model' }).click();
      await expect
        .poll(() => summary.textContent())
        .toBe('Added llama3.1. 1 of the 2 models the provider lists is not added yet.');
      await page.getByRole('checkbox', { name: 'qwen2.5-coder' }).check();
      await page.getByRole('button', { name: 'Add 1 model' }).click();
      await expect
        .poll(() => summary.textContent())
        .toBe('Added qwen2.5-coder. All 2 models the provider lists are added.');
      expect(await page.getByText('added already').count()).toBe(0);
      await summary.scrollIntoViewIfNeeded();
      await screenshot(page, name);

      // Removed from the list: the panel offers it again and no longer says it was added.
      await page.getByRole('button', { name: 'Remove qwen2.5-coder' }).click();
      await expect.poll(() => summary.textContent()).toBe('1 of the 2 models the provider lists is not added yet.');
      expect(await page.getByRole('checkbox', { name: 'qwen2.5-coder' }).count()).toBe(1);
      expect(errors).toEqual([]);
      await close();
    }
  }, 60_000);
});
