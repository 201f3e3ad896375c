import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startChat, startMock } from '../helpers/chat';

const browser = useBrowser();

const THEMES = [
  [DESKTOP, 'light', 'desktop'],
  [DESKTOP, 'dark', 'desktop'],
  [PHONE, 'light', 'phone'],
  [PHONE, 'dark', 'phone'],
] as const;

describe('a provider that is down', () => {
  it(
    'counts down to each retry on the card, ends with one sentence, and Retry sends the message again',
    { timeout: 90_000 },
    async () => {
      // Slow enough retries to see the countdown; the provider's port is closed.
      const chat = await startChat({ agent: { retry: { maxAttempts: 3, baseDelayMs: 4000, maxDelayMs: 4000 } } });
      const port = new URL(chat.mock.url).port;
      await chat.mock.close();
      const { page, errors, close } = await browser.open(DESKTOP);
      await page.goto(`${chat.server.url}/chat`);
      await page.getByRole('textbox', { name: 'Message' }).fill('are you there?');
      await page.getByRole('button', { name: 'Send' }).click();

      const countdown = page.getByTestId('retry-notice');
      await expect
        .poll(() => countdown.first().textContent(), { timeout: 10_000 })
        .toMatch(
          /^Retrying (in \d s|now) \(attempt 2 of 3\)Retrying the model call, attempt 2 of 3\.Cannot reach the provider "mock"/,
        );
      await screenshot(page, 'desktop-chat-retrying');
      // A page opened meanwhile counts down too: the retries are in the session's events.
      for (const [viewport, scheme, name] of THEMES.slice(1)) {
        const other = await browser.open(viewport, scheme);
        await other.page.goto(page.url());
        await expect.poll(() => other.page.getByTestId('retry-notice').count(), { timeout: 5_000 }).toBe(1);
        await screenshot(other.page, `${name}-chat-retrying-${scheme}`);
        await other.close();
      }
      await expect
        .poll(() => countdown.first().textContent(), { timeout: 15_000 })
        .toMatch(/^Retrying (in \d s|now) \(attempt 3 of 3\)/);

      const failure = page.getByRole('alert').filter({ hasText: 'Cannot reach' });
      await expect.poll(() => failure.count(), { timeout: 20_000 }).toBe(1);
      expect(await countdown.count()).toBe(0);
      // One sentence: where, why and how often; nothing said twice.
      expect((await failure.locator('p').textContent())?.trim()).toBe(
        `Cannot reach the provider "mock" at http://127.0.0.1:${port}/v1 (ECONNREFUSED) after 3 attempts.`,
      );
      const retry = failure.getByRole('button', { name: 'Retry' });
      expect(await retry.isEnabled()).toBe(true);
      for (const [viewport, scheme, name] of THEMES) {
        const other = await browser.open(viewport, scheme);
        await other.page.goto(page.url());
        await expect.poll(() => other.page.getByRole('button', { name: 'Retry' }).count(), { timeout: 10_000 }).toBe(1);
        await screenshot(other.page, `${name}-chat-provider-down-${scheme}`);
        expect(other.errors).toEqual([]);
        await other.close();
      }

      // The provider is back (at another address): Retry sends the same message again, and the answer comes.
      const back = await startMock();
      back.enqueue({ text: 'Yes, here now.', usage: { inputTokens: 40, outputTokens: 4 } });
      await chat.server.server.context.workspace.settings.patch({ providers: { mock: { baseURL: `${back.url}/v1` } } });
      await retry.click();
      await expect.poll(() => page.getByText('Yes, here now.').count(), { timeout: 10_000 }).toBe(1);
      expect(JSON.stringify(back.requests[0]!.body.messages)).toContain('are you there?');
      await expect.poll(() => page.getByRole('button', { name: 'Retry' }).count()).toBe(0);
      expect(await page.getByTestId('user-message').allTextContents()).toEqual(['are you there?', 'are you there?']);

      // The mock model has no price: the header says so instead of $0.0000.
      await expect
        .poll(() => page.getByTestId('usage-counter').textContent())
        .toMatch(/40 in · 4 out · price unknown$/);
      expect(await page.getByTestId('usage-counter').textContent()).not.toContain('$');
      expect(errors.filter((e) => !/ERR_CONNECTION_REFUSED/.test(e))).toEqual([]);
      await close();
    },
  );
});

