import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startTestServer } from '../helpers/server';

const PAGES = [
  { label: 'Chat', path: '/chat', heading: 'New chat' },
  { label: 'Approvals', path: '/approvals', heading: 'Approvals' },
  { label: 'Files', path: '/files', heading: 'Files' },
  { label: 'Skills', path: '/skills', heading: 'Skills' },
  { label: 'Tools', path: '/tools', heading: 'Tools' },
  { label: 'Agents', path: '/agents', heading: 'Agents' },
  { label: 'MCP', path: '/mcp', heading: 'MCP servers' },
  { label: 'Cron', path: '/cron', heading: 'Cron jobs' },
  { label: 'Team', path: '/team', heading: 'Team' },
  { label: 'Sites', path: '/sites', heading: 'Sites' },
  { label: 'Usage', path: '/usage', heading: 'Usage' },
  { label: 'General', path: '/settings/general', heading: 'General' },
  { label: 'Models', path: '/settings/models', heading: 'Models' },
  { label: 'Sessions', path: '/settings/sessions', heading: 'Sessions' },
  { label: 'Security', path: '/settings/security', heading: 'Security' },
  { label: 'AGENTS.md', path: '/settings/agents-md', heading: 'AGENTS.md' },
];

const browser = useBrowser();

describe('dashboard navigation', () => {
  for (const [name, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    it(`reaches every page from the navigation at ${name} width without console errors`, async () => {
      const server = await startTestServer();
      const { page, errors, close } = await browser.open(viewport);
      await page.goto(server.url);
      await page.waitForURL('**/chat');
      for (const target of PAGES) {
        if (name === 'phone') await page.getByRole('button', { name: /^Open navigation/ }).click();
        await page
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: target.label, exact: true })
          .click();
        await page.waitForURL(`**${target.path}`);
        await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(target.heading);
        if (name === 'phone') expect(await page.getByRole('dialog', { name: 'Navigation' }).count()).toBe(0);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow, `${target.path} scrolls sideways`).toBeLessThanOrEqual(0);
        await screenshot(page, `${name}-${target.path.slice(1).replace(/\//g, '-')}`);
      }
      expect(errors).toEqual([]);
      await close();
    });
  }

  it('follows the system colour scheme and the saved theme setting', async () => {
    const server = await startTestServer();
    const { page, errors, close } = await browser.open(DESKTOP, 'dark');
    await page.goto(`${server.url}/settings/general`);
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    await screenshot(page, 'desktop-settings-general-dark');
    await page.getByRole('radio', { name: 'Light' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(false);
    const saved = (await (await server.fetch('/api/settings')).json()) as { ui: { theme: string } };
    expect(saved.ui.theme).toBe('light');
    await page.reload();
    await expect.poll(() => page.getByRole('radio', { name: 'Light' }).getAttribute('aria-checked')).toBe('true');
    expect(errors).toEqual([]);
    await close();
  });

  it('Settings → General saves a host name and shows the server reason for a bad one', async () => {
    const server = await startTestServer();
    const { page, errors, close } = await browser.open(PHONE);
    await page.goto(`${server.url}/settings/general`);
    const input = page.getByLabel('Host name');
    await input.fill('box.example.com');
    await page.getByRole('button', { name: 'Add' }).click();
    await expect.poll(() => page.getByText('box.example.com', { exact: true }).count()).toBe(1);
    await input.fill('http://bad/');
    await page.getByRole('button', { name: 'Add' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/server\.allowedHosts\[1\]: must be a bare host name/);
    const saved = (await (await server.fetch('/api/settings')).json()) as { server: { allowedHosts: string[] } };
    expect(saved.server.allowedHosts).toEqual(['box.example.com']);
    await screenshot(page, 'phone-settings-general-error');
    // The 400 is expected and shown on the page; the browser logs failed requests as console errors.
    expect(errors.filter((e) => !e.includes('400'))).toEqual([]);
    await close();
  });
});
