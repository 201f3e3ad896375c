import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockModelServer } from '../fixtures/mock-model/server';
import type { RecordedRequest } from '../fixtures/mock-model/types';
import { type PostgresCluster, startPostgres } from '../helpers/postgres';
import { connectSse } from '../helpers/sse';
import { AUTH, TeamLab, api, git, promptOf, saveJob } from '../helpers/team';

/**
 * The lease time of the test that kills a worker: long enough that a worker slowed by a loaded machine still renews
 * its leases (every third of it), short enough to wait for. The other tests keep the default.
 */
const SHORT_LEASE_SECONDS = 6;

let cluster: PostgresCluster;

/** What the model answers, by the prompt of the job whose run asks. */
type Answer = (prompt: string, request: RecordedRequest) => object;

/** One test's team: its own database, mock model and machines, all stopped when the test ends. */
async function team(onTestFinished: (fn: () => Promise<void>) => void, answer: Answer = () => ({ text: 'Done.' })) {
  const mock = await startMockModelServer();
  mock.setFallback((request) => answer(promptOf(request), request) as never);
  const lab = new TeamLab();
  onTestFinished(async () => {
    await lab.stop();
    await mock.close();
  });
  return { lab, mock, adminUrl: cluster.url(await cluster.createDatabase()) };
}

