import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mockProviderSettings, startMock } from '../helpers/chat';
import { FakeClock } from '../helpers/fake-clock';
import { startTestServer } from '../helpers/server';
import { tempDir } from '../helpers/workspace';

const START = Date.parse('2026-12-02T10:00:30Z');
const MINUTE = 60_000;

async function automationServer(options: { files?: Record<string, string> } = {}) {
  const mock = await startMock();
  const workspaceDir = await tempDir('boxagnts-jobs-');
  await mkdir(join(workspaceDir, '.boxagnts', 'automation'), { recursive: true });
  for (const [path, text] of Object.entries(options.files ?? {}))
    await writeFile(join(workspaceDir, '.boxagnts', path), text);
  const clock = new FakeClock(START);
  const server = await startTestServer({ workspaceDir, clock });
  const { workspace } = server.server.context;
  await workspace.settings.patch(mockProviderSettings(mock));
  await workspace.settings.patch({
    providers: { mock: { models: { 'mock-model': { pricing: { input: 1, output: 2 } } } } },
  });
  const json = async (path: string, init?: RequestInit) => {
    const res = await server.fetch(path, { ...init, headers: { 'content-type': 'application/json' } });
    return { status: res.status, body: (await res.json()) as any };
  };
  const saveJob = (name: string, fields: Record<string, unknown>) =>
    json(`/api/jobs/${name}`, { method: 'PUT', body: JSON.stringify(fields) });
  const { automation } = server.server.context;
  return { mock, server, clock, json, saveJob, automation, workspaceDir };
}

