import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newSessionId } from '../../src/workspace/sessions';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startChat } from '../helpers/chat';
import { tempDir } from '../helpers/workspace';

const browser = useBrowser();
const DAY = 24 * 60 * 60 * 1000;

const VIEWS = [
  ['desktop', DESKTOP, 'light'],
  ['desktop', DESKTOP, 'dark'],
  ['phone', PHONE, 'light'],
  ['phone', PHONE, 'dark'],
] as const;

/**
 * A session file as a run `daysAgo` days ago left it (a header and one message), in the active sessions or, with its
 * file time set as archiving sets it, in the archive: no API can make a session old.
 */
async function oldSession(workspaceDir: string, title: string, daysAgo: number, archived = false): Promise<string> {
  const id = newSessionId();
  const when = new Date(Date.now() - daysAgo * DAY);
  const time = when.toISOString();
  const header = { type: 'session', version: 1, id, createdAt: time, title };
  const message = { id: 1, time, type: 'message.user', runId: 'run_1', messageId: 'msg_1', text: `about ${title}` };
  const dir = join(workspaceDir, '.boxagnts', 'sessions', ...(archived ? ['archive'] : []));
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${id}.jsonl`);
  await writeFile(file, `${JSON.stringify(header)}\n${JSON.stringify(message)}\n`);
  if (archived) await utimes(file, when, when);
  return id;
}

/** The session list of the page: the sidebar at desktop width, the drawer (opened here) on a phone. */
async function sessionList(page: Page, phone: boolean) {
  if (phone) {
    await page.getByRole('button', { name: 'Show sessions' }).click();
    return page.getByRole('dialog', { name: 'Sessions' });
  }
  return page.locator('aside');
}

describe('session retention in the dashboard', () => {
  it('pins and archives from the sidebar, opens an archived session read-only and restores it', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ text: 'The release goes out on Friday.' }, { text: 'Notes kept.' });
    const plan = await chat.newSession();
    await chat.run(plan, 'Plan the release');
    const notes = await chat.newSession();
    await chat.run(notes, 'Keep these notes');

    const { page, errors, close } = await browser.open(DESKTOP);
    const streams: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes(`/api/sessions/${notes}/events`)) streams.push(request.url());
    });
    await page.goto(`${chat.server.url}/chat`);
    const sidebar = page.locator('aside');
    const active = sidebar.getByRole('list', { name: 'Sessions', exact: true });

    // Pin: the row shows a pin with its label.
    await active.getByRole('button', { name: 'Actions for Plan the release' }).click();
    await page.getByRole('menuitem', { name: 'Pin', exact: true }).click();
    const planRow = active.getByRole('link', { name: /Plan the release/ });
    await expect.poll(() => planRow.getByRole('img', { name: 'Pinned' }).count()).toBe(1);
    await active.getByRole('button', { name: 'Actions for Plan the release' }).click();
    expect(await page.getByRole('menuitem', { name: 'Unpin' }).count()).toBe(1);
    await screenshot(page, 'desktop-retention-session-menu');
    await page.keyboard.press('Escape');

    // Archive: it leaves the active list for the archived one.
    await active.getByRole('button', { name: 'Actions for Keep these notes' }).click();
    await page.getByRole('menuitem', { name: 'Archive' }).click();
    await expect.poll(() => active.getByRole('link', { name: /Keep these notes/ }).count()).toBe(0);
    expect(await active.getByRole('link', { name: /Plan the release/ }).count()).toBe(1);

    // The switch between the lists is a radio group: the arrow keys move the choice.
    const switcher = sidebar.getByRole('radiogroup', { name: 'Which sessions' });
    await switcher.getByRole('radio', { name: 'Active' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await switcher.getByRole('radio', { name: 'Job runs' }).getAttribute('aria-checked')).toBe('true');
    await page.keyboard.press('ArrowRight');
    expect(await switcher.getByRole('radio', { name: 'Archived' }).getAttribute('aria-checked')).toBe('true');
    const archived = sidebar.getByRole('list', { name: 'Archived sessions' });
    await expect.poll(() => archived.getByRole('link', { name: /Keep these notes/ }).count()).toBe(1);
    expect(await archived.getByRole('link', { name: /Plan the release/ }).count()).toBe(0);

    // Search works within the archive.
    await sidebar.getByLabel('Search sessions').fill('notes');
    await expect.poll(() => archived.getByRole('link').count()).toBe(1);
    await sidebar.getByLabel('Search sessions').fill('release');
    await expect.poll(() => archived.getByRole('link').count()).toBe(0);
    await sidebar.getByLabel('Search sessions').fill('');
    await expect.poll(() => archived.getByRole('link').count()).toBe(1);

    // Opened, it is read-only: the conversation, the banner, no message box and no event stream.
    await archived.getByRole('link', { name: /Keep these notes/ }).click();
    await page.waitForURL(`**/chat/${notes}`);
    const banner = page.getByRole('region', { name: 'This session is archived' });
    await expect.poll(() => banner.count()).toBe(1);
    await expect.poll(() => page.getByTestId('assistant-message').last().textContent()).toContain('Notes kept.');
    expect(await page.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Clear history' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Export' }).count()).toBe(1);
    expect(streams).toEqual([]);

    // Restored, it is a live chat again, back in the active list.
    await banner.getByRole('button', { name: 'Restore' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Message' }).count()).toBe(1);
    expect(await banner.count()).toBe(0);
    await expect.poll(() => active.getByRole('link', { name: /Keep these notes/ }).count()).toBe(1);
    await expect.poll(() => streams.length).toBeGreaterThan(0);
    chat.mock.enqueue({ text: 'Back in business.' });
    await page.getByRole('textbox', { name: 'Message' }).fill('Anything new?');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => page.getByTestId('assistant-message').last().textContent(), { timeout: 10_000 })
      .toContain('Back in business.');

    // Archived while it is open, the page turns read-only at once.
    await active.getByRole('button', { name: 'Actions for Keep these notes' }).click();
    await page.getByRole('menuitem', { name: 'Archive' }).click();
    await expect.poll(() => banner.count()).toBe(1);
    expect(await page.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await close();

    // The archived view and the banner, at both widths in both themes.
    for (const [name, viewport, scheme] of VIEWS) {
      const view = await browser.open(viewport, scheme);
      await view.page.goto(`${chat.server.url}/chat/${notes}`);
      await expect.poll(() => view.page.getByRole('region', { name: 'This session is archived' }).count()).toBe(1);
      const list = await sessionList(view.page, name === 'phone');
      await list.getByRole('radio', { name: 'Archived' }).click();
      await expect.poll(() => list.getByRole('list', { name: 'Archived sessions' }).getByRole('link').count()).toBe(1);
      if (name === 'phone') {
        await screenshot(view.page, `phone-retention-archived-list-${scheme}`);
        await view.page.keyboard.press('Escape');
        await screenshot(view.page, `phone-retention-archived-chat-${scheme}`);
      } else await screenshot(view.page, `desktop-retention-archived-${scheme}`);
      expect(view.errors).toEqual([]);
      await view.close();
    }
  });

  it('sets the rule, shows what it would delete until deletions are allowed, and applies it', async () => {
    const workspaceDir = await tempDir('boxagnts-ws-');
    await oldSession(workspaceDir, 'Old report', 45);
    const forgotten = await oldSession(workspaceDir, 'Forgotten experiment', 200, true);
    // A child run's kept worktree folder goes with its session.
    await mkdir(join(workspaceDir, '.boxagnts', 'worktrees', forgotten), { recursive: true });
    const chat = await startChat({ workspaceDir });

    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${chat.server.url}/settings/sessions`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Sessions');
    await expect.poll(() => page.getByText('No archive rule').count()).toBe(1);

    // The server's word on a number it refuses is shown under its field.
    await page.getByRole('checkbox', { name: 'Archive sessions untouched for' }).check();
    const archiveDays = page.getByRole('spinbutton', { name: 'Archive sessions untouched for (days)' });
    await archiveDays.fill('0');
    await page.getByRole('button', { name: 'Save rule' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/archiveAfterDays.*>=\s?1/);

    await archiveDays.fill('30');
    await page.getByRole('checkbox', { name: 'Delete archived sessions after' }).check();
    await page.getByRole('spinbutton', { name: 'Delete archived sessions after (days)' }).fill('90');
    await page.getByRole('button', { name: 'Save rule' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Saved.' }).count()).toBe(1);
    expect(chat.server.server.context.workspace.settings.get().sessions.retention).toEqual({
      archiveAfterDays: 30,
      deleteArchivedAfterDays: 90,
    });

    // Saving applied the archive stage at once; the delete stage waits to be allowed.
    await expect.poll(() => page.getByTestId('last-sweep').textContent()).toMatch(/1 session archived, 0 sessions/);
    await expect.poll(() => page.getByRole('heading', { name: 'Would archive now (0)' }).count()).toBe(1);
    const notice = page.getByRole('region', { name: 'Deletions are not allowed yet' });
    await expect.poll(() => notice.count()).toBe(1);
    expect(await notice.textContent()).toContain('Nothing has been deleted yet');
    const toDelete = notice.getByRole('list', { name: 'Would delete now' });
    expect(await toDelete.getByRole('listitem').count()).toBe(1);
    expect(await toDelete.textContent()).toContain('Forgotten experiment');
    expect(await toDelete.textContent()).toContain(
      `Its worktree folder .boxagnts/worktrees/${forgotten} is removed too; its branch stays.`,
    );
    const archivedNow = (await (await chat.server.fetch('/api/sessions?archived=true')).json()) as {
      sessions: { title: string }[];
    };
    expect(archivedNow.sessions.map((s) => s.title).sort()).toEqual(['Forgotten experiment', 'Old report']);

    for (const [name, viewport, scheme] of VIEWS) {
      const view = await browser.open(viewport, scheme);
      await view.page.goto(`${chat.server.url}/settings/sessions`);
      await expect.poll(() => view.page.getByRole('region', { name: 'Deletions are not allowed yet' }).count()).toBe(1);
      if (name === 'phone') await screenshot(view.page, `phone-retention-settings-rule-${scheme}`);
      await view.page.getByRole('button', { name: 'Allow deletions' }).scrollIntoViewIfNeeded();
      await screenshot(view.page, `${name}-retention-settings-${scheme}`);
      expect(view.errors).toEqual([]);
      await view.close();
    }

    // Allowed, the notice goes; applying the rule now deletes the session and its worktree folder.
    await notice.getByRole('button', { name: 'Allow deletions' }).click();
    await expect.poll(() => notice.count()).toBe(0);
    await expect
      .poll(() => page.getByRole('list', { name: 'Would delete now' }).textContent())
      .toContain('Forgotten experiment');
    await page.getByRole('button', { name: 'Apply now' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Applied now' }).textContent())
      .toBe('Applied now: 0 sessions archived, 1 session deleted.');
    await expect.poll(() => page.getByRole('heading', { name: 'Would delete now (0)' }).count()).toBe(1);
    expect((await chat.server.fetch(`/api/sessions/${forgotten}`)).status).toBe(404);
    // The refused save above.
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
    await close();
  });
});
