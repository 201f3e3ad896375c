import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log';
import { ApprovalWaiter, answerApproval, openApproval, openApprovals } from '../../src/team/approvals';
import { connectTeamDatabase, ensureWorkerRole, migrateTeamDatabase } from '../../src/team/database';
import { type PostgresCluster, startPostgres } from '../helpers/postgres';

let cluster: PostgresCluster;
let server: pg.Pool;
let worker: pg.Pool;
const waiters: ApprovalWaiter[] = [];
let runs = 0;

beforeAll(async () => {
  cluster = await startPostgres();
  server = connectTeamDatabase(cluster.url());
  await migrateTeamDatabase(server);
  await server.query("INSERT INTO boxagnts.workspaces (id, name, remote_url) VALUES ('w', 'app', 'example.com/app')");
  await ensureWorkerRole(server, 'worker_approvals', 'a worker password');
  worker = connectTeamDatabase(cluster.urlFor('worker_approvals', 'a worker password'));
}, 60_000);
afterEach(async () => {
  await Promise.all(waiters.splice(0).map((w) => w.close()));
});
afterAll(async () => {
  await worker?.end();
  await server?.end();
  await cluster?.stop();
});

async function newRun(): Promise<string> {
  const id = `run_${++runs}`;
  await server.query(
    "INSERT INTO boxagnts.runs (id, workspace_id, trigger, commit_sha, status, worker) VALUES ($1, 'w', 'manual', 'abc', 'running', 'm1')",
    [id],
  );
  return id;
}

/** The worker machine's waiter, on its own role. */
async function workerWaiter(): Promise<ApprovalWaiter> {
  const waiter = await ApprovalWaiter.start(
    worker,
    cluster.urlFor('worker_approvals', 'a worker password'),
    silentLogger,
  );
  waiters.push(waiter);
  return waiter;
}

const question = (tool: string) => ({ kind: 'approval', tool, input: { command: 'git push' } });

describe('approvals across machines', () => {
  it('a question parked by a worker is in the inbox, and the answer given there resumes the worker', async () => {
    const run = await newRun();
    const waiter = await workerWaiter();
    await openApproval(worker, { id: 'ask_1', runId: run, interaction: question('bash') });
    expect((await openApprovals(server)).map((a) => [a.id, a.runId, a.interaction])).toEqual([
      ['ask_1', run, question('bash')],
    ]);
    const answered = waiter.answer('ask_1');
    expect(await answerApproval(server, 'ask_1', { decision: 'allow' })).toBe(true);
    expect(await answered).toEqual({ decision: 'allow' });
    expect(await openApprovals(server)).toEqual([]);
  });

  it('a question of a run that ended is no longer in the inbox', async () => {
    const run = await newRun();
    await openApproval(worker, { id: 'ask_ended', runId: run, interaction: question('bash') });
    expect((await openApprovals(server)).map((a) => [a.id, a.worker])).toContainEqual(['ask_ended', 'm1']);
    await server.query("UPDATE boxagnts.runs SET status = 'cancelled' WHERE id = $1", [run]);
    expect((await openApprovals(server)).map((a) => a.id)).not.toContain('ask_ended');
  });

  it('the first answer wins; a second, or one to an unknown question, is refused', async () => {
    const run = await newRun();
    await openApproval(worker, { id: 'ask_2', runId: run, interaction: question('bash') });
    expect(await answerApproval(server, 'ask_2', { decision: 'deny' })).toBe(true);
    expect(await answerApproval(server, 'ask_2', { decision: 'allow' })).toBe(false);
    expect(await answerApproval(server, 'nope', { decision: 'allow' })).toBe(false);
    const waiter = await workerWaiter();
    // Answered before the worker began to wait: it still gets the first answer.
    expect(await waiter.answer('ask_2')).toEqual({ decision: 'deny' });
  });

  it('an answer given while the worker was cut off reaches it once it is back', async () => {
    const run = await newRun();
    const waiter = await workerWaiter();
    await openApproval(worker, { id: 'ask_3', runId: run, interaction: question('bash') });
    const answered = waiter.answer('ask_3');
    await server.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'worker_approvals' AND query LIKE 'LISTEN %'",
    );
    await answerApproval(server, 'ask_3', { decision: 'allow' });
    expect(await answered).toEqual({ decision: 'allow' });
  });

  it('a wait ends when its run is stopped', async () => {
    const run = await newRun();
    const waiter = await workerWaiter();
    await openApproval(worker, { id: 'ask_4', runId: run, interaction: question('bash') });
    const stop = new AbortController();
    const answered = waiter.answer('ask_4', stop.signal);
    stop.abort(new Error('the run was stopped'));
    await expect(answered).rejects.toThrow('the run was stopped');
  });

  it("a worker's role cannot answer its own question", async () => {
    const run = await newRun();
    await openApproval(worker, { id: 'ask_5', runId: run, interaction: question('bash') });
    await expect(answerApproval(worker, 'ask_5', { decision: 'allow' })).rejects.toThrow(/permission denied/);
    expect((await openApprovals(server)).map((a) => a.id)).toContain('ask_5');
  });
});
