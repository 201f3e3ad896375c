import { describe, expect, it } from 'vitest';
import { SessionSummarySchema } from '../../src/contract/sessions';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startTestServer } from '../helpers/server';

const browser = useBrowser();

/** One server-sent event per object, as the server writes them; `retry` keeps the browser from reconnecting. */
const sseBody = (events: object[]) =>
  `retry: 600000\n\n${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}`;

describe('Dashboard: answers that do not fit the contract', () => {
  it('shows an answer of the wrong shape as an error naming the route and the field, and does not break', async () => {
    const server = await startTestServer();
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.route('**/api/tools', (route) =>
      route.request().method() === 'GET'
        ? route.fulfill({ json: { tools: [{ name: 42 }], problems: [] } })
        : route.continue(),
    );
    await page.goto(`${server.url}/tools`);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/GET \/api\/tools.*at tools\.0\.name/);
    await screenshot(page, 'desktop-tools-bad-answer');
    // The rest of the dashboard still works: the navigation leads to another page, which loads.
    await page.getByRole('link', { name: 'Approvals' }).first().click();
    await expect.poll(() => page.getByRole('heading', { name: 'Approvals' }).count()).toBe(1);
    expect(errors).toEqual([]);
    await close();

    const phone = await browser.open(PHONE, 'dark');
    await phone.page.route('**/api/tools', (route) => route.fulfill({ json: { tools: [{ name: 42 }], problems: [] } }));
    await phone.page.goto(`${server.url}/tools`);
    await expect.poll(() => phone.page.getByRole('alert').textContent()).toMatch(/unexpected shape/);
    await screenshot(phone.page, 'phone-dark-tools-bad-answer');
    await phone.close();
  });

  it('skips a stream event of an unknown type, reports a damaged one, and applies the rest', async () => {
    const server = await startTestServer();
    const created = await server.fetch('/api/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const { id } = SessionSummarySchema.parse(await created.json());
    const { page, errors, close } = await browser.open(DESKTOP);
    const time = new Date().toISOString();
    await page.route(`**/api/sessions/${id}/events*`, (route) =>
      route.fulfill({
        headers: { 'content-type': 'text/event-stream' },
        body: sseBody([
          { type: 'stream.open', bootId: 'test' },
          { type: 'from.a.newer.server', id: 1, time },
          { type: 'message.user', id: 2, time, runId: 'r1', messageId: 'm1', text: 7 },
          { type: 'session.renamed', id: 3, time, title: 'Renamed on the stream' },
        ]),
      }),
    );
    await page.goto(`${server.url}/chat/${id}`);
    await expect.poll(() => page.getByRole('heading', { name: 'Renamed on the stream' }).count()).toBe(1);
    const status = page.getByRole('status').filter({ hasText: 'damaged' });
    await expect.poll(() => status.textContent()).toMatch(/damaged message\.user event .*text/);
    expect(await status.textContent()).not.toContain('from.a.newer.server');
    expect(errors).toEqual([]);
    await close();
  });
});
