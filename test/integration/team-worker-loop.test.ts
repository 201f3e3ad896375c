import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log';
import { TeamRunQueue } from '../../src/team/run-queue';
import { TeamWorker, type TeamWorkerOptions } from '../../src/team/worker-loop';
import { type PostgresCluster, startPostgres } from '../helpers/postgres';

let cluster: PostgresCluster;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});
afterAll(async () => {
  await cluster?.stop();
});

async function team(options: { globalCap?: number; leaseSeconds?: number } = {}) {
  const name = await cluster.createDatabase();
  const base = {
    url: cluster.url(name),
    globalCap: options.globalCap ?? 100,
    leaseSeconds: options.leaseSeconds ?? 60,
    retries: 1,
    logger: silentLogger,
  };
  const server = await TeamRunQueue.start({ ...base, owner: true });
  stops.push(() => server.stop());
  const worker = async (
    execute: TeamWorkerOptions<Record<string, unknown>>['execute'],
    concurrency = 4,
    heartbeatMs = 500,
  ) => {
    const queue = await TeamRunQueue.start({ ...base, owner: false });
    stops.push(() => queue.stop());
    const loop = new TeamWorker({ queue, workspace: 'app', concurrency, heartbeatMs, execute, logger: silentLogger });
    loop.start();
    stops.push(() => loop.stop());
    return loop;
  };
  return { server, worker };
}

describe('worker machines taking team runs', () => {
  it('run 20 runs once each over two workers, never more at once than the global cap', async () => {
    const { server, worker } = await team({ globalCap: 3 });
    const ran = new Map<string, string[]>();
    let running = 0;
    let most = 0;
    const execute = (name: string) => async (lease: { id: string }) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
      ran.set(lease.id, [...(ran.get(lease.id) ?? []), name]);
      return { by: name };
    };
    const ids = await Promise.all(Array.from({ length: 20 }, () => server.enqueue({ workspace: 'app' })));
    await worker(execute('worker 1'));
    await worker(execute('worker 2'));
    await expect
      .poll(async () => (await Promise.all(ids.map((id) => server.state(id)))).map((s) => s?.state), {
        timeout: 60_000,
        interval: 250,
      })
      .toEqual(ids.map(() => 'completed'));
    expect([...ran.values()].every((by) => by.length === 1)).toBe(true);
    expect(most).toBeLessThanOrEqual(3);
  });

  it('keep a run longer than its lease alive with heartbeats', async () => {
    const { server, worker } = await team({ leaseSeconds: 2 });
    const id = await server.enqueue({ workspace: 'app' });
    let finish = () => {};
    const done = new Promise<void>((resolve) => (finish = resolve));
    await worker(
      async () => {
        await done;
        return { ok: true };
      },
      1,
      200,
    );
    await expect.poll(async () => (await server.state(id))?.state).toBe('active');
    // Three lease times pass; the run stays with its first attempt.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect(await server.state(id)).toMatchObject({ state: 'active', attempt: 0 });
    finish();
    await expect.poll(async () => (await server.state(id))?.state, { timeout: 10_000 }).toBe('completed');
  });

  it('abort a run that is cancelled, and record a failure as failed', async () => {
    const { server, worker } = await team();
    const cancelled = await server.enqueue({ workspace: 'app', kind: 'long' });
    const failing = await server.enqueue({ workspace: 'app', kind: 'broken' });
    const aborted: string[] = [];
    await worker(
      (lease, signal) =>
        new Promise((resolve, reject) => {
          if (lease.data.kind === 'broken') return reject(new Error('the model refused'));
          signal.addEventListener('abort', () => {
            aborted.push(lease.id);
            resolve({});
          });
        }),
      2,
      200,
    );
    await expect.poll(async () => (await server.state(cancelled))?.state).toBe('active');
    await server.cancel(cancelled);
    await expect.poll(() => aborted).toEqual([cancelled]);
    expect((await server.state(cancelled))?.state).toBe('cancelled');
    await expect
      .poll(async () => await server.state(failing))
      .toMatchObject({
        state: 'failed',
        output: { error: 'the model refused' },
      });
  });
});
