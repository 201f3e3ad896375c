import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, SCREENSHOT_DIR, useBrowser } from '../helpers/browser';
import { startChat } from '../helpers/chat';
import { SHAPES } from '../helpers/secret-shapes';
import { tempDir } from '../helpers/workspace';

const browser = useBrowser();

const TOKEN = SHAPES['github-token'];
const AWS_KEY = SHAPES['aws-access-key'];

/** Every request the page makes, its own document (a file:// URL) aside. */
function recordRequests(page: Page, own: string): string[] {
  const requests: string[] = [];
  page.on('request', (request) => {
    if (request.url() !== own) requests.push(request.url());
  });
  return requests;
}

/** Opens `file` as a reader would, and gives what it asked the network for. */
async function openFile(page: Page, file: string) {
  const url = pathToFileURL(file).href;
  const requests = recordRequests(page, url);
  await page.goto(url);
  await page.waitForLoadState('load');
  return requests;
}

const sharePng = (page: Page, name: string) =>
  page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });

describe('sharing a session', () => {
  it('exports a page from the chat that shows the conversation without its secrets and fetches nothing', async () => {
    const chat = await startChat();
    const root = chat.server.workspaceDir;
    await mkdir(join(root, 'deploy'));
    await writeFile(
      join(root, 'deploy', 'notes.txt'),
      `Deploy notes\nGITHUB_TOKEN=${TOKEN}\nAWS key ${AWS_KEY}\nRun ./deploy.sh after the tests pass.\n`,
    );
    chat.mock.enqueue(
      { text: 'Let me read the notes.', toolCalls: [{ name: 'read', input: { file_path: '/deploy/notes.txt' } }] },
      {
        text: [
          '## What the notes say',
          '',
          'The deploy needs **two credentials** and one script:',
          '',
          '- a GitHub token',
          '- an AWS key',
          '',
          '```sh',
          './deploy.sh --env production',
          '```',
          '',
          'See <https://docs.github.com/en/authentication> for rotating the token.',
        ].join('\n'),
        usage: { inputTokens: 1800, outputTokens: 90 },
      },
    );
    const id = await chat.newSession();
    await chat.run(id, 'What do the deploy notes need?');

    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${chat.server.url}/chat/${id}`);
    await expect.poll(() => page.getByTestId('tool-card').count()).toBe(1);

    // The menu, by keyboard: Enter opens it on its first item, arrows move, Enter picks, Escape goes back.
    const exportButton = page.getByRole('button', { name: 'Export', exact: true });
    await exportButton.focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu', { name: 'Export as' });
    await expect.poll(() => menu.getByRole('menuitem').allTextContents()).toEqual(['HTML page', 'Markdown', 'JSON']);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Export as Markdown' });
    await expect.poll(() => dialog.count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await exportButton.evaluate((el) => el === document.activeElement)).toBe(true);

    await exportButton.click();
    await menu.getByRole('menuitem', { name: 'HTML page' }).click();
    const review = page.getByRole('dialog', { name: 'Export as an HTML page' });
    const found = review.getByRole('list', { name: 'Secrets the export removes' }).getByRole('listitem');
    await expect.poll(() => found.count()).toBe(2);
    expect(await review.textContent()).toContain('2 secrets are replaced by [redacted]');
    expect(await found.allTextContents()).toEqual([
      expect.stringMatching(/^GitHub token in a tool's output.*GITHUB_TOKEN=\[redacted\]/),
      expect.stringMatching(/^AWS access key in a tool's output.*AWS key \[redacted\]/),
    ]);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'desktop-chat-export-review.png') });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      review.getByRole('link', { name: 'Download' }).click(),
    ]);
    await expect.poll(() => review.count()).toBe(0);
    expect(download.suggestedFilename()).toBe(`${id}.html`);
    const file = join(await tempDir('boxagnts-share-'), download.suggestedFilename());
    await download.saveAs(file);
    expect(errors).toEqual([]);
    await close();

    const phone = await browser.open(PHONE, 'dark');
    await phone.page.goto(`${chat.server.url}/chat/${id}`);
    // On a phone the session's controls are folded under one button of the header.
    await phone.page.getByRole('button', { name: 'Session controls' }).click();
    await phone.page.getByRole('button', { name: 'Export', exact: true }).click();
    await phone.page.getByRole('menuitem', { name: 'JSON' }).click();
    const onPhone = phone.page.getByRole('dialog', { name: 'Export as JSON' });
    await expect.poll(() => onPhone.getByRole('listitem').count()).toBe(2);
    expect(
      await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
    ).toBe(0);
    await phone.page.screenshot({ path: join(SCREENSHOT_DIR, 'phone-chat-export-review-dark.png') });
    await onPhone.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => onPhone.count()).toBe(0);
    expect(phone.errors).toEqual([]);
    await phone.close();

    const html = await readFile(file, 'utf8');
    expect(html).not.toContain(TOKEN);
    expect(html).not.toContain(AWS_KEY);
    // Without its Content-Security-Policy, the page still asks for nothing: nothing in it points elsewhere.
    const bare = join(await tempDir('boxagnts-share-'), 'bare.html');
    await writeFile(bare, html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, ''));

    for (const [viewport, scheme, name] of [
      [DESKTOP, 'light', 'desktop-export-html'],
      [DESKTOP, 'dark', 'desktop-export-html-dark'],
      [PHONE, 'light', 'phone-export-html'],
      [PHONE, 'dark', 'phone-export-html-dark'],
    ] as const) {
      const reader = await browser.open(viewport, scheme);
      const requests = await openFile(reader.page, file);
      const shown = reader.page.locator('body');
      expect(await reader.page.getByRole('heading', { level: 1 }).textContent()).toBe('What do the deploy notes need?');
      expect(await shown.textContent()).toContain('What do the deploy notes need?');
      expect(await reader.page.getByRole('heading', { name: 'What the notes say' }).count()).toBe(1);
      expect(await reader.page.locator('strong', { hasText: 'two credentials' }).count()).toBe(1);
      expect(await reader.page.locator('pre code').textContent()).toContain('./deploy.sh --env production');
      // The tool's output is folded away until asked for.
      const output = reader.page.locator('details', { has: reader.page.locator('summary', { hasText: 'Output' }) });
      expect(await output.locator('pre').isVisible()).toBe(false);
      await output.locator('summary').click();
      expect(await output.locator('pre').textContent()).toMatch(/GITHUB_TOKEN=\[redacted\][\s\S]*AWS key \[redacted\]/);
      expect(await shown.textContent()).not.toContain(TOKEN);
      expect(await reader.page.evaluate(() => document.scripts.length)).toBe(0);
      const background = await shown.evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(background).toBe(scheme === 'dark' ? 'rgb(24, 24, 27)' : 'rgb(255, 255, 255)');
      // Nothing wider than the screen but what scrolls in its own box.
      expect(
        await reader.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
      ).toBe(0);
      await sharePng(reader.page, name);
      expect(requests).toEqual([]);
      expect(reader.errors).toEqual([]);

      const bareRequests = await openFile(reader.page, bare);
      expect(bareRequests).toEqual([]);
      await reader.close();
    }
  });

  it('sees the requests a page does make, so the export having none is a finding', async () => {
    // The control for the test above: the same recording on a page that loads a picture from the network.
    const dir = await tempDir('boxagnts-share-');
    const file = join(dir, 'loads.html');
    await writeFile(file, '<!doctype html><img src="http://127.0.0.1:9/pixel.png" alt="">');
    const reader = await browser.open(PHONE);
    const requests = await openFile(reader.page, file);
    expect(requests).toEqual(['http://127.0.0.1:9/pixel.png']);
    await reader.close();
  });
});
