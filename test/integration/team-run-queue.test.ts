import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log';
import { ensureWorkerRole, migrateTeamDatabase } from '../../src/team/database';
import { type TeamLease, TeamRunQueue, type TeamRunQueueOptions } from '../../src/team/run-queue';
import { type PostgresCluster, startPostgres } from '../helpers/postgres';

let cluster: PostgresCluster;
const queues: TeamRunQueue[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.stop()));
});
afterAll(async () => {
  await cluster?.stop();
});

/** A fresh database, the server's queue on it (which sets it up), and `workers` more queues as other machines. */
async function machines(workers: number, options: Partial<TeamRunQueueOptions> = {}) {
  const name = await cluster.createDatabase();
  const base = {
    url: cluster.url(name),
    globalCap: 100,
    leaseSeconds: 60,
    retries: 1,
    logger: silentLogger,
    ...options,
  };
  const server = await TeamRunQueue.start({ ...base, owner: true });
  queues.push(server);
  const others: TeamRunQueue[] = [];
  for (let i = 0; i < workers; i++) {
    const worker = await TeamRunQueue.start({ ...base, owner: false });
    queues.push(worker);
    others.push(worker);
  }
  return { server, workers: others, name };
}

describe('team runs in the queue', () => {
  it('complete exactly once across two workers, never more running than the global cap', async () => {
    const { server, workers } = await machines(2, { globalCap: 3 });
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => server.enqueue({ workspace: 'app', n: i })));
    const completedBy = new Map<string, string[]>();
    let running = 0;
    let most = 0;
    // Each worker wants four at once; together they may have three.
    const slot = async (worker: TeamRunQueue, name: string) => {
      for (;;) {
        const lease = await worker.lease('app');
        if (!lease) {
          if (completedBy.size === ids.length) return;
          await new Promise((resolve) => setTimeout(resolve, 20));
          continue;
        }
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        running -= 1;
        expect(await worker.complete(lease, { by: name })).toBe(true);
        completedBy.set(lease.id, [...(completedBy.get(lease.id) ?? []), name]);
      }
    };
    await Promise.all(workers.flatMap((w, i) => Array.from({ length: 4 }, () => slot(w, `worker ${i + 1}`))));
    expect([...completedBy.keys()].sort()).toEqual([...ids].sort());
    expect([...completedBy.values()].every((by) => by.length === 1)).toBe(true);
    expect(most).toBeLessThanOrEqual(3);
    for (const id of ids) expect((await server.state(id))?.state).toBe('completed');
  });

  it("are taken only by workers of the run's workspace", async () => {
    const { server, workers } = await machines(1);
    const id = await server.enqueue({ workspace: 'app' });
    expect(await workers[0]!.lease('other')).toBeNull();
    expect((await workers[0]!.lease('app'))?.id).toBe(id);
  });

  it('are interrupted and re-queued when a lease is not renewed, and the stalled worker cannot report over the new one', async () => {
    const { server, workers } = await machines(2, { leaseSeconds: 1, retries: 1 });
    const [stalled, survivor] = workers as [TeamRunQueue, TeamRunQueue];
    const id = await server.enqueue({ workspace: 'app' });
    const first = (await stalled.lease('app'))!;
    expect(first).toMatchObject({ id, attempt: 0 });
    // No heartbeat: once the lease expires, maintenance re-queues the run and the survivor takes it.
    let second: TeamLease | null = null;
    await expect
      .poll(async () => (second ??= await survivor.lease('app')), { timeout: 30_000, interval: 250 })
      .toMatchObject({ id, attempt: 1 });
    expect(await stalled.heartbeat(first)).toBe(false);
    expect(await stalled.complete(first, { by: 'stalled' })).toBe(false);
    expect(await survivor.heartbeat(second!)).toBe(true);
    expect(await survivor.complete(second!, { by: 'survivor' })).toBe(true);
    expect(await server.state(id)).toMatchObject({ state: 'completed', attempt: 1, output: { by: 'survivor' } });
  });

  it('fail for good once their retries are spent', async () => {
    const { server, workers } = await machines(1, { leaseSeconds: 1, retries: 0 });
    const id = await server.enqueue({ workspace: 'app' });
    expect((await workers[0]!.lease('app'))?.id).toBe(id);
    await expect.poll(async () => (await server.state(id))?.state, { timeout: 30_000, interval: 250 }).toBe('failed');
    expect(await workers[0]!.lease('app')).toBeNull();
  });

  it('are leased and reported by a worker on its own role, which cannot create queues', async () => {
    const { server, name } = await machines(0);
    const workerUrl = cluster.urlFor('queue_worker', 'a worker password', name);
    const admin = new pg.Pool({ connectionString: cluster.url(name) });
    await migrateTeamDatabase(admin);
    await ensureWorkerRole(admin, 'queue_worker', 'a worker password');
    await admin.end();
    const worker = await TeamRunQueue.start({
      url: workerUrl,
      owner: false,
      globalCap: 3,
      leaseSeconds: 60,
      retries: 1,
      logger: silentLogger,
    });
    queues.push(worker);
    const id = await server.enqueue({ workspace: 'app' });
    const lease = (await worker.lease('app'))!;
    expect(lease.id).toBe(id);
    expect(await worker.heartbeat(lease)).toBe(true);
    expect(await worker.complete(lease, { branch: 'boxagnts/run' })).toBe(true);
    expect((await server.state(id))?.state).toBe('completed');
    const asWorker = new pg.Pool({ connectionString: workerUrl });
    await expect(asWorker.query('CREATE TABLE pgboss.mine (x int)')).rejects.toThrow(/permission denied/);
    await asWorker.end();
  });

  it('a cancelled run ends its lease', async () => {
    const { server, workers } = await machines(1);
    const id = await server.enqueue({ workspace: 'app' });
    const lease = (await workers[0]!.lease('app'))!;
    await server.cancel(id);
    expect(await workers[0]!.heartbeat(lease)).toBe(false);
    expect(await workers[0]!.complete(lease, {})).toBe(false);
    expect((await server.state(id))?.state).toBe('cancelled');
  });
});