describe('an unknown session address', () => {
  it('shows only that the session was not found, with a link to a new chat', async () => {
    const chat = await startChat();
    for (const [viewport, scheme, name] of THEMES) {
      const { page, errors, close } = await browser.open(viewport, scheme);
      await page.goto(`${chat.server.url}/chat/ses_0000000000nosuchsession`);
      await expect.poll(() => page.getByRole('heading', { name: 'Session not found' }).count()).toBe(1);
      for (const control of ['Export', 'Clear history', 'Session controls', 'Send'])
        expect(await page.getByRole('button', { name: control }).count()).toBe(0);
      expect(await page.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
      expect(await page.getByRole('combobox', { name: 'Permission mode' }).count()).toBe(0);
      await screenshot(page, `${name}-chat-not-found-${scheme}`);
      expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
      await close();
    }

    const { page, close } = await browser.open(PHONE);
    await page.goto(`${chat.server.url}/chat/ses_0000000000nosuchsession`);
    await page.getByRole('link', { name: 'Start a new chat' }).click();
    await page.waitForURL(`${chat.server.url}/chat`);
    await expect.poll(() => page.getByRole('textbox', { name: 'Message' }).count()).toBe(1);
    await close();
  });
});

describe('the chat header on a phone', () => {
  it('stays one line of at most 56 px with a readable title; the controls fold into a panel', async () => {
    const chat = await startChat();
    const id = await chat.newSession();
    chat.mock.enqueue({ text: 'Done.' });
    await chat.run(id, 'Plan the database migration for the invoices table');
    for (const [viewport, scheme, name] of THEMES) {
      const { page, errors, close } = await browser.open(viewport, scheme);
      await page.goto(`${chat.server.url}/chat/${id}`);
      const title = page.getByRole('heading', { level: 1 });
      await expect.poll(() => title.textContent()).toBe('Plan the database migration for the invoices table');
      const header = title.locator('xpath=ancestor::header');
      const mode = page.getByRole('combobox', { name: 'Permission mode' });
      await expect.poll(() => page.getByText('Done.').count()).toBe(1);
      if (viewport === PHONE) {
        // One bar at the top of the screen: the chat's header is the phone's top bar, with the navigation's button.
        const bar = (await header.boundingBox())!;
        expect(bar.y + bar.height).toBeLessThanOrEqual(56);
        expect(await header.getByRole('button', { name: /^Open navigation/ }).isVisible()).toBe(true);
        // The title has the header's width but for three buttons.
        expect((await title.boundingBox())!.width).toBeGreaterThan(200);
        expect(await mode.isVisible()).toBe(false);
        await screenshot(page, `${name}-chat-header-${scheme}`);
        const toggle = page.getByRole('button', { name: 'Session controls' });
        await toggle.click();
        expect(await toggle.getAttribute('aria-expanded')).toBe('true');
        expect(await mode.isVisible()).toBe(true);
        expect(await page.getByRole('button', { name: 'Export' }).isVisible()).toBe(true);
        expect((await header.boundingBox())!.height).toBeLessThanOrEqual(56);
        await screenshot(page, `${name}-chat-header-controls-${scheme}`);
        await mode.focus();
        await page.keyboard.press('Escape');
        expect(await mode.isVisible()).toBe(false);
        // Focus goes back to the button that opened the panel.
        expect(await toggle.evaluate((el) => el === document.activeElement)).toBe(true);
      } else {
        expect(await page.getByRole('button', { name: 'Session controls' }).isVisible()).toBe(false);
        expect(await mode.isVisible()).toBe(true);
        await screenshot(page, `${name}-chat-header-${scheme}`);
      }
      expect(errors).toEqual([]);
      await close();
    }
  });
});
