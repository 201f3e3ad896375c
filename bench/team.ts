import pg from 'pg';
import { startMockModelServer } from '../test/fixtures/mock-model/server';
import { startPostgres } from '../test/helpers/postgres';
import { TeamLab, api, saveJob } from '../test/helpers/team';
import { type Bench, type Metric, median, percentile, round } from './lib';

const RUNS = 200;
/** Runs at once on each worker, and across the team (the cap binds: two workers of 4 under a cap of 6). */
const CONCURRENCY = 4;
const CAP = 6;
/** Single runs queued one at a time on an idle team, for the latency from queue to start. */
const PROBES = 20;

interface Timed {
  enqueued_at: Date;
  started_at: Date;
  finished_at: Date;
  first_event: Date;
}

async function timings(db: pg.Pool, job: string): Promise<Timed[]> {
  const { rows } = await db.query<Timed>(
    `SELECT r.enqueued_at, r.started_at, r.finished_at, min(e.at) AS first_event
     FROM boxagnts.runs r JOIN boxagnts.run_events e ON e.run_id = r.id
     WHERE r.job = $1 AND r.status = 'finished' GROUP BY r.id`,
    [job],
  );
  return rows;
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the team did not finish its runs in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Team mode over real processes: a server and two workers on a throwaway Postgres, trivial runs (one model answer
 * each, from the mock). Measures the lease-to-start latency (a worker leases a run until its session's first event
 * is stored), the queue-to-start latency of single runs on an idle team (the LISTEN wake-up), and the throughput of
 * 200 runs queued at once.
 */
export const teamBench: Bench = {
  name: 'team',
  async run(): Promise<Metric[]> {
    const cluster = await startPostgres();
    const mock = await startMockModelServer();
    mock.setFallback({ text: 'Done.' });
    const adminUrl = cluster.url(await cluster.createDatabase());
    const db = new pg.Pool({ connectionString: adminUrl });
    const lab = new TeamLab();
    try {
      const { server, workerDirs } = await lab.machines(2, mock);
      const url = await lab.workerUrl(adminUrl, 'bench_worker');
      const call = api(await lab.startServer(server, adminUrl, { cap: CAP }).ready);
      await Promise.all(workerDirs.map((dir, i) => lab.startWorker(dir, url, `bench-${i + 1}`, CONCURRENCY).ready));
      const finished = async (job: string) =>
        Number(
          (
            await db.query<{ n: string }>(
              "SELECT count(*) AS n FROM boxagnts.runs WHERE job = $1 AND status IN ('finished', 'error', 'interrupted')",
              [job],
            )
          ).rows[0]!.n,
        );

      await saveJob(call, 'probe', { schedule: { kind: 'every', minutes: 600 }, prompt: 'probe' });
      for (let i = 0; i < PROBES; i++) {
        await call('/api/jobs/probe/run', { method: 'POST' });
        await until(async () => (await finished('probe')) === i + 1, 60_000);
      }
      const probes = await timings(db, 'probe');

      await saveJob(call, 'trivial', { schedule: { kind: 'every', minutes: 600 }, prompt: 'trivial' });
      const queued = performance.now();
      await Promise.all(Array.from({ length: RUNS }, () => call('/api/jobs/trivial/run', { method: 'POST' })));
      await until(async () => (await finished('trivial')) === RUNS, 600_000);
      const wallSeconds = (performance.now() - queued) / 1000;
      const runs = await timings(db, 'trivial');
      const { rows: failed } = await db.query<{ status: string; error: string | null; attempt: number }>(
        "SELECT status, error, attempt FROM boxagnts.runs WHERE job = 'trivial' AND status <> 'finished'",
      );
      for (const run of failed) process.stderr.write(`team bench: a run ended ${run.status}: ${run.error}\n`);
      const leaseToStart = runs.map((r) => r.first_event.getTime() - r.started_at.getTime());
      const queueToStart = probes.map((r) => r.first_event.getTime() - r.enqueued_at.getTime());
      const span =
        (Math.max(...runs.map((r) => r.finished_at.getTime())) -
          Math.min(...runs.map((r) => r.enqueued_at.getTime()))) /
        1000;
      return [
        { name: 'lease-to-start p50 (200 runs)', value: median(leaseToStart), unit: 'ms' },
        { name: 'lease-to-start p95 (200 runs)', value: percentile(leaseToStart, 95), unit: 'ms' },
        { name: 'queue-to-start p50 (idle team, 20 single runs)', value: median(queueToStart), unit: 'ms' },
        { name: 'queue-to-start p95 (idle team, 20 single runs)', value: percentile(queueToStart, 95), unit: 'ms' },
        { name: `throughput, ${RUNS} runs over 2 workers (cap ${CAP})`, value: round(RUNS / span, 2), unit: 'runs/s' },
        { name: `wall time of the ${RUNS} runs, queued to last report`, value: round(wallSeconds, 1), unit: 's' },
        { name: `runs of the ${RUNS} that did not finish`, value: failed.length, unit: 'runs', target: '0' },
      ];
    } finally {
      await lab.stop();
      await db.end();
      await mock.close();
      await cluster.stop();
    }
  },
};
