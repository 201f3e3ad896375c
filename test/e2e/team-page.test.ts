import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { TeamStatusSchema } from '../../src/contract/team';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { type PostgresCluster, startPostgres } from '../helpers/postgres';
import { type TestServer, startTestServer } from '../helpers/server';
import { tempDir } from '../helpers/workspace';
import { colorsOf, contrast } from './colors';

const run = promisify(execFile);

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

  describe('in team mode', () => {
    let cluster: PostgresCluster | undefined;
    afterAll(async () => {
      await cluster?.stop();
    });
    const ADMIN = { user: 'admin', pass: 'team secret' };
    const AUTH = `Basic ${Buffer.from(`${ADMIN.user}:${ADMIN.pass}`).toString('base64')}`;

    /** A workspace that is a clone of an origin with one commit: what a team server's workspace must be. */
    async function clone(): Promise<string> {
      const base = await tempDir('boxagnts-team-page-');
      const origin = join(base, 'origin.git');
      const dir = join(base, 'server');
      await run('git', ['init', '--quiet', '--bare', '-b', 'main', origin]);
      await run('git', ['clone', '--quiet', origin, dir]);
      await writeFile(join(dir, 'README.md'), '# app\n');
      const git = (...args: string[]) =>
        run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir });
      await git('add', '.');
      await git('commit', '--quiet', '-m', 'first');
      await git('push', '--quiet', 'origin', 'HEAD:main');
      return dir;
    }

    /** The dashboard's API, signed in, as the dashboard calls it. */
    const call = (server: TestServer, path: string, init: RequestInit = {}) =>
      server.fetch(path, { ...init, headers: { authorization: AUTH, 'content-type': 'application/json' } });

    it('lists a manually started run as queued, opens its detail from its link, and cancels it', async () => {
      cluster ??= await startPostgres();
      const url = cluster.url(await cluster.createDatabase());
      const server = await startTestServer({
        workspaceDir: await clone(),
        admin: ADMIN,
        team: { url, cap: 2, leaseSeconds: 60 },
      });
      const job = { schedule: { kind: 'every', minutes: 600 }, prompt: 'tidy up' };
      expect((await call(server, '/api/jobs/chore', { method: 'PUT', body: JSON.stringify(job) })).ok).toBe(true);
      const { page, errors, close } = await browser.open(DESKTOP);
      await page.setExtraHTTPHeaders({ authorization: AUTH });
      await page.goto(`${server.url}/team`);
      await page.getByRole('heading', { name: 'Workers' }).waitFor();
      expect(await page.getByText('No worker has connected yet.').count()).toBe(1);
      expect(await page.getByRole('heading', { name: 'No runs yet' }).count()).toBe(1);

      // No worker is needed: the run waits in the queue, and the page hears of it on the global stream.
      expect((await call(server, '/api/jobs/chore/run', { method: 'POST' })).ok).toBe(true);
      const runs = page.getByRole('list', { name: 'Runs, newest first' }).getByRole('listitem');
      await expect.poll(() => runs.count()).toBe(1);
      const row = runs.first();
      expect(await row.getByRole('heading', { name: 'chore' }).count()).toBe(1);
      expect(await row.getByText('Queued', { exact: true }).count()).toBe(1);
      expect(await row.getByText('Run now', { exact: true }).count()).toBe(1);
      expect(await row.getByText('none yet').count()).toBe(1);
      const queue = page.getByRole('definition');
      expect(await queue.nth(0).textContent()).toMatch(/^file:/);
      expect(await queue.nth(1).textContent()).toBe('1');
      const status = TeamStatusSchema.parse(await (await call(server, '/api/team')).json());
      if (!status.enabled) throw new Error('the server should be in team mode');
      const id = status.runs[0]!.id;

      // A link to the run (as the inbox makes one) opens its detail: no session yet, as no worker took it.
      await page.goto(`${server.url}/team?run=${id}`);
      await page.getByText('No events yet: the run has not started its session.').waitFor();
      expect(await page.getByRole('button', { name: 'Details of run chore' }).getAttribute('aria-expanded')).toBe(
        'true',
      );
      expect(await page.getByText(id, { exact: true }).count()).toBe(1);
      await screenshot(page, 'team-queued-desktop-light');

      await page.getByRole('button', { name: 'Cancel run chore' }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Cancel run chore?' });
      await confirm.getByRole('button', { name: 'Cancel run' }).click();
      await page.getByText('Run chore cancelled.').waitFor();
      await expect.poll(() => row.getByText('Cancelled', { exact: true }).count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Cancel run chore' }).count()).toBe(0);
      expect(errors).toEqual([]);
      await close();
    }, 120_000);
  });
});