describe('scheduled jobs', () => {
  it('runs a job every minute at the minute boundary, as a session, with its history line', async () => {
    const { mock, clock, json, saveJob, automation } = await automationServer();
    const saved = await saveJob('tick', { schedule: { kind: 'cron', expr: '* * * * *' }, prompt: 'say hello' });
    expect(saved.status).toBe(200);
    expect(saved.body.nextRun).toBe('2026-12-02T10:01:00.000Z');
    mock.enqueue({ text: 'hello', usage: { inputTokens: 1000, outputTokens: 500 } });
    await clock.advanceTo(START + 29_000);
    await automation.idle();
    expect(mock.requests).toHaveLength(0);
    await clock.advanceTo(START + 30_000);
    await automation.idle();
    const { runs } = (await json('/api/jobs/tick/runs')).body;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      status: 'finished',
      trigger: 'schedule',
      scheduledFor: '2026-12-02T10:01:00.000Z',
      inputTokens: 1000,
      outputTokens: 500,
    });
    expect(runs[0].costUsd).toBeCloseTo(0.002, 6);
    const sessions = (await json('/api/sessions?job=tick')).body.sessions;
    expect(sessions.map((s: any) => [s.id, s.job])).toEqual([[runs[0].sessionId, 'tick']]);
    const list = (await json('/api/jobs')).body;
    expect(list.jobs[0]).toMatchObject({
      name: 'tick',
      nextRun: '2026-12-02T10:02:00.000Z',
      lastRun: { status: 'finished' },
    });
  });

  it('refuses a call nobody can approve with deny; with park it waits in the inbox, skips the overlapping tick, and finishes once approved', async () => {
    const { mock, clock, json, saveJob, automation, workspaceDir } = await automationServer();
    const write = { toolCalls: [{ name: 'write', input: { file_path: 'out.txt', content: 'done\n' } }] };
    await saveJob('strict', { schedule: { kind: 'every', minutes: 60 }, prompt: 'write it', unattended: 'deny' });
    mock.enqueue(write, { text: 'Could not write.' });
    expect((await json('/api/jobs/strict/run', { method: 'POST' })).status).toBe(202);
    await automation.idle();
    expect((await json('/api/jobs/strict/runs')).body.runs[0]).toMatchObject({ status: 'refused', trigger: 'manual' });

    await saveJob('patient', { schedule: { kind: 'cron', expr: '* * * * *' }, prompt: 'write it', unattended: 'park' });
    mock.enqueue(write, { text: 'Written.' });
    await clock.advanceTo(START + 30_000);
    const inbox = async () => (await json('/api/interactions')).body.interactions;
    // The run reaches its approval after a model call and a tool's preparation: on a loaded machine, seconds.
    await expect.poll(async () => (await inbox()).length, { timeout: 30_000 }).toBe(1);
    // The next tick comes while the first run waits for its approval: skipped, and recorded so.
    await clock.advanceTo(START + 30_000 + MINUTE);
    await expect
      .poll(async () => (await json('/api/jobs/patient/runs')).body.runs[0]?.status, { timeout: 30_000 })
      .toBe('skipped');
    const [request] = await inbox();
    expect(
      (
        await json(`/api/interactions/${request.id}`, {
          method: 'POST',
          body: JSON.stringify({ kind: 'approval', outcome: 'once' }),
        })
      ).status,
    ).toBe(200);
    await automation.idle();
    const runs = (await json('/api/jobs/patient/runs')).body.runs;
    expect(runs.map((r: any) => r.status)).toEqual(['finished', 'skipped']);
    expect(await readFile(join(workspaceDir, 'out.txt'), 'utf8')).toBe('done\n');
  });

  it('reports a broken jobs.json with its field and keeps serving', async () => {
    const { json } = await automationServer({
      files: {
        'automation/jobs.json': JSON.stringify({
          jobs: [{ name: 'x', prompt: 'hi', createdAt: 't', schedule: { kind: 'every', minutes: 0 } }],
        }),
      },
    });
    const list = (await json('/api/jobs')).body;
    expect(list.jobs).toEqual([]);
    expect(list.problem).toMatch(/jobs\.json.*minutes/);
    expect((await json('/api/health')).status).toBe(200);
    expect(
      (
        await json('/api/jobs/y', {
          method: 'PUT',
          body: JSON.stringify({ schedule: { kind: 'every', minutes: 5 }, prompt: 'p' }),
        })
      ).status,
    ).toBe(409);
  });

  it('records runs the last process left running as interrupted, makes one up when the job says so, and ticks on', async () => {
    const item = {
      id: 'jr_old',
      job: 'nightly',
      trigger: 'schedule',
      scheduledFor: '2026-12-02T10:00:00.000Z',
      enqueuedAt: '2026-12-02T10:00:00.000Z',
    };
    const jobs = {
      jobs: [
        {
          name: 'nightly',
          prompt: 'report',
          createdAt: '2026-12-01T00:00:00.000Z',
          schedule: { kind: 'cron', expr: '* * * * *' },
          missed: 'run-once',
        },
      ],
    };
    const { mock, clock, json, automation } = await automationServer({
      files: {
        'automation/jobs.json': JSON.stringify(jobs),
        'automation/queue.jsonl': `${JSON.stringify({ op: 'enqueue', item })}\n${JSON.stringify({ op: 'lease', id: 'jr_old', at: item.enqueuedAt })}\n`,
      },
    });
    mock.setFallback({ text: 'report done' });
    await automation.idle();
    let runs = (await json('/api/jobs/nightly/runs')).body.runs;
    expect(runs.map((r: any) => [r.trigger, r.status])).toEqual([
      ['missed', 'finished'],
      ['schedule', 'interrupted'],
    ]);
    await clock.advanceTo(START + 30_000);
    await automation.idle();
    runs = (await json('/api/jobs/nightly/runs')).body.runs;
    expect(runs[0]).toMatchObject({
      trigger: 'schedule',
      status: 'finished',
      scheduledFor: '2026-12-02T10:01:00.000Z',
    });
  });

  it('picks up a job a command wrote to jobs.json while the server runs', async () => {
    const { json, workspaceDir } = await automationServer();
    const job = {
      name: 'from-cli',
      prompt: 'p',
      createdAt: new Date(START).toISOString(),
      schedule: { kind: 'every', minutes: 5 },
    };
    await writeFile(join(workspaceDir, '.boxagnts', 'automation', 'jobs.json'), JSON.stringify({ jobs: [job] }));
    await expect
      .poll(async () => (await json('/api/jobs')).body.jobs.map((j: any) => j.name), { timeout: 30_000 })
      .toEqual(['from-cli']);
    expect((await json('/api/jobs')).body.jobs[0].nextRun).toBe('2026-12-02T10:05:30.000Z');
  });

  it('previews the next runs of a schedule and refuses one croner cannot read', async () => {
    const { json, saveJob } = await automationServer();
    const preview = (
      await json('/api/jobs/preview', {
        method: 'POST',
        body: JSON.stringify({ schedule: { kind: 'every', minutes: 30 }, count: 3 }),
      })
    ).body;
    expect(preview.runs).toHaveLength(3);
    const bad = await saveJob('bad', { schedule: { kind: 'cron', expr: 'every tuesday' }, prompt: 'p' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_schedule']);
  });
});
