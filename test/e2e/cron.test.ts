import { JobFieldsSchema, type JobRun, type JobView, SchedulePreviewBodySchema } from '../../src/contract/automation';
import type { Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, useBrowser } from '../helpers/browser';
import { startChat } from '../helpers/chat';
import { startTestServer } from '../helpers/server';

const browser = useBrowser();

/**
 * MOCK of the jobs routes (`/api/jobs*`), written while the server side was being built: a job list kept in memory,
 * the schedule preview as "every day at 09:00" answers it, and "Run now" recording a finished run whose session is
 * a real one of the test server. Everything else (sessions, agents, models, the chat) is the real server.
 * Once the server has these routes, drop `mockJobs` and let the page talk to the server.
 */
function mockJobs(page: Page, sessionId: string, seed: JobView[] = []) {
  const jobs = new Map(seed.map((job) => [job.name, job]));
  const runs = new Map<string, JobRun[]>();
  const nineOClock = (count: number) => {
    const out: string[] = [];
    const next = new Date();
    next.setHours(9, 0, 0, 0);
    if (next.getTime() <= Date.now()) next.setDate(next.getDate() + 1);
    for (let i = 0; i < count; i++) out.push(new Date(next.getTime() + i * 86_400_000).toISOString());
    return out;
  };
  return page.route('**/api/jobs**', async (route: Route) => {
    const request = route.request();
    const path = new URL(request.url()).pathname;
    const [, , , name, action] = path.split('/');
    const method = request.method();
    if (path === '/api/jobs' && method === 'GET')
      return route.fulfill({ json: { jobs: [...jobs.values()], problem: null } });
    if (path === '/api/jobs/preview') {
      const body = SchedulePreviewBodySchema.parse(request.postDataJSON());
      if (body.schedule.kind === 'cron' && body.schedule.expr === 'nonsense')
        return route.fulfill({ json: { runs: [], problem: 'Invalid cron expression: nonsense' } });
      return route.fulfill({ json: { runs: nineOClock(body.count), problem: null } });
    }
    if (!name) return route.fallback();
    if (method === 'PUT') {
      const fields = JobFieldsSchema.parse(request.postDataJSON());
      const previous = jobs.get(name);
      const job: JobView = {
        name,
        createdAt: previous?.createdAt ?? new Date().toISOString(),
        nextRun: nineOClock(1)[0] ?? null,
        running: false,
        lastRun: previous?.lastRun ?? null,
        recent: previous?.recent ?? [],
        ...fields,
      };
      jobs.set(name, job);
      return route.fulfill({ json: job });
    }
    if (method === 'DELETE') {
      jobs.delete(name);
      return route.fulfill({ status: 204 });
    }
    if (action === 'run' && method === 'POST') {
      const now = Date.now();
      const run: JobRun = {
        id: `run_${now}`,
        job: name,
        trigger: 'manual',
        startedAt: new Date(now).toISOString(),
        endedAt: new Date(now + 42_000).toISOString(),
        status: 'finished',
        sessionId,
        costUsd: 0.0123,
        inputTokens: 1200,
        outputTokens: 340,
      };
      runs.set(name, [run, ...(runs.get(name) ?? [])]);
      const job = jobs.get(name);
      if (job) jobs.set(name, { ...job, lastRun: run, recent: [...job.recent, run] });
      return route.fulfill({ status: 202, json: { runId: run.id } });
    }
    if (action === 'runs') return route.fulfill({ json: { runs: runs.get(name) ?? [] } });
    return route.fallback();
  });
}

