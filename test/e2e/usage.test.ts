import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { type ChatHarness, startChat } from '../helpers/chat';
import { scriptConversations } from '../helpers/conversations';
import { startTestServer } from '../helpers/server';

const browser = useBrowser();

/** $1,000 per million tokens: the mock's default call (10 in, 5 out) costs $0.015. */
const SETTINGS = {
  providers: { mock: { models: { 'mock-model': { pricing: { input: 1000, output: 1000 } }, unpriced: {} } } },
  permissions: { rules: ['allow agent(general)'] },
};

/** Noon, local time, `daysAgo` days before today: well inside that day in the browser's (and this process's) zone. */
function localNoon(daysAgo: number): Date {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysAgo, 12);
}
const dateInput = (date: Date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;

/** Two chats today (one spawning a general agent, one on a model without a price), and two older calls. */
async function seed(chat: ChatHarness): Promise<{ planner: string; cheap: string }> {
  await chat.server.server.context.workspace.settings.patch(SETTINGS);
  scriptConversations(chat.mock, {
    'PLAN-RUN': [
      { toolCalls: [{ name: 'agent', input: { description: 'Help out', prompt: 'HELPER-RUN: count the files' } }] },
      { text: 'Planned.', usage: { inputTokens: 2000, outputTokens: 100, cacheReadTokens: 1500 } },
    ],
    'HELPER-RUN': [{ text: 'Counted.' }],
    'CHEAP-RUN': [{ text: 'Cheap answer.' }],
  });
  const planner = await chat.newSession();
  await chat.run(planner, 'PLAN-RUN: plan the release');
  const cheap = await chat.newSession();
  await chat.run(cheap, 'CHEAP-RUN: a quick question', { model: 'mock/unpriced' });
  const old = (daysAgo: number, costUsd: number) =>
    JSON.stringify({
      time: localNoon(daysAgo).toISOString(),
      sessionId: planner,
      provider: 'mock',
      model: 'mock-model',
      inputTokens: 1000,
      outputTokens: 100,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd,
    });
  await appendFile(join(chat.server.workspaceDir, '.boxagnts', 'usage.jsonl'), `${old(3, 0.5)}\n${old(20, 2)}\n`);
  return { planner, cheap };
}

const text = (page: Page, testId: string) => page.getByTestId(testId).textContent();
const section = (page: Page, name: string) => page.getByRole('region', { name, exact: true });
const row = (page: Page, table: string, name: string | RegExp) =>
  section(page, table)
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name }) });
const bars = (page: Page) => page.getByTestId('usage-chart').locator('svg > g.group');
const sideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
const unnamed = (page: Page) =>
  page.locator('main').evaluate((el) =>
    Array.from(el.querySelectorAll('input, select, textarea, button, a'))
      .filter((control) => {
        const labelled = control.getAttribute('aria-label') || (control as HTMLInputElement).labels?.length;
        return !labelled && !control.textContent?.trim();
      })
      .map((control) => control.outerHTML),
  );

