import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startChat } from '../helpers/chat';
import { type TestServer, startTestServer } from '../helpers/server';
import { tempDir } from '../helpers/workspace';

const browser = useBrowser();

const row = (page: Page, name: string) =>
  page
    .getByRole('list', { name: 'Skills' })
    .getByRole('listitem')
    .filter({ has: page.getByRole('link', { name, exact: true }) });

/** A workspace with a skill that came with the repository (not trusted yet) and a folder whose SKILL.md is broken. */
async function workspaceWithRepositorySkills(server: TestServer) {
  const repo = join(server.workspaceDir, '.agents', 'skills', 'deploy-notes');
  await mkdir(repo, { recursive: true });
  await writeFile(
    join(repo, 'SKILL.md'),
    '---\nname: deploy-notes\ndescription: Writes the deployment notes of a release.\nallowed-tools: bash(git log*)\n---\n# Deploy notes\n',
  );
  const broken = join(server.workspaceDir, '.boxagnts', 'skills', 'half-done');
  await mkdir(broken, { recursive: true });
  await writeFile(join(broken, 'SKILL.md'), '---\nname: half-done\n---\nNo description yet.\n');
}

const overflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('Skills page', () => {
  it('lists the built-in skills; creates a skill, saves only a valid SKILL.md, and switches it off', async () => {
    const server = await startTestServer();
    await workspaceWithRepositorySkills(server);
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${server.url}/skills`);
    const list = page.getByRole('list', { name: 'Skills' });
    await expect.poll(() => list.textContent()).toContain('code-review');
    for (const name of ['current-weather', 'weather-forecast', 'css-refactor-advisor', 'front-component-generator'])
      expect(await row(page, name).count(), name).toBe(1);
    expect(await row(page, 'code-review').textContent()).toMatch(
      /loaded.*\/code-review.*Built-in.*skills\/code-review/,
    );
    expect(await row(page, 'deploy-notes').textContent()).toMatch(/not trusted.*Repository \(\.agents\)/);
    expect(await page.getByRole('region', { name: 'Skill folders that did not load' }).textContent()).toMatch(
      /\.boxagnts\/skills\/half-done.*description is required/,
    );
    expect(await page.getByRole('meter', { name: 'Size of the skills block' }).getAttribute('aria-valuemax')).toBe(
      '8000',
    );
    const banner = page.getByRole('region', { name: 'Repository skills not loaded' });
    expect(await banner.textContent()).toMatch(/has a skill that is not loaded.*instructions to the agent/);
    await screenshot(page, 'desktop-skills');

    await banner.getByRole('button', { name: 'Trust the repository’s skills' }).click();
    await expect.poll(() => row(page, 'deploy-notes').textContent()).toMatch(/loaded/);
    expect(await banner.count()).toBe(0);
    expect(server.server.context.workspace.settings.get().skills.trustProject).toBe(true);

    await page.getByRole('button', { name: 'New skill' }).click();
    const dialog = page.getByRole('dialog', { name: 'New skill' });
    await dialog.getByLabel('Name').fill('release-notes');
    await dialog.getByLabel('Description').fill('Writes release notes from the commits since the last tag.');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL('**/skills/release-notes');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('release-notes');
    const file = join(server.workspaceDir, '.boxagnts', 'skills', 'release-notes', 'SKILL.md');
    const template = await readFile(file, 'utf8');
    const editor = page.getByLabel('SKILL.md of release-notes');
    expect(await editor.inputValue()).toBe(template);

    const bad = '---\nname: release-notes\n---\n# Release notes\n\nList the commits.\n';
    await editor.fill(bad);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Not saved: description is required');
    expect(await editor.inputValue()).toBe(bad);
    expect(await readFile(file, 'utf8')).toBe(template);
    await screenshot(page, 'desktop-skill-invalid-save');

    const good =
      '---\nname: release-notes\ndescription: Writes release notes.\n---\n# Release notes\n\nList the commits.\n';
    await editor.fill(good);
    await editor.press('Control+s');
    await expect
      .poll(() =>
        page
          .getByRole('status')
          .filter({ hasText: /^Saved$/ })
          .count(),
      )
      .toBe(1);
    expect(await readFile(file, 'utf8')).toBe(good);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await page.locator('main header p').first().textContent()).toBe('Writes release notes.');

    await page.getByRole('button', { name: /^SKILL\.md/ }).click();
    await expect.poll(() => page.getByLabel('Content of SKILL.md').textContent()).toBe(good);

    await page.getByRole('link', { name: 'Skills', exact: true }).first().click();
    await page.waitForURL('**/skills');
    await row(page, 'release-notes').getByRole('switch', { name: 'Enable release-notes' }).click();
    await expect.poll(() => row(page, 'release-notes').textContent()).toMatch(/off/);
    expect(await row(page, 'release-notes').getByRole('switch').getAttribute('aria-checked')).toBe('false');
    expect(server.server.context.workspace.settings.get().skills.disabled).toEqual(['release-notes']);
    await page.reload();
    await expect.poll(() => row(page, 'release-notes').textContent()).toMatch(/off/);
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await close();
  });

  it('shows a read-only skill with its files, imports a .zip, exports and deletes a skill', async () => {
    const server = await startTestServer();
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${server.url}/skills/current-weather`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('current-weather');
    const editor = page.getByLabel('SKILL.md of current-weather');
    expect(await editor.getAttribute('readonly')).not.toBeNull();
    expect(await editor.inputValue()).toContain('# Current weather');
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    expect(await page.locator('main').textContent()).toMatch(/Allowed tools\s*web_fetch/);
    expect(await page.getByRole('link', { name: 'Export .zip' }).getAttribute('href')).toBe(
      '/api/skills/current-weather/export',
    );

    await page.goto(`${server.url}/skills`);
    await expect.poll(() => row(page, 'code-review').count()).toBe(1);
    const zip = zipSync({
      'pdf-tools/SKILL.md': new TextEncoder().encode(
        '---\nname: pdf-tools\ndescription: Splits and merges PDF files.\n---\n# PDF tools\n\nRun scripts/split.py.\n',
      ),
      'pdf-tools/scripts/split.py': new TextEncoder().encode('print("split")\n'),
    });
    await page
      .getByTestId('import-zip')
      .setInputFiles({ name: 'pdf-tools.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
    await page.waitForURL('**/skills/pdf-tools');
    await page.getByRole('button', { name: /^scripts\/split\.py/ }).click();
    await expect.poll(() => page.getByLabel('Content of scripts/split.py').textContent()).toBe('print("split")\n');
    await screenshot(page, 'desktop-skill-view');

    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL('**/skills');
    await expect.poll(() => row(page, 'code-review').count()).toBe(1);
    expect(await row(page, 'pdf-tools').count()).toBe(0);

    // A folder from disk is zipped by the browser and imported the same way.
    const folder = join(await tempDir('boxagnts-folder-'), 'from-disk');
    await mkdir(join(folder, 'references'), { recursive: true });
    await writeFile(
      join(folder, 'SKILL.md'),
      '---\nname: from-disk\ndescription: Came from a folder.\n---\nRead references/notes.md.\n',
    );
    await writeFile(join(folder, 'references', 'notes.md'), '# Notes\n');
    await page.getByLabel('Skill folder to import').setInputFiles(folder);
    await page.waitForURL('**/skills/from-disk');
    await expect
      .poll(() => page.getByRole('list', { name: 'Files of from-disk' }).textContent())
      .toMatch(/SKILL\.md.*references\/notes\.md/);
    expect(await readFile(join(server.workspaceDir, '.boxagnts/skills/from-disk/references/notes.md'), 'utf8')).toBe(
      '# Notes\n',
    );
    await page.goto(`${server.url}/skills`);
    await expect.poll(() => row(page, 'from-disk').count()).toBe(1);

    // A refused import says why.
    await page.getByTestId('import-zip').setInputFiles({
      name: 'evil.zip',
      mimeType: 'application/zip',
      buffer: Buffer.from(zipSync({ 'SKILL.md': new Uint8Array(1), '../escape': new Uint8Array(1) })),
    });
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/"\.\." part/);
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await close();
  });

  it('is readable on a phone and in the dark', async () => {
    const server = await startTestServer();
    await workspaceWithRepositorySkills(server);
    for (const [viewport, scheme, name] of [
      [PHONE, 'light', 'phone-skills'],
      [PHONE, 'dark', 'phone-skills-dark'],
      [DESKTOP, 'dark', 'desktop-skills-dark'],
    ] as const) {
      const { page, errors, close } = await browser.open(viewport, scheme);
      await page.goto(`${server.url}/skills`);
      await expect.poll(() => row(page, 'code-review').count()).toBe(1);
      expect(await overflow(page)).toBe(0);
      await screenshot(page, name);
      await page.goto(`${server.url}/skills/code-review`);
      await expect.poll(() => page.getByLabel('SKILL.md of code-review').inputValue()).toContain('# Code review');
      expect(await overflow(page)).toBe(0);
      await screenshot(page, `${name}-code-review`);
      expect(errors).toEqual([]);
      await close();
    }
  });
});

describe('/name in the chat', () => {
  it('completes a skill after "/", sends it as typed, shows it as typed, and the model gets the skill', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ text: 'Reviewed: nothing to report.' });
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${chat.server.url}/chat`);
    const box = page.getByRole('textbox', { name: 'Message' });
    const menu = page.getByRole('listbox', { name: 'Commands' });

    await box.fill('/');
    await expect.poll(() => menu.getByRole('option').count()).toBeGreaterThanOrEqual(5);
    await box.press('Escape');
    await expect.poll(() => menu.count()).toBe(0);
    expect(await box.inputValue()).toBe('/');

    await box.fill('/weather');
    // Names that start with what was typed come first, then those that hold it.
    await expect
      .poll(() => menu.getByRole('option').allTextContents())
      .toEqual([
        expect.stringMatching(/^\/weather-forecast\[place\] \[days\]/),
        expect.stringMatching(/^\/current-weather/),
      ]);
    await box.fill('/c');
    await expect.poll(() => menu.getByRole('option').count()).toBe(5);
    expect(await menu.getByRole('option', { selected: true }).textContent()).toMatch(/^\/code-review\[target\]/);
    await screenshot(page, 'desktop-chat-skill-menu');
    await box.press('ArrowDown');
    expect(await menu.getByRole('option', { selected: true }).textContent()).toMatch(/^\/css-refactor-advisor/);
    await box.press('ArrowUp');
    await box.press('Enter');
    expect(await box.inputValue()).toBe('/code-review ');
    await expect.poll(() => menu.count()).toBe(0);
    await box.pressSequentially('src/a.ts');
    await box.press('Enter');

    await page.waitForURL(/\/chat\/ses_/);
    await expect
      .poll(() => page.getByTestId('assistant-message').last().textContent(), { timeout: 10_000 })
      .toContain('Reviewed: nothing to report.');
    expect(await page.getByTestId('user-message').textContent()).toBe('/code-review src/a.ts');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('/code-review src/a.ts');

    const sent = JSON.stringify(chat.mock.requests.at(-1)!.body);
    expect(sent).toContain('The user ran the skill /code-review with: src/a.ts');
    expect(sent).toContain('## How to review');
    expect(sent).toContain('What to review: **src/a.ts**');
    const id = /\/chat\/(ses_[^/?#]+)/.exec(page.url())![1]!;
    const user = (await chat.session(id)).events.find((e: any) => e.type === 'message.user');
    expect(user.command).toBe('/code-review src/a.ts');
    expect(user.text).toContain('# Code review');
    await screenshot(page, 'desktop-chat-skill-run');
    expect(errors).toEqual([]);
    await close();
  });

  it('offers the menu on a phone in the dark, without the switched-off skills', async () => {
    const chat = await startChat();
    await chat.server.server.context.workspace.settings.patch({ skills: { disabled: ['weather-forecast'] } });
    const { page, errors, close } = await browser.open(PHONE, 'dark');
    await page.goto(`${chat.server.url}/chat`);
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('/');
    const menu = page.getByRole('listbox', { name: 'Commands' });
    await expect.poll(() => menu.getByRole('option').count()).toBe(4);
    expect(await menu.textContent()).not.toContain('weather-forecast');
    expect(await overflow(page)).toBe(0);
    await screenshot(page, 'phone-chat-skill-menu-dark');
    expect(errors).toEqual([]);
    await close();
  });
});
