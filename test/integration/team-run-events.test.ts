import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log';
import { connectTeamDatabase, ensureWorkerRole, migrateTeamDatabase } from '../../src/team/database';
import { RunEventFollower, type StoredRunEvent, appendRunEvent } from '../../src/team/run-events';
import { type PostgresCluster, startPostgres } from '../helpers/postgres';

let cluster: PostgresCluster;
let admin: pg.Pool;
const closing: { close?: () => Promise<void>; end?: () => Promise<void> }[] = [];
let runs = 0;

beforeAll(async () => {
  cluster = await startPostgres();
  admin = connectTeamDatabase(cluster.url());
  await migrateTeamDatabase(admin);
  await admin.query("INSERT INTO boxagnts.workspaces (id, name, remote_url) VALUES ('w', 'app', 'example.com/app')");
  await ensureWorkerRole(admin, 'worker_events', 'a worker password');
}, 60_000);
afterEach(async () => {
  for (const item of closing.splice(0)) await (item.close ?? item.end)!.call(item);
});
afterAll(async () => {
  await admin?.end();
  await cluster?.stop();
});

async function newRun(): Promise<string> {
  const id = `run_${++runs}`;
  await admin.query(
    "INSERT INTO boxagnts.runs (id, workspace_id, trigger, commit_sha, status) VALUES ($1, 'w', 'manual', 'abc', 'running')",
    [id],
  );
  return id;
}

async function follower(): Promise<RunEventFollower> {
  const f = await RunEventFollower.start(admin, cluster.url(), silentLogger);
  closing.push(f);
  return f;
}

/** A worker machine's own connection, signed in with its role. */
function workerPool(): pg.Pool {
  const pool = connectTeamDatabase(cluster.urlFor('worker_events', 'a worker password'));
  closing.push(pool);
  return pool;
}

const seqs = (events: StoredRunEvent[]) => events.map((e) => e.seq);

describe('run events across machines', () => {
  it('reach a follower as a worker stores them, in order, once each', async () => {
    const run = await newRun();
    const seen: StoredRunEvent[] = [];
    (await follower()).follow(run, 0, (e) => seen.push(e));
    const worker = workerPool();
    for (let seq = 1; seq <= 5; seq++) await appendRunEvent(worker, run, seq, { type: 'text.delta', text: `${seq}` });
    await expect.poll(() => seqs(seen)).toEqual([1, 2, 3, 4, 5]);
    expect(seen[2]!.event).toEqual({ type: 'text.delta', text: '3' });
  });

  it('start after the last one a reconnecting page has, stored ones first', async () => {
    const run = await newRun();
    const worker = workerPool();
    for (let seq = 1; seq <= 3; seq++) await appendRunEvent(worker, run, seq, { seq });
    const seen: StoredRunEvent[] = [];
    (await follower()).follow(run, 2, (e) => seen.push(e));
    await appendRunEvent(worker, run, 4, { seq: 4 });
    await expect.poll(() => seqs(seen)).toEqual([3, 4]);
  });

  it('stored while the follower had lost its connection are delivered once it is back', async () => {
    const run = await newRun();
    const seen: StoredRunEvent[] = [];
    (await follower()).follow(run, 0, (e) => seen.push(e));
    const worker = workerPool();
    await appendRunEvent(worker, run, 1, { seq: 1 });
    await expect.poll(() => seqs(seen)).toEqual([1]);
    // The database ends the follower's listening connection, as a restart or a network cut would.
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()",
    );
    await appendRunEvent(worker, run, 2, { seq: 2 });
    await appendRunEvent(worker, run, 3, { seq: 3 });
    await expect.poll(() => seqs(seen), { timeout: 10_000 }).toEqual([1, 2, 3]);
    await appendRunEvent(worker, run, 4, { seq: 4 });
    await expect.poll(() => seqs(seen)).toEqual([1, 2, 3, 4]);
  });

  it('stop reaching a page that stopped following, and other runs never reach it', async () => {
    const [run, other] = [await newRun(), await newRun()];
    const seen: StoredRunEvent[] = [];
    const f = await follower();
    const unfollow = f.follow(run, 0, (e) => seen.push(e));
    const worker = workerPool();
    await appendRunEvent(worker, other, 1, { other: true });
    await appendRunEvent(worker, run, 1, { seq: 1 });
    await expect.poll(() => seqs(seen)).toEqual([1]);
    unfollow();
    expect(f.runs).toBe(0);
    await appendRunEvent(worker, run, 2, { seq: 2 });
    // A later event of a followed run proves the announcement of seq 2 was handled (and not delivered).
    const later: StoredRunEvent[] = [];
    f.follow(other, 1, (e) => later.push(e));
    await appendRunEvent(worker, other, 2, { other: true });
    await expect.poll(() => seqs(later)).toEqual([2]);
    expect(seqs(seen)).toEqual([1]);
  });

  it('refuse a second event with the same number', async () => {
    const run = await newRun();
    const worker = workerPool();
    await appendRunEvent(worker, run, 1, {});
    await expect(appendRunEvent(worker, run, 1, {})).rejects.toThrow(/duplicate key/);
  });
});
