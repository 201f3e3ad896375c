import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { EVERYTHING } from '../helpers/mcp-servers';
import { type TestServer, startTestServer } from '../helpers/server';

const browser = useBrowser();

const card = (page: Page, name: string) =>
  page
    .getByRole('list', { name: 'MCP servers' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('heading', { name, exact: true }) });

const sideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

const readJson = async (path: string): Promise<any> => JSON.parse(await readFile(path, 'utf8'));

async function toolNames(server: TestServer): Promise<string[]> {
  const body = (await (await server.fetch('/api/tools')).json()) as { tools: { name: string }[] };
  return body.tools.map((t) => t.name);
}

/** Controls of `scope` with no accessible name: none is allowed. */
const unnamed = (page: Page) =>
  page.locator('main').evaluate((el) =>
    Array.from(el.querySelectorAll('input, select, textarea, button, a'))
      .filter((control) => {
        const labelled = control.getAttribute('aria-label') || (control as HTMLInputElement).labels?.length;
        return !labelled && !control.textContent?.trim();
      })
      .map((control) => control.outerHTML),
  );

describe('MCP page', () => {
  it('adds the everything server through the form after testing it, then manages its tools, log and restarts', async () => {
    const server = await startTestServer();
    const settingsFile = join(server.workspaceDir, '.boxagnts', 'settings.json');
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${server.url}/mcp`);
    await expect.poll(() => page.getByText('No MCP servers yet').count()).toBe(1);

    await page.getByRole('button', { name: 'Add server' }).click();
    await page.waitForURL('**/mcp/new');
    const form = page.getByRole('form', { name: 'Add an MCP server' });
    await form.getByRole('textbox', { name: 'Name' }).fill('everything');
    await form.getByRole('textbox', { name: 'Command' }).fill(process.execPath);
    await form.getByRole('textbox', { name: 'Arguments' }).fill(`${EVERYTHING}\nstdio`);
    // One variable written out, one from a secret added on the spot.
    await form.getByRole('button', { name: 'Add variable' }).click();
    await form.getByRole('textbox', { name: 'Name of variable 1' }).fill('GREETING');
    await form.getByRole('textbox', { name: 'Value of GREETING' }).fill('hello');
    await form.getByRole('button', { name: 'Add variable' }).click();
    await form.getByRole('textbox', { name: 'Name of variable 2' }).fill('API_TOKEN');
    await form.getByRole('combobox', { name: 'Where the value of API_TOKEN comes from' }).selectOption('secret');
    await form.getByRole('combobox', { name: 'Secret for API_TOKEN' }).selectOption({ label: 'New secret…' });
    const newSecret = form.getByRole('group', { name: 'New secret' });
    expect(await newSecret.getByRole('textbox', { name: 'Secret name' }).inputValue()).toBe(
      'mcp-everything-env-API_TOKEN',
    );
    await newSecret.getByLabel('Secret value').fill('tok-very-secret');
    // Enter saves the secret, not the whole form.
    await newSecret.getByLabel('Secret value').press('Enter');
    await expect.poll(() => newSecret.count()).toBe(0);
    expect(await form.getByRole('combobox', { name: 'Secret for API_TOKEN' }).inputValue()).toBe(
      'mcp-everything-env-API_TOKEN',
    );
    const secrets = await readJson(join(server.workspaceDir, '.boxagnts', 'secrets.json'));
    expect(secrets.values['mcp-everything-env-API_TOKEN']).toBe('tok-very-secret');
    expect(await page.content()).not.toContain('tok-very-secret');

    // Test connects with what is typed and saves nothing.
    await form.getByRole('button', { name: 'Test', exact: true }).click();
    const result = page.getByRole('status').filter({ hasText: 'Connected to' });
    await expect.poll(() => result.textContent(), { timeout: 20_000 }).toMatch(/mcp-servers\/everything 2\.0\.0/);
    expect(await result.getByRole('list', { name: 'Tools found' }).textContent()).toContain('get-sum');
    expect(existsSync(settingsFile) ? (await readJson(settingsFile)).mcp : undefined).toBeUndefined();
    await screenshot(page, 'desktop-mcp-form-tested');

    await form.getByRole('button', { name: 'Add server' }).click();
    await page.waitForURL(/\/mcp$/);
    const saved = (await readJson(settingsFile)).mcp.servers.everything;
    expect(saved).toMatchObject({ command: process.execPath, args: [EVERYTHING, 'stdio'] });
    expect(saved.env).toEqual({ GREETING: 'hello', API_TOKEN: { secret: 'mcp-everything-env-API_TOKEN' } });

    const everything = card(page, 'everything');
    await expect.poll(() => everything.textContent(), { timeout: 20_000 }).toContain('Ready');
    expect(await everything.textContent()).toMatch(/stdio · mcp-servers\/everything 2\.0\.0 · protocol \S+ · 13 tools/);
    expect(await page.getByRole('region', { name: 'Cost of MCP tools' }).textContent()).toMatch(
      /~[\d,]+ tokens in every request.*Offered in full/,
    );

    // Its tools: hints shown as hints, a tool switched off, another given its own level.
    await everything.getByRole('button', { name: /^Tools \(13\)/ }).click();
    const tools = page.getByRole('list', { name: 'Tools of everything' });
    expect(await tools.textContent()).toContain('mcp__everything__echo');
    expect(await tools.textContent()).toContain('read-only hint');
    expect(await everything.textContent()).toContain('never lower its level');
    await tools.getByRole('button', { name: 'Input schema of get-sum' }).click();
    await expect.poll(() => tools.textContent()).toContain('"properties"');
    await tools.getByRole('switch', { name: 'Disable echo' }).click();
    await expect.poll(() => tools.getByRole('switch', { name: 'Enable echo' }).count(), { timeout: 10_000 }).toBe(1);
    const names = await toolNames(server);
    expect(names).not.toContain('mcp__everything__echo');
    expect(names).toContain('mcp__everything__get-sum');
    await tools.getByRole('combobox', { name: 'Level of get-sum' }).selectOption('read');
    await expect
      .poll(async () => (await readJson(settingsFile)).mcp.servers.everything.tools)
      .toEqual({ echo: { enabled: false }, 'get-sum': { level: 'read' } });
    await expect.poll(() => tools.getByRole('combobox', { name: 'Level of get-sum' }).inputValue()).toBe('read');
    await screenshot(page, 'desktop-mcp-tools');

    // The log, scrolled to its end; a restart shows in it after Refresh.
    await everything.getByRole('button', { name: 'View the log of everything' }).click();
    const log = page.getByRole('region', { name: 'Log of everything' });
    await expect.poll(() => log.textContent()).toContain('connecting (stdio)');
    const atEnd = () =>
      log.locator('pre').evaluate((pre) => Math.abs(pre.scrollHeight - pre.clientHeight - pre.scrollTop) <= 2);
    expect(await atEnd()).toBe(true);
    await everything.getByRole('button', { name: 'Restart everything' }).click();
    await expect
      .poll(() => everything.getByRole('button', { name: 'Restart everything' }).isEnabled(), { timeout: 20_000 })
      .toBe(true);
    await expect.poll(() => everything.textContent(), { timeout: 20_000 }).toContain('Ready');
    await log.getByRole('button', { name: 'Refresh the log of everything' }).click();
    await expect
      .poll(async () => ((await log.textContent()) ?? '').match(/connecting \(stdio\)/g)?.length ?? 0)
      .toBeGreaterThanOrEqual(2);
    expect(await atEnd()).toBe(true);
    await screenshot(page, 'desktop-mcp-log');
    // Escape closes the log from within it.
    await log.getByRole('button', { name: 'Refresh the log of everything' }).focus();
    await page.keyboard.press('Escape');
    await expect.poll(() => log.count()).toBe(0);

    // Resources open to their text; prompts show their chat command.
    await everything.getByRole('button', { name: /^Resources \(\d+\)/ }).click();
    const resources = page.getByRole('list', { name: 'Resources of everything' });
    await resources.getByRole('button', { name: 'Open architecture.md' }).click();
    await expect.poll(() => resources.getByLabel(/^Text of demo:/).textContent()).toMatch(/\w+/);
    await everything.getByRole('button', { name: /^Prompts \(\d+\)/ }).click();
    expect(await page.getByRole('list', { name: 'Prompts of everything' }).textContent({ timeout: 10_000 })).toContain(
      '/mcp__everything__args-prompt',
    );
    await screenshot(page, 'desktop-mcp-resources');

    // Switched off, it is stopped and its tools go.
    await everything.getByRole('switch', { name: 'Disable everything' }).click();
    await expect.poll(() => everything.textContent(), { timeout: 10_000 }).toContain('Disabled');
    expect((await toolNames(server)).some((n) => n.startsWith('mcp__everything__'))).toBe(false);
    expect((await readJson(settingsFile)).mcp.servers.everything.enabled).toBe(false);

    // The Secrets card says who uses each secret.
    expect(await page.getByRole('list', { name: 'Secrets' }).textContent()).toContain(
      'mcp-everything-env-API_TOKENUsed by everything',
    );

    // Remove, after a confirmation that Escape dismisses.
    await everything.getByRole('button', { name: 'Remove everything' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Remove everything?' });
    await expect.poll(() => dialog.count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await everything.getByRole('button', { name: 'Remove everything' }).click();
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => page.getByText('No MCP servers yet').count()).toBe(1);
    expect((await readJson(settingsFile)).mcp.servers).toEqual({});
    expect(errors).toEqual([]);
    await close();
  });

  it('shows a failing server with its reason, and what the form or the server refuses beside its field', async () => {
    const server = await startTestServer();
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${server.url}/mcp/new`);
    const form = page.getByRole('form', { name: 'Add an MCP server' });
    const name = form.getByRole('textbox', { name: 'Name' });
    await expect.poll(() => name.evaluate((el) => el === document.activeElement)).toBe(true);

    // The form's own checks, submitted with Enter: beside the field, with the focus on it.
    await name.fill('Not A Name');
    await name.press('Enter');
    await expect.poll(() => name.getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByRole('alert').first().textContent()).toContain('lower-case letters');
    expect(await form.getByRole('alert').filter({ hasText: 'Give the command' }).count()).toBe(1);

    // A URL only the server's check refuses: its message lands beside the URL, and what was typed stays.
    await name.fill('remote');
    await form.getByRole('radio', { name: 'Remote URL' }).click();
    const url = form.getByRole('textbox', { name: 'URL' });
    await url.fill('http://[oops');
    await form.getByRole('radio', { name: 'SSE' }).click();
    await form.getByRole('button', { name: 'Add server' }).click();
    await expect.poll(() => url.getAttribute('aria-invalid')).toBe('true');
    expect(await url.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await form.getByRole('alert').textContent()).toMatch(/url/i);
    expect(await url.inputValue()).toBe('http://[oops');
    expect(await form.getByRole('radio', { name: 'SSE' }).getAttribute('aria-checked')).toBe('true');
    await screenshot(page, 'desktop-mcp-form-error');

    // A command that does not exist: Test says why, and so does the list once it is added.
    await form.getByRole('radio', { name: 'Local command' }).click();
    await name.fill('broken');
    await form.getByRole('textbox', { name: 'Command' }).fill('boxagnts-no-such-command');
    await form.getByRole('button', { name: 'Test', exact: true }).click();
    await expect
      .poll(() => form.getByRole('alert').filter({ hasText: 'Could not connect' }).textContent(), { timeout: 10_000 })
      .toContain('"boxagnts-no-such-command" was not found');
    await form.getByRole('button', { name: 'Add server' }).click();
    await page.waitForURL(/\/mcp$/);
    const broken = card(page, 'broken');
    await expect.poll(() => broken.textContent(), { timeout: 10_000 }).toContain('Failed');
    expect(await broken.textContent()).toContain('the command "boxagnts-no-such-command" was not found');
    expect(await broken.textContent()).toMatch(/Next attempt (in \d+ s|now)/);
    await screenshot(page, 'desktop-mcp-failed');

    // Its form opens with what was saved.
    await broken.getByRole('link', { name: 'Edit broken' }).click();
    await page.waitForURL('**/mcp/edit/broken');
    const edit = page.getByRole('form', { name: 'Edit broken' });
    await expect
      .poll(() => edit.getByRole('textbox', { name: 'Command' }).inputValue())
      .toBe('boxagnts-no-such-command');
    // The one refused save is the only failed request.
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    expect(errors).toHaveLength(1);
    await close();
  });

  it('imports servers from .mcp.json after showing which values move to secrets.json', async () => {
    const server = await startTestServer();
    await writeFile(
      join(server.workspaceDir, '.mcp.json'),
      JSON.stringify({
        mcpServers: {
          Everything: { command: process.execPath, args: [EVERYTHING, 'stdio'], env: { API_TOKEN: 'tok-123' } },
          docs: { type: 'http', url: 'https://example.invalid/mcp' },
          broken: { args: ['nothing to run'] },
        },
      }),
    );
    const { page, errors, close } = await browser.open(DESKTOP, 'dark');
    await page.goto(`${server.url}/mcp`);
    await page.getByRole('button', { name: 'Import' }).click();
    const source = page.getByRole('region', { name: 'Servers in .mcp.json' });
    await expect.poll(() => source.textContent()).toContain('Moved to secrets.json: mcp-everything-env-API_TOKEN');
    expect(await source.textContent()).toContain('broken: neither a command nor a url');
    expect(await source.textContent()).not.toContain('tok-123');
    await source.getByRole('checkbox', { name: /^docs/ }).uncheck();
    await screenshot(page, 'desktop-mcp-import-dark');
    await source.getByRole('button', { name: 'Import from .mcp.json' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Imported everything' }).count()).toBe(1);
    await expect.poll(() => card(page, 'everything').textContent(), { timeout: 20_000 }).toContain('Ready');
    expect(await card(page, 'docs').count()).toBe(0);
    await expect
      .poll(() => page.getByRole('list', { name: 'Secrets' }).textContent())
      .toContain('mcp-everything-env-API_TOKEN');
    const settings = await readFile(join(server.workspaceDir, '.boxagnts', 'settings.json'), 'utf8');
    expect(settings).not.toContain('tok-123');

    // A secret a server uses, deleted: the confirmation names the server, which then says what it misses.
    await page.getByRole('button', { name: 'Delete the secret mcp-everything-env-API_TOKEN' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Delete the secret mcp-everything-env-API_TOKEN?' });
    expect(await dialog.textContent()).toContain('everything cannot connect without it');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.getByText('No secrets yet.').count()).toBe(1);
    await card(page, 'everything').getByRole('button', { name: 'Restart everything' }).click();
    await expect
      .poll(() => card(page, 'everything').textContent(), { timeout: 10_000 })
      .toContain('the secret "mcp-everything-env-API_TOKEN" is not set (add it on the MCP page)');
    expect(errors).toEqual([]);
    await close();
  });

  it('fits a phone and the dark theme, with every control named', async () => {
    const server = await startTestServer();
    await server.fetch('/api/mcp/servers/everything', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ command: process.execPath, args: [EVERYTHING, 'stdio'] }),
    });
    await server.fetch('/api/mcp/servers/broken', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ command: 'boxagnts-no-such-command' }),
    });
    for (const [viewport, label] of [
      [PHONE, 'phone'],
      [DESKTOP, 'desktop'],
    ] as const)
      for (const scheme of ['light', 'dark'] as const) {
        const { page, errors, close } = await browser.open(viewport, scheme);
        await page.goto(`${server.url}/mcp`);
        await expect.poll(() => card(page, 'everything').textContent(), { timeout: 20_000 }).toContain('Ready');
        await expect.poll(() => card(page, 'broken').textContent(), { timeout: 10_000 }).toContain('Failed');
        await card(page, 'everything')
          .getByRole('button', { name: /^Tools \(13\)/ })
          .click();
        expect(await sideways(page)).toBe(0);
        expect(await unnamed(page)).toEqual([]);
        await screenshot(page, `${label}-mcp-list-${scheme}`);
        await card(page, 'broken').scrollIntoViewIfNeeded();
        await screenshot(page, `${label}-mcp-failed-${scheme}`);
        await page.goto(`${server.url}/mcp/edit/everything`);
        const form = page.getByRole('form', { name: 'Edit everything' });
        await expect.poll(() => form.getByRole('textbox', { name: 'Command' }).inputValue()).toBe(process.execPath);
        await form.getByRole('button', { name: 'Add variable' }).click();
        await form.getByRole('combobox', { name: 'Where the value of variable 1 comes from' }).selectOption('secret');
        expect(await sideways(page)).toBe(0);
        expect(await unnamed(page)).toEqual([]);
        await screenshot(page, `${label}-mcp-form-${scheme}`);
        expect(errors).toEqual([]);
        await close();
      }
  });
});
