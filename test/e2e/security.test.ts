import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startTestServer } from '../helpers/server';
import { tempDir } from '../helpers/workspace';

const browser = useBrowser();

describe('Settings → Security: sandbox', () => {
  it('validates every network entry and mount with its reason, and saves the good ones', async () => {
    const server = await startTestServer();
    const data = await tempDir('boxagnts-mount-');
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${server.url}/settings/security`);
    const hosts = page.getByLabel('New entry for Allowed hosts');
    await hosts.fill('github.com');
    await hosts.press('Enter');
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'allowedOutboundHosts' }).textContent())
      .toMatch(/needs a scheme/);
    await hosts.fill('https://*.github.com');
    await hosts.press('Enter');
    await expect
      .poll(() => page.getByRole('list', { name: 'Allowed hosts' }).textContent())
      .toContain('https://*.github.com');

    const blocks = page.getByLabel('New entry for Blocked networks');
    await blocks.fill('10.0.0.0/33');
    await blocks.press('Enter');
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'blockNetworks' }).count()).toBe(1);

    await page.getByLabel('Host folder').fill('relative/path');
    await page.getByLabel('Guest path').fill('/data');
    await page.getByRole('button', { name: 'Mount' }).click();
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'mounts' }).textContent())
      .toMatch(/absolute path/);
    await page.getByLabel('Host folder').fill(data);
    await page.getByRole('button', { name: 'Mount' }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Mounts' }).textContent()).toContain('/data');

    await page.locator('#sb-timeout').fill('5000');
    await page.locator('#sb-timeout').press('Enter');
    await expect.poll(() => server.server.context.workspace.settings.get().sandbox.timeoutMs).toBe(5000);
    const sandbox = server.server.context.workspace.settings.get().sandbox;
    expect(sandbox.allowedOutboundHosts).toEqual(['https://*.github.com']);
    expect(sandbox.blockNetworks).toEqual(['private']);
    expect(sandbox.mounts).toEqual([{ host: data, guest: '/data', readOnly: true }]);
    await page.getByRole('button', { name: 'Remove mount /data' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'desktop-settings-security-sandbox');
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await close();
  });

  it('lists the protected files, lets the user make one writable, and sets or lifts the disk quota', async () => {
    const server = await startTestServer();
    const settings = () => server.server.context.workspace.settings.get().sandbox;
    const { page, errors, close } = await browser.open(DESKTOP, 'dark');
    await page.goto(`${server.url}/settings/security`);
    const protectedList = page.getByRole('list', { name: 'Protected files' });
    await expect.poll(() => protectedList.textContent()).toContain('.git/**');
    expect(await protectedList.textContent()).toContain('.vscode/tasks.json');
    const writable = page.getByLabel('New entry for Writable protected files');
    await writable.fill('../outside');
    await writable.press('Enter');
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'writableProtected' }).textContent())
      .toMatch(/relative to the workspace/);
    await writable.fill('.vscode/settings.json');
    await writable.press('Enter');
    await expect.poll(() => settings().writableProtected).toEqual(['.vscode/settings.json']);

    await page.locator('#sb-disk').fill('5');
    await page.locator('#sb-disk').press('Enter');
    await expect.poll(() => settings().maxWriteBytes).toBe(5 * 1024 * 1024);
    await page.getByLabel('No quota').click();
    await expect.poll(() => settings().maxWriteBytes).toBe(null);
    await page.getByRole('heading', { name: 'Protected files' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'desktop-dark-settings-security-protected');
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await close();
  });

  it('is usable on a phone', async () => {
    const server = await startTestServer();
    const { page, errors, close } = await browser.open(PHONE, 'dark');
    await page.goto(`${server.url}/settings/security`);
    await page.getByRole('heading', { name: 'Sandbox' }).scrollIntoViewIfNeeded();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'phone-settings-security-sandbox');
    await page.getByRole('heading', { name: 'Protected files' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'phone-dark-settings-security-protected');
    expect(errors).toEqual([]);
    await close();
  });
});

describe('Settings → Security: rules', () => {
  it('keeps what the user types while a rule is being saved, and saves one rule at a time', async () => {
    const server = await startTestServer();
    const { page, errors, close } = await browser.open(DESKTOP);
    // Holds each settings save until the test lets it through, so "while it is saving" is a state, not a race.
    const held: (() => Promise<void>)[] = [];
    await page.route('**/api/settings', (route) =>
      route.request().method() === 'PATCH' ? void held.push(() => route.continue()) : route.continue(),
    );
    await page.goto(`${server.url}/settings/security`);
    const rule = page.getByLabel('New rule');
    await rule.fill('deny bash(rm *)');
    await rule.press('Enter');
    await expect.poll(() => held.length).toBe(1);
    await rule.fill('allow read(src/*)');
    await rule.press('Enter');
    expect(await page.getByRole('button', { name: 'Add', exact: true }).first().isDisabled()).toBe(true);
    await held.shift()!();
    await expect.poll(() => page.getByRole('list', { name: 'Rules' }).textContent()).toContain('deny bash(rm *)');
    expect(await rule.inputValue()).toBe('allow read(src/*)');
    expect(held).toHaveLength(0);
    await rule.press('Enter');
    await expect.poll(() => held.length).toBe(1);
    await held.shift()!();
    await expect
      .poll(() => server.server.context.workspace.settings.get().permissions.rules)
      .toEqual(['deny bash(rm *)', 'allow read(src/*)']);
    // The field empties when the page has the server's answer, which may come after the settings file changed.
    await expect.poll(() => rule.inputValue()).toBe('');
    expect(errors).toEqual([]);
    await close();
  });
});