/** A job with a history: a failed run, a run of unknown cost, two priced ones. */
function seededJob(sessionId: string): { job: JobView; runs: JobRun[] } {
  const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
  const runs: JobRun[] = [
    {
      id: 'r4',
      job: 'nightly-report',
      trigger: 'schedule',
      startedAt: at(1),
      endedAt: at(0.99),
      status: 'finished',
      sessionId,
      costUsd: 0.042,
      inputTokens: 5100,
      outputTokens: 900,
    },
    {
      id: 'r3',
      job: 'nightly-report',
      trigger: 'schedule',
      startedAt: at(2),
      endedAt: at(1.99),
      status: 'error',
      sessionId,
      costUsd: 0.01,
      error: 'The model server answered 503 Service Unavailable.',
    },
    {
      id: 'r2',
      job: 'nightly-report',
      trigger: 'manual',
      startedAt: at(3),
      endedAt: at(2.999),
      status: 'finished',
      sessionId,
      costUsd: null,
    },
    {
      id: 'r1',
      job: 'nightly-report',
      trigger: 'schedule',
      startedAt: at(4),
      endedAt: at(3.99),
      status: 'finished',
      sessionId,
      costUsd: 0.021,
    },
  ];
  const job: JobView = {
    name: 'nightly-report',
    createdAt: at(5),
    schedule: { kind: 'cron', expr: '30 6 * * 1-5', timezone: Intl.DateTimeFormat().resolvedOptions().timeZone },
    prompt: 'Summarise yesterday’s commits and open issues into notes/daily.md.',
    permissions: { mode: 'acceptEdits', rules: ['allow bash(git log*)'] },
    unattended: 'deny',
    limits: { maxTurns: 20, maxCostUsd: 1, maxWallMs: 1_800_000 },
    overlap: 'skip',
    missed: 'run-once',
    enabled: true,
    nextRun: new Date(Date.now() + 5 * 3_600_000).toISOString(),
    running: false,
    lastRun: runs[0] ?? null,
    recent: [...runs].reverse(),
  };
  return { job, runs };
}

async function newSession(server: Awaited<ReturnType<typeof startTestServer>>): Promise<string> {
  const response = await server.fetch('/api/sessions', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Run of nightly-report' }),
  });
  return ((await response.json()) as { id: string }).id;
}

const sideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

