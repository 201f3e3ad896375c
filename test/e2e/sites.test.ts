import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startTestServer } from '../helpers/server';

const browser = useBrowser();

/** A page whose script tries to read and change the dashboard's settings, and writes what happened into itself. */
const PROBE = `const out = document.getElementById('result');
(async () => {
  const lines = [];
  try {
    const r = await fetch('/api/settings');
    lines.push('read ' + r.status + ' ' + (await r.text()).slice(0, 40));
  } catch (e) {
    lines.push('read blocked');
  }
  for (const method of ['PUT', 'PATCH']) {
    try {
      const r = await fetch('/api/settings', {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ui: { theme: 'dark' } }),
      });
      lines.push(method + ' ' + r.status);
    } catch (e) {
      lines.push(method + ' blocked');
    }
  }
  out.textContent = lines.join(', ');
})();
`;

async function siteFiles(root: string) {
  await mkdir(join(root, 'site'), { recursive: true });
  await writeFile(
    join(root, 'site', 'index.html'),
    '<!doctype html><title>Demo</title><link rel="stylesheet" href="style.css"><h1 id="title">Hello from the site</h1><p id="result">pending</p><script src="app.js"></script>',
  );
  await writeFile(join(root, 'site', 'style.css'), 'h1 { color: rgb(0, 128, 0) }');
  await writeFile(join(root, 'site', 'app.js'), PROBE);
}

/** Messages a sandboxed page's refused requests leave in the console: expected, they are the point of the test. */
const refused = (message: string) => /CORS|api\/settings|Failed to load resource|Access-Control/i.test(message);

describe('Sites page', () => {
  it('publishes a folder, opens it, previews it live, and its scripts cannot use the dashboard API', async () => {
    const server = await startTestServer();
    await siteFiles(server.workspaceDir);
    const settingsFile = join(server.workspaceDir, '.boxagnts', 'settings.json');
    const settingsBefore = await readFile(settingsFile, 'utf8');
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${server.url}/sites`);
    await page.getByRole('heading', { name: 'No sites yet' }).waitFor();

    await page.getByLabel('Site name').fill('demo');
    await page.getByRole('button', { name: 'Browse' }).click();
    await page.getByRole('button', { name: 'Go into site' }).click();
    await page.getByRole('button', { name: 'Use this folder' }).click();
    expect(await page.getByLabel('Folder', { exact: true }).inputValue()).toBe('site');
    await page.getByRole('button', { name: 'Publish', exact: true }).click();

    const row = page.getByRole('region', { name: 'Published sites' });
    await row.getByText('/sites/demo/', { exact: false }).waitFor();
    await expect.poll(() => row.getByText('Only this computer', { exact: false }).count()).toBe(1);

    // The preview runs the page sandboxed: its reads of the API fail and it says so in its own DOM.
    const frame = page.frameLocator('iframe[title="Site demo"]');
    await expect.poll(() => frame.locator('#result').textContent()).toBe('read blocked, PUT blocked, PATCH blocked');

    // A change in the folder reloads the preview.
    await writeFile(
      join(server.workspaceDir, 'site', 'index.html'),
      '<!doctype html><title>Demo</title><h1 id="title">Changed on disk</h1><p id="result">pending</p><script src="app.js"></script>',
    );
    await expect.poll(() => frame.locator('#title').textContent(), { timeout: 15_000 }).toBe('Changed on disk');

    // Opened on its own, the page is just as sandboxed.
    const [popup] = await Promise.all([
      page.context().waitForEvent('page'),
      page.getByRole('link', { name: 'Open demo' }).click(),
    ]);
    await popup.waitForLoadState();
    expect(popup.url()).toBe(`${server.url}/sites/demo/`);
    await expect.poll(() => popup.locator('#title').textContent()).toBe('Changed on disk');
    await expect.poll(() => popup.locator('#result').textContent()).toBe('read blocked, PUT blocked, PATCH blocked');
    await writeFile(
      join(server.workspaceDir, 'site', 'index.html'),
      '<link rel="stylesheet" href="style.css"><h1>Styled</h1>',
    );
    await popup.reload();
    // The page's own stylesheet loads ('self' stays its server even though its origin is opaque).
    await expect.poll(() => popup.locator('h1').evaluate((h) => getComputedStyle(h).color)).toBe('rgb(0, 128, 0)');
    expect(await readFile(settingsFile, 'utf8')).toBe(settingsBefore);

    // Turn it off, then remove it after confirming.
    await page.getByRole('switch', { name: 'Serve demo' }).click();
    await expect.poll(() => row.getByText('Nobody: the site is turned off.').count()).toBe(1);
    expect((await server.fetch('/sites/demo/')).status).toBe(404);
    await page.getByRole('button', { name: 'Remove demo' }).click();
    await page.getByRole('button', { name: 'Remove site' }).click();
    await page.getByRole('heading', { name: 'No sites yet' }).waitFor();
    expect(errors.filter((e) => !refused(e))).toEqual([]);
    await close();
  });

  it('shows a broken sites.json with its line and field', async () => {
    const server = await startTestServer();
    await writeFile(
      join(server.workspaceDir, '.boxagnts', 'sites.json'),
      '{\n  "sites": [\n    { "name": "Bad Name", "folder": "x" }\n  ]\n}\n',
    );
    const { page, close } = await browser.open(DESKTOP);
    await page.goto(`${server.url}/sites`);
    const alert = page.getByRole('alert').filter({ hasText: 'sites.json cannot be used' });
    await expect.poll(() => alert.textContent()).toContain('line 3, field "sites[0].name"');
    await close();
  });

  for (const [name, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`looks right at ${name} width in the ${scheme} theme`, async () => {
        const server = await startTestServer();
        await siteFiles(server.workspaceDir);
        await mkdir(join(server.workspaceDir, 'docs', 'build'), { recursive: true });
        await writeFile(
          join(server.workspaceDir, '.boxagnts', 'sites.json'),
          JSON.stringify({
            sites: [
              { name: 'demo', folder: 'site' },
              { name: 'handbook', folder: 'docs/build', listing: true, public: true },
              { name: 'old', folder: 'gone', enabled: false },
            ],
          }),
        );
        const { page, errors, close } = await browser.open(viewport, scheme);
        await page.goto(`${server.url}/sites`);
        await page.getByRole('region', { name: 'Published sites' }).waitFor();
        await page.getByRole('button', { name: 'Browse' }).click();
        await page.getByRole('button', { name: 'Go into site' }).waitFor();
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow).toBeLessThanOrEqual(0);
        await screenshot(page, `${name}-sites-${scheme}`);
        await page.locator('iframe[title="Site demo"]').scrollIntoViewIfNeeded();
        await page.frameLocator('iframe[title="Site demo"]').locator('#result').getByText('blocked').first().waitFor();
        await screenshot(page, `${name}-sites-${scheme}-preview`);
        expect(errors.filter((e) => !refused(e))).toEqual([]);
        await close();
      });
    }
  }
});
