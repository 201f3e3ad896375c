import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startTestServer } from '../helpers/server';
import { tempDir } from '../helpers/workspace';

const browser = useBrowser();

describe('the workspace folder in the dashboard', () => {
  for (const [name, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    for (const theme of ['light', 'dark'] as const) {
      it(`shows the served folder's name and whole path, and how to switch, at ${name} width (${theme})`, async () => {
        const workspaceDir = await tempDir('my-project-');
        const folder = workspaceDir.split('/').pop()!;
        const server = await startTestServer({ workspaceDir });
        const health = (await (await server.fetch('/api/health')).json()) as {
          workspace: string;
          workspaceDir: string;
        };
        expect(health).toMatchObject({ workspace: folder, workspaceDir });

        const { page, errors, close } = await browser.open(viewport, theme);
        // A page with the app's own top bar (the chat's header replaces it on a phone).
        await page.goto(`${server.url}/usage`);
        await expect.poll(() => page.getByRole('heading', { level: 1 }).count()).toBe(1);
        if (name === 'phone') {
          // The header names the workspace while the navigation is folded away, with the path as its tooltip.
          const header = page.getByRole('banner').getByText(folder, { exact: true });
          expect(await header.getAttribute('title')).toBe(workspaceDir);
          await screenshot(page, `phone-workspace-header-${theme}`);
          await page.getByRole('button', { name: /^Open navigation/ }).click();
        }
        const region = page.getByRole('region', { name: 'Workspace' });
        await expect.poll(() => region.getByTestId('workspace-dir').textContent()).toBe(workspaceDir);
        expect(await region.getByText(folder, { exact: true }).getAttribute('title')).toBe(workspaceDir);
        expect(await region.textContent()).toContain('Another folder: start with --workspace-dir DIR');
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow).toBeLessThanOrEqual(0);
        await screenshot(page, `${name}-workspace-folder-${theme}`);
        expect(errors).toEqual([]);
        await close();
      });
    }
  }
});