describe('Cron page', () => {
  it('creates a job with the schedule builder, runs it now and opens its run’s session (the real server)', async () => {
    const chat = await startChat();
    chat.mock.enqueue({ text: 'Digest written.' });
    const { page, errors, close } = await browser.open(DESKTOP);
    await page.goto(`${chat.server.url}/cron`);
    await expect.poll(() => page.getByRole('heading', { name: 'No jobs yet' }).count()).toBe(1);

    await page.getByRole('button', { name: 'New job' }).click();
    await page.getByLabel('Name').fill('morning-digest');
    await page.getByLabel('Prompt').fill('Write a digest of the inbox.');
    await page.getByLabel('Repeat').selectOption('daily');
    await page.getByLabel('Time', { exact: true }).fill('09:00');
    const next = page.getByRole('list', { name: 'Next runs' }).getByRole('listitem');
    await expect.poll(() => next.count()).toBe(5);
    expect(await next.first().textContent()).toMatch(/09:00/);

    await page.getByLabel('Repeat').selectOption('custom');
    await page.getByLabel('Cron expression').fill('nonsense');
    await expect.poll(() => page.getByText(/invalid configuration format/).count()).toBe(1);
    await page.getByLabel('Repeat').selectOption('daily');
    await expect.poll(() => next.count()).toBe(5);

    await page.getByRole('button', { name: 'Create job' }).click();
    await page.waitForURL('**/cron');
    const row = page.getByRole('list', { name: 'Jobs' }).getByRole('listitem').filter({ hasText: 'morning-digest' });
    await expect.poll(() => row.getByText('Every day at 09:00').count()).toBe(1);
    expect(chat.server.server.context.runtime.jobs.get('morning-digest')?.schedule).toMatchObject({
      kind: 'cron',
      expr: '0 9 * * *',
    });

    await row.getByRole('button', { name: 'Run morning-digest now' }).click();
    await row.getByRole('button', { name: /Run history/ }).click();
    const link = row.getByRole('link', { name: /Open session/ });
    await expect.poll(() => link.count(), { timeout: 15_000 }).toBe(1);
    await link.click();
    await page.waitForURL(/\/chat\/ses_/);
    await expect.poll(() => page.getByText('Digest written.').count(), { timeout: 15_000 }).toBe(1);
    // The chat list shows the runs of jobs under a filter of their own.
    await page.getByRole('radio', { name: 'Job runs' }).click();
    const runs = page.getByRole('list', { name: 'Job runs' }).getByRole('link');
    await expect.poll(() => runs.allTextContents()).toEqual([expect.stringContaining('morning-digest')]);
    expect(errors).toEqual([]);
    await close();
  });

  it('pauses a job, deletes it after confirming, and shows the server’s reason at its field', async () => {
    const server = await startTestServer();
    const sessionId = await newSession(server);
    const { page, errors, close } = await browser.open(DESKTOP);
    const { job } = seededJob(sessionId);
    await mockJobs(page, sessionId, [job]);
    // MOCK: the server refuses a rule it cannot read, naming the field.
    await page.route('**/api/jobs/bad-rule', (route) =>
      route.fulfill({
        status: 400,
        json: { error: { code: 'invalid', message: 'not a rule: "frobnicate"', field: 'permissions.rules.0' } },
      }),
    );
    await page.goto(`${server.url}/cron`);
    const toggle = page.getByRole('switch', { name: 'nightly-report enabled' });
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('false');
    const spark = page.getByRole('img', { name: /Cost of 4 recent runs/ });
    expect(await spark.getAttribute('aria-label')).toMatch(/1 of unknown cost/);

    await page.getByRole('button', { name: 'New job' }).click();
    await page.getByLabel('Name').fill('bad-rule');
    await page.getByLabel('Prompt').fill('x');
    await page.getByLabel('Rules').fill('frobnicate');
    await page.getByRole('button', { name: 'Create job' }).click();
    await expect.poll(() => page.getByText('not a rule: "frobnicate"').count()).toBe(1);
    expect(await page.getByLabel('Rules').getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('link', { name: 'Cron jobs' }).click();

    await page.getByRole('button', { name: 'Delete nightly-report' }).click();
    await page.getByRole('button', { name: 'Delete job' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'No jobs yet' }).count()).toBe(1);
    expect(errors.filter((e) => !e.includes('400'))).toEqual([]);
    await close();
  });

  for (const [width, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const)
    for (const scheme of ['light', 'dark'] as const)
      it(`looks right at ${width} width in the ${scheme} theme`, async () => {
        const server = await startTestServer();
        const sessionId = await newSession(server);
        const { page, errors, close } = await browser.open(viewport, scheme);
        const { job, runs } = seededJob(sessionId);
        await mockJobs(page, sessionId, [job]);
        await page.route('**/api/jobs/nightly-report/runs', (route) => route.fulfill({ json: { runs } }));
        await page.goto(`${server.url}/cron`);
        await expect.poll(() => page.getByText('Weekdays at 06:30').count()).toBe(1);
        expect(await sideways(page)).toBeLessThanOrEqual(0);
        await screenshot(page, `${width}-cron-list-${scheme}`);
        await page.getByRole('button', { name: /Run history/ }).click();
        await expect
          .poll(() => page.getByRole('list', { name: 'Runs of nightly-report' }).getByRole('listitem').count())
          .toBe(4);
        await page.getByRole('list', { name: 'Runs of nightly-report' }).scrollIntoViewIfNeeded();
        expect(await sideways(page)).toBeLessThanOrEqual(0);
        await screenshot(page, `${width}-cron-history-${scheme}`);
        await page.getByRole('button', { name: 'Edit nightly-report' }).click();
        await expect.poll(() => page.getByRole('list', { name: 'Next runs' }).getByRole('listitem').count()).toBe(5);
        expect(await page.getByLabel('Repeat').inputValue()).toBe('weekdays');
        expect(await sideways(page)).toBeLessThanOrEqual(0);
        await screenshot(page, `${width}-cron-form-${scheme}`);
        expect(errors).toEqual([]);
        await close();
      });
});
