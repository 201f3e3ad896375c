import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startTestServer } from '../helpers/server';

const browser = useBrowser();

describe('Settings → AGENTS.md', () => {
  it('says there are no notes yet, creates them, and labels Save by what there is to save', async () => {
    for (const [viewport, theme, name] of [
      [DESKTOP, 'light', 'desktop-agents-md'],
      [DESKTOP, 'dark', 'desktop-dark-agents-md'],
      [PHONE, 'light', 'phone-agents-md'],
      [PHONE, 'dark', 'phone-dark-agents-md'],
    ] as const) {
      const server = await startTestServer();
      const file = server.server.context.workspace.paths.agentsFile;
      const { page, errors, close } = await browser.open(viewport, theme);
      await page.goto(`${server.url}/settings/agents-md`);
      await expect.poll(() => page.getByRole('heading', { name: 'No AGENTS.md yet' }).count()).toBe(1);
      // Nothing exists, so nothing claims to be saved, and there is no editor to mistake a placeholder for notes.
      expect(await page.getByText('Saved').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
      expect(await page.getByLabel('AGENTS.md').count()).toBe(0);
      await screenshot(page, `${name}-empty`);

      await page.getByRole('button', { name: 'Create AGENTS.md' }).click();
      const editor = page.getByLabel('AGENTS.md');
      await expect.poll(() => editor.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(await editor.inputValue()).toBe('');
      expect(await editor.getAttribute('placeholder')).toMatch(/^For example:/);
      const save = page.getByRole('button', { name: 'Save', exact: true });
      expect(await save.isDisabled()).toBe(true);
      await screenshot(page, `${name}-new`);

      await editor.fill('# Notes\n\n- Run `npm test`.\n');
      expect(await save.isDisabled()).toBe(false);
      expect(await page.getByRole('status').textContent()).toBe('Unsaved changes');
      await save.click();
      await expect.poll(() => page.getByRole('status').textContent()).toBe('Saved');
      expect(await save.isDisabled()).toBe(true);
      expect(await readFile(file, 'utf8')).toBe('# Notes\n\n- Run `npm test`.\n');
      await screenshot(page, `${name}-saved`);

      // Once there are notes, the page opens on them, with nothing to save.
      await page.reload();
      await expect.poll(() => page.getByLabel('AGENTS.md').inputValue()).toBe('# Notes\n\n- Run `npm test`.\n');
      expect(await page.getByRole('heading', { name: 'No AGENTS.md yet' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Save', exact: true }).isDisabled()).toBe(true);
      expect(errors).toEqual([]);
      await close();
    }
  }, 60_000);
});