describe('Usage page', () => {
  it('shows totals, a chart and tables for a range, unknown prices as unknown, and downloads the CSV', async () => {
    const chat = await startChat();
    await seed(chat);
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${chat.server.url}/usage`);

    // Last 7 days: today's five calls (planner 2, its agent 1, ... the unpriced 1) and the one of 3 days ago.
    await expect.poll(() => text(page, 'usage-total-calls')).toBe('5');
    // Priced today: $0.015 (agent call) + $0.015 (helper) + $2.1 (2,100 tokens) ; 3 days ago $0.5; one call unpriced.
    expect(await text(page, 'usage-total-cost')).toBe('≥ $2.63');
    expect(await page.getByText('Some prices unknown').count()).toBe(1);
    // Cache: 1,500 of 2,000 + 10 + 10 + 10 + 1,000 input tokens.
    expect(await text(page, 'usage-total-cache')).toBe(`${((1500 / 3030) * 100).toFixed(1)}%`);
    expect(await text(page, 'usage-total-in')).toBe('3K');
    await expect.poll(() => bars(page).count()).toBe(7);
    expect(await page.getByTestId('usage-chart').getByRole('img').getAttribute('aria-label')).toMatch(
      /^Cost per day from .+, 5 calls$/,
    );

    // The model without a price: unknown, never $0.
    const unpriced = row(page, 'Per model', 'mock/unpriced');
    expect(await unpriced.getByRole('cell').last().textContent()).toBe('unknown');
    expect(await row(page, 'Per model', 'mock/mock-model').getByRole('cell').last().textContent()).toBe('$2.63');

    // The planner's session holds its agent's spending; opening it lists the agent's session.
    const planner = row(page, 'Per session', /PLAN-RUN: plan the release/);
    expect(await planner.textContent()).toContain('with 1 agent session');
    expect(await planner.getByRole('cell').first().textContent()).toBe('4');
    await planner.getByRole('button', { name: /^Show the 1 agent session of PLAN-RUN/ }).click();
    const helper = row(page, 'Per session', /Help out/);
    expect(await helper.textContent()).toContain('general');
    expect(await helper.getByRole('cell').first().textContent()).toBe('1');
    expect(
      await row(page, 'Per session', /CHEAP-RUN/)
        .getByRole('cell')
        .last()
        .textContent(),
    ).toBe('unknown');

    expect(
      await row(page, 'Per agent type', /The plain agent/)
        .getByRole('cell')
        .first()
        .textContent(),
    ).toBe('4');
    expect(await row(page, 'Per agent type', 'general').getByRole('cell').first().textContent()).toBe('1');
    expect(await unnamed(page)).toEqual([]);
    await screenshot(page, 'desktop-usage');

    // The chart as a table, and in tokens.
    const days = section(page, 'Per day');
    await days.getByRole('radio', { name: 'Tokens' }).click();
    expect(await page.getByTestId('usage-chart').getByRole('img').getAttribute('aria-label')).toMatch(
      /^Tokens per day/,
    );
    await screenshot(page, 'desktop-usage-tokens');
    await days.getByRole('radio', { name: 'Table' }).click();
    expect(await days.getByRole('table').getByRole('row').count()).toBe(8);

    // 30 days takes in the call of 20 days ago.
    await page.getByRole('radio', { name: '30 days' }).click();
    await expect.poll(() => text(page, 'usage-total-calls')).toBe('6');
    expect(await text(page, 'usage-total-cost')).toBe('≥ $4.63');
    await days.getByRole('radio', { name: 'Chart' }).click();
    await expect.poll(() => bars(page).count()).toBe(30);
    await days.scrollIntoViewIfNeeded();
    await screenshot(page, 'desktop-usage-30-days');

    // A custom range of that one day: one priced call, nothing unknown.
    await page.getByRole('radio', { name: 'Custom' }).click();
    const twentyAgo = dateInput(localNoon(20));
    await page.getByLabel('From', { exact: true }).fill(twentyAgo);
    await page.getByLabel('To', { exact: true }).fill(twentyAgo);
    await expect.poll(() => text(page, 'usage-total-calls')).toBe('1');
    expect(await text(page, 'usage-total-cost')).toBe('$2.00');
    expect(await page.getByText('All calls priced').count()).toBe(1);
    // A range that ends before it starts says so and keeps the figures.
    await page.getByLabel('From', { exact: true }).fill(dateInput(localNoon(19)));
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/must start on or before/);
    expect(await text(page, 'usage-total-calls')).toBe('1');

    // The CSV of the models over the last 7 days.
    await page.getByRole('radio', { name: '7 days' }).click();
    await expect.poll(() => text(page, 'usage-total-calls')).toBe('5');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download usage per model as CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('usage-by-model.csv');
    const csv = (await readFile((await download.path())!, 'utf8')).trimEnd().split('\r\n');
    expect(csv[0]).toBe(
      'model,calls,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,cache_hit_rate,cost_usd,unpriced_calls',
    );
    expect(csv.slice(1)).toEqual([
      `mock/mock-model,4,3020,210,1500,0,${Math.round((1500 / 3020) * 1e4) / 1e4},2.63,0`,
      'mock/unpriced,1,10,5,0,0,0,,1',
    ]);
    expect(errors).toEqual([]);
    await close();
  });

  for (const [name, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const)
    it(`reads at ${name} width in the dark theme and the light one`, async () => {
      const chat = await startChat();
      await seed(chat);
      for (const scheme of ['light', 'dark'] as const) {
        const { page, errors, close } = await browser.open(viewport, scheme);
        await page.goto(`${chat.server.url}/usage`);
        await expect.poll(() => text(page, 'usage-total-calls')).toBe('5');
        await expect.poll(() => bars(page).count()).toBe(7);
        expect(await sideways(page)).toBeLessThanOrEqual(0);
        await screenshot(page, `${name}-usage-${scheme}`);
        await section(page, 'Per day').scrollIntoViewIfNeeded();
        await screenshot(page, `${name}-usage-chart-${scheme}`);
        await section(page, 'Per session').scrollIntoViewIfNeeded();
        await section(page, 'Per session')
          .getByRole('button', { name: /^Show the 1 agent session/ })
          .click();
        await screenshot(page, `${name}-usage-sessions-${scheme}`);
        expect(await sideways(page)).toBeLessThanOrEqual(0);
        await page.getByRole('radio', { name: 'Custom' }).click();
        await page.getByLabel('From', { exact: true }).focus();
        await screenshot(page, `${name}-usage-custom-${scheme}`);
        expect(await sideways(page)).toBeLessThanOrEqual(0);
        expect(errors).toEqual([]);
        await close();
      }
    });

  it('says so when the range has no model calls', async () => {
    const server = await startTestServer();
    const { page, errors, close } = await browser.open(PHONE);
    await page.goto(`${server.url}/usage`);
    await expect.poll(() => page.getByText('No model calls in this range').count()).toBe(1);
    expect(await page.getByTestId('usage-total-cost').count()).toBe(0);
    await screenshot(page, 'phone-usage-empty');
    expect(errors).toEqual([]);
    await close();
  });
});