beforeAll(async () => {
  cluster = await startPostgres();
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

// One after another: run together, these tests' processes load the machine enough to slow the suite's other
// files past their waits (measured: the whole suite slower, and two other files failing).
describe('team mode across processes', () => {
  it('a worker killed mid-run: its run is interrupted once its lease expires, then re-queued and finished by the other; nothing else is lost', async ({
    onTestFinished,
  }) => {
    let stalls = 0;
    const answer: Answer = (prompt) => {
      if (prompt.includes('slow') && stalls++ === 0) return { text: 'Working on it', stallAfterChunks: 1 };
      return { text: 'Done.' };
    };
    const { lab, mock, adminUrl } = await team(onTestFinished, answer);
    const { server, workerDirs } = await lab.machines(2, mock);
    const url = await lab.workerUrl(adminUrl, 'worker_k');
    const base = await lab.startServer(server, adminUrl, { leaseSeconds: SHORT_LEASE_SECONDS }).ready;
    const call = api(base);
    await saveJob(call, 'slow', { schedule: { kind: 'every', minutes: 600 }, prompt: 'slow work', missed: 'run-once' });
    await saveJob(call, 'quick', { schedule: { kind: 'every', minutes: 600 }, prompt: 'quick work' });
    const first = lab.startWorker(workerDirs[0]!, url, 'first', 1);
    await first.ready;
    await call('/api/jobs/slow/run', { method: 'POST' });
    const slowRun = async () => (await call('/api/team')).runs.find((r: any) => r.job === 'slow');
    await expect.poll(async () => (await slowRun())?.status, { timeout: 60_000 }).toBe('running');
    expect((await slowRun()).worker).toBe('first');

    const second = lab.startWorker(workerDirs[1]!, url, 'second', 2);
    await second.ready;
    for (let i = 0; i < 3; i++) await call('/api/jobs/quick/run', { method: 'POST' });
    const killedAt = Date.now();
    first.proc.kill('SIGKILL');
    await first.exited;
    await expect
      .poll(async () => await slowRun(), { timeout: 60_000, interval: 250 })
      .toMatchObject({
        status: 'finished',
        attempt: 1,
        worker: 'second',
      });
    // Marked interrupted once its lease expired, before the second attempt started.
    const slow = await slowRun();
    expect(Date.parse(slow.interruptedAt)).toBeGreaterThan(killedAt);
    expect(Date.parse(slow.interruptedAt)).toBeLessThanOrEqual(Date.parse(slow.startedAt));
    const runs = (await call('/api/team')).runs;
    expect(runs.filter((r: any) => r.job === 'quick').map((r: any) => r.status)).toEqual([
      'finished',
      'finished',
      'finished',
    ]);
    expect((await call('/api/team')).workers).toEqual([
      expect.objectContaining({ name: 'first', online: false }),
      expect.objectContaining({ name: 'second', online: true }),
    ]);
  }, 240_000);

  it('20 queued runs complete exactly once across two workers, never above the global cap', async ({
    onTestFinished,
    expect,
  }) => {
    const answer: Answer = () => ({ text: 'Done.', firstChunkDelayMs: 150 });
    const { lab, mock, adminUrl } = await team(onTestFinished, answer);
    const { server, workerDirs } = await lab.machines(2, mock);
    const url = await lab.workerUrl(adminUrl, 'worker_a');
    const base = await lab.startServer(server, adminUrl, { cap: 3 }).ready;
    const call = api(base);
    await saveJob(call, 'chore', { schedule: { kind: 'every', minutes: 600 }, prompt: 'tidy up' });
    const workers = workerDirs.map((dir, i) => lab.startWorker(dir, url, `w${i + 1}`, 2));
    await Promise.all(workers.map((w) => w.ready));
    for (let i = 0; i < 20; i++) await call('/api/jobs/chore/run', { method: 'POST' });

    await expect
      .poll(async () => (await call('/api/team')).runs.filter((r: any) => r.status === 'finished').length, {
        timeout: 120_000,
        interval: 250,
      })
      .toBe(20);
    const status = await call('/api/team');
    expect(status).toMatchObject({ enabled: true, cap: 3, queued: 0, running: 0 });
    expect(status.runs).toHaveLength(20);
    expect(status.runs.every((r: any) => r.attempt === 0 && r.commit.length === 40)).toBe(true);
    // Both workers took runs, and each run was one model call: none ran twice.
    expect(new Set(status.runs.map((r: any) => r.worker))).toEqual(new Set(['w1', 'w2']));
    const sessions = await Promise.all(
      workerDirs.map(async (dir) =>
        (await readdir(join(dir, '.boxagnts', 'sessions'))).filter((f) => f.startsWith('ses_')),
      ),
    );
    expect(sessions.flat()).toHaveLength(20);
    // Never more than the cap at once: a run holds its slot from its lease to its report.
    const edges = status.runs.flatMap((r: any) => [
      { at: Date.parse(r.startedAt), d: 1 },
      { at: Date.parse(r.finishedAt), d: -1 },
    ]);
    edges.sort((a: any, b: any) => a.at - b.at || a.d - b.d);
    let running = 0;
    let most = 0;
    for (const e of edges) most = Math.max(most, (running += e.d));
    expect(most).toBeLessThanOrEqual(3);
    // The job's history on the Cron page is the team's.
    const history = (await call('/api/jobs/chore/runs')).runs;
    expect(history).toHaveLength(20);
    expect(history.every((r: any) => r.status === 'finished' && r.sessionId)).toBe(true);
    expect(status.usage).toEqual([
      expect.objectContaining({ model: 'mock/mock-model', runs: 20, inputTokens: 200, outputTokens: 100 }),
    ]);
  }, 240_000);

  it('a worker stopped mid-run gives its run back at once: interrupted, then finished by the next worker', async ({
    onTestFinished,
    expect,
  }) => {
    let stalls = 0;
    const answer: Answer = () => (stalls++ === 0 ? { text: 'Working on it', stallAfterChunks: 1 } : { text: 'Done.' });
    const { lab, mock, adminUrl } = await team(onTestFinished, answer);
    const { server, workerDirs } = await lab.machines(2, mock);
    const url = await lab.workerUrl(adminUrl, 'worker_s');
    const base = await lab.startServer(server, adminUrl).ready;
    const call = api(base);
    await saveJob(call, 'long', { schedule: { kind: 'every', minutes: 600 }, prompt: 'long work', missed: 'run-once' });
    const first = lab.startWorker(workerDirs[0]!, url, 'leaving', 1);
    await first.ready;
    await call('/api/jobs/long/run', { method: 'POST' });
    const longRun = async () => (await call('/api/team')).runs[0];
    // Mid-run: its model call has begun (and hangs).
    await expect.poll(() => stalls, { timeout: 60_000 }).toBe(1);
    expect((await longRun()).status).toBe('running');
    first.proc.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    // The lease is 60 s: the run is interrupted now because the worker gave it back, not because the lease expired.
    expect(await longRun()).toMatchObject({ status: 'interrupted', error: 'its worker was stopped while it ran' });
    await lab.startWorker(workerDirs[1]!, url, 'arriving', 1).ready;
    await expect
      .poll(longRun, { timeout: 60_000, interval: 250 })
      .toMatchObject({ status: 'finished', attempt: 1, worker: 'arriving' });
  }, 240_000);

  it('a cron schedule fires once per tick with two servers, two workers and their schedulers all running', async ({
    onTestFinished,
    expect,
  }) => {
    const answer: Answer = () => ({ text: 'Ticked.' });
    const { lab, mock, adminUrl } = await team(onTestFinished, answer);
    const { server, workerDirs, clone } = await lab.machines(2, mock);
    const url = await lab.workerUrl(adminUrl, 'worker_c');
    const other = await clone('server2');
    const bases = await Promise.all([lab.startServer(server, adminUrl).ready, lab.startServer(other, adminUrl).ready]);
    const calls = bases.map(api);
    const workers = workerDirs.map((dir, i) => lab.startWorker(dir, url, `c${i + 1}`));
    await Promise.all(workers.map((w) => w.ready));
    // Each server schedules the same job: the database decides which one queues each tick.
    for (const call of calls)
      await saveJob(call, 'tick', {
        schedule: { kind: 'cron', expr: '*/2 * * * * *' },
        prompt: 'tick',
        overlap: 'queue',
      });
    await expect
      .poll(async () => (await calls[0]!('/api/team')).runs.filter((r: any) => r.status === 'finished').length, {
        timeout: 60_000,
        interval: 500,
      })
      .toBeGreaterThanOrEqual(4);
    for (const call of calls)
      await saveJob(call, 'tick', {
        schedule: { kind: 'cron', expr: '*/2 * * * * *' },
        prompt: 'tick',
        overlap: 'queue',
        enabled: false,
      });
    const admin = new pg.Pool({ connectionString: adminUrl });
    try {
      const { rows } = await admin.query<{ scheduled_for: Date; n: string }>(
        "SELECT scheduled_for, count(*) AS n FROM boxagnts.runs WHERE job = 'tick' GROUP BY scheduled_for",
      );
      expect(rows.length).toBeGreaterThanOrEqual(4);
      expect(rows.every((r) => r.n === '1')).toBe(true);
      const { rows: claims } = await admin.query<{ claimed_by: string }>(
        "SELECT claimed_by FROM boxagnts.schedule_ticks WHERE job = 'tick'",
      );
      expect(claims).toHaveLength(rows.length);
    } finally {
      await admin.end();
    }
  }, 240_000);

  it('a question parked by a worker is answered on the server and the run resumes there, ending as a pushed branch', async ({
    onTestFinished,
    expect,
  }) => {
    const answer: Answer = (_prompt, request) => {
      const messages: { role: string }[] = (request.body as any).messages;
      return messages.some((m) => m.role === 'tool')
        ? { text: 'Written.' }
        : { toolCalls: [{ name: 'write', input: { file_path: 'NOTES.md', content: 'from a worker\n' } }] };
    };
    const { lab, mock, adminUrl } = await team(onTestFinished, answer);
    const { origin, server, workerDirs } = await lab.machines(1, mock);
    const url = await lab.workerUrl(adminUrl, 'worker_p');
    const base = await lab.startServer(server, adminUrl).ready;
    const call = api(base);
    await saveJob(call, 'notes', {
      schedule: { kind: 'every', minutes: 600 },
      prompt: 'write the notes',
      unattended: 'park',
    });
    await lab.startWorker(workerDirs[0]!, url, 'p1').ready;
    await call('/api/jobs/notes/run', { method: 'POST' });
    let request: any;
    await expect
      .poll(async () => (request = (await call('/api/interactions')).interactions[0]), { timeout: 60_000 })
      .toMatchObject({ kind: 'approval', tool: 'write', team: { worker: 'p1', job: 'notes' } });
    // The run's events, as the worker stores them, are followed on the server: those before the question, then the rest live.
    const events = await connectSse(`${base}/api/team/runs/${request.team.runId}/events`, {
      origin: base,
      headers: { authorization: AUTH },
    });
    try {
      await events.waitFor((e) => e.type === 'approval.requested', 30_000);
      await call(`/api/interactions/${request.id}`, {
        method: 'POST',
        body: JSON.stringify({ kind: 'approval', outcome: 'once' }),
      });
      await events.waitFor((e) => e.type === 'run.completed', 60_000);
      expect(events.messages.map((m) => m.data.type)).toEqual(
        expect.arrayContaining(['run.started', 'approval.resolved', 'tool.completed', 'run.completed']),
      );
    } finally {
      events.close();
    }
    const notes = async () => (await call('/api/team')).runs[0];
    await expect.poll(notes, { timeout: 60_000 }).toMatchObject({ status: 'finished' });
    const ended = await notes();
    expect(ended.branch).toMatch(/^boxagnts\/run-/);
    expect(ended.diffSummary).toContain('NOTES.md');
    expect(await git(origin, 'show', `${ended.branch}:NOTES.md`)).toBe('from a worker\n');
    expect((await call('/api/interactions')).interactions).toEqual([]);
  }, 240_000);

  it('says clearly what is wrong with a team command: no sign-in, a bad URL, no server yet, another repository', async ({
    onTestFinished,
    expect,
  }) => {
    const { lab, mock, adminUrl } = await team(onTestFinished);
    const { server, workerDirs, clone } = await lab.machines(1, mock);
    const noAdmin = lab.start(['serve', '--workspace-dir', server, '--port', '0', '--team', adminUrl]);
    expect(await noAdmin.exited).toBe(2);
    expect(noAdmin.output()).toContain('team mode needs --admin-user and --admin-pass');
    const badUrl = lab.start(['worker', '--workspace-dir', server, '--team', 'mysql://user:hunter2@db/x']);
    expect(await badUrl.exited).toBe(2);
    expect(badUrl.output()).toContain('--team must be a postgres:// URL');
    expect(badUrl.output()).not.toContain('hunter2');
    const url = await lab.workerUrl(adminUrl, 'worker_e');
    const early = lab.startWorker(workerDirs[0]!, url, 'early');
    expect(await early.exited).toBe(1);
    expect(early.output()).toContain('no team server has started on this database yet');
    await lab.startServer(server, adminUrl).ready;
    const elsewhere = await clone('elsewhere');
    await git(elsewhere, 'remote', 'set-url', 'origin', 'https://example.com/another/repo.git');
    const stranger = lab.startWorker(elsewhere, url, 'stranger');
    expect(await stranger.exited).toBe(1);
    expect(stranger.output()).toContain('no team server queues runs for example.com/another/repo');
  }, 120_000);

  it("a worker's role cannot read settings or secrets", async ({ onTestFinished, expect }) => {
    const { lab, adminUrl } = await team(onTestFinished);
    const url = await lab.workerUrl(adminUrl, 'worker_r');
    const asWorker = new pg.Pool({ connectionString: url });
    try {
      for (const table of ['settings', 'secrets', 'sessions'])
        await expect(asWorker.query(`SELECT * FROM boxagnts.${table}`)).rejects.toThrow(/permission denied/);
      await expect(asWorker.query('SELECT count(*) FROM boxagnts.runs')).resolves.toBeTruthy();
    } finally {
      await asWorker.end();
    }
  });
});
