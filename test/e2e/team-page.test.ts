import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startTestServer } from '../helpers/server';
import { colorsOf, contrast } from './colors';

const browser = useBrowser();

const sideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** Controls of the page's main area with no accessible name: none is allowed. */
const unnamed = (page: Page) =>
  page.locator('main').evaluate((el) =>
    Array.from(el.querySelectorAll('input, select, textarea, button, a, [tabindex]'))
      .filter((control) => {
        const labelled = control.getAttribute('aria-label') || (control as HTMLInputElement).labels?.length;
        return !labelled && !control.textContent?.trim();
      })
      .map((control) => control.outerHTML),
  );

/** Presses Tab until the focus is on `name`'s link in the navigation; false if it never gets there. */
async function tabTo(page: Page, name: string): Promise<boolean> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      return el instanceof HTMLAnchorElement && el.closest('nav') ? el.textContent?.trim() : null;
    });
    if (focused === name) return true;
  }
  return false;
}

describe('Team page', () => {
  it('without --team explains team mode and how to start it, reachable from the keyboard', async () => {
    const server = await startTestServer();
    expect(await (await server.fetch('/api/team')).json()).toEqual({ enabled: false });
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${server.url}/chat`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await tabTo(page, 'Team')).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/team');

    await page.getByRole('heading', { name: 'Team mode is off' }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Team');
    const steps = page.getByRole('main').getByRole('listitem');
    expect(await steps.count()).toBe(3);
    expect(await steps.nth(0).textContent()).toContain('boxagnts serve --team postgres://');
    expect(await steps.nth(1).textContent()).toContain('boxagnts worker-role NAME --team ADMIN_URL');
    expect(await steps.nth(2).textContent()).toContain(
      'boxagnts worker --team WORKER_URL --workspace-dir DIR --concurrency N',
    );
    expect(await page.getByText('Team mode', { exact: true }).count()).toBe(1);
    // Off is not a failure: nothing on the page reads as an error.
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await unnamed(page)).toEqual([]);
    await screenshot(page, 'team-disabled-desktop-light');
    expect(errors).toEqual([]);
    await close();

    for (const theme of ['light', 'dark'] as const) {
      const phone = await browser.open(PHONE, theme);
      await phone.page.goto(`${server.url}/team`);
      await phone.page.getByRole('heading', { name: 'Team mode is off' }).waitFor();
      expect(await sideways(phone.page)).toBe(0);
      for (const text of [
        phone.page.getByText('boxagnts worker-role NAME --team ADMIN_URL'),
        phone.page.getByText(/^In team mode, scheduled jobs/),
      ]) {
        const { text: ink, background } = await colorsOf(text);
        expect(contrast(ink, background), `${theme}: ${await text.textContent()}`).toBeGreaterThanOrEqual(4.5);
      }
      await screenshot(phone.page, `team-disabled-phone-${theme}`);
      expect(phone.errors).toEqual([]);
      await phone.close();
    }
  });
});
