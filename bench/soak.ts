import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MemoryStatusSchema } from '../src/contract/workspace';
import { connectSse } from '../test/helpers/sse';
import { type Bench, type Metric, percentile, post, pssOf, round, rssOf } from './lib';
import { benchWorkspace, makeSourceTree, spawnTs, startMockProcess } from './processes';

/** Sessions of the soak (SOAK_SESSIONS to change), and how many run at once. */
const SESSIONS = Number(process.env.SOAK_SESSIONS ?? 1000);
const AT_ONCE = 20;
const BURST = 100;
const IDLE_MS = 60_000;
const MB = 1024 * 1024;

/** One chat session as the dashboard drives it: created, watched, asked, its run waited for, then left. */
async function session(url: string): Promise<boolean> {
  const { id } = await post(url, '/api/sessions', {});
  const stream = await connectSse(`${url}/api/sessions/${id}/events`, { origin: url });
  try {
    await post(url, `/api/sessions/${id}/messages`, { text: 'List the sources, find the handlers, read one.' });
    const done = await stream.waitFor((d) => d.type === 'run.completed', 120_000);
    return done.data.status === 'finished';
  } finally {
    stream.close();
  }
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/** `/api/health` every 50 ms while `work` runs: the latencies. */
async function healthDuring(url: string, work: Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  let running = true;
  void work.finally(() => (running = false));
  while (running) {
    const started = performance.now();
    await fetch(`${url}/api/health`);
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return latencies;
}

/**
 * A server that works for a long time stays small: 1,000 chat sessions, 20 at a time, each running three tool
 * calls against the scripted model, then a minute idle; and 100 sessions at once. The server's resident size is
 * sampled after each session (RSS of the one process: the sandbox workers are its threads).
 */
export const soakBench: Bench = {
  name: 'soak',
  async run(): Promise<Metric[]> {
    const mock = await startMockProcess({}, 'soak-mock-process.ts');
    const dir = await benchWorkspace(mock.url);
    await makeSourceTree(dir, 200, 10);
    const settings = join(dir, '.boxagnts', 'settings.json');
    await writeFile(
      settings,
      JSON.stringify({ ...JSON.parse(await readFile(settings, 'utf8')), permissions: { mode: 'bypass' } }),
    );
    const server = await spawnTs('lag-server-process.ts', { WORKSPACE: dir });
    try {
      const { url } = await new Promise<{ url: string }>((resolve) => server.once('message', resolve));
      const pid = server.pid!;
      const start = await rssOf(pid);
      const startPss = await pssOf(pid);

      const samples: [number, number][] = [];
      let completed = 0;
      let finished = 0;
      let peak = start;
      let peakPss = startPss;
      const sampler = setInterval(() => {
        void rssOf(pid).then((rss) => (peak = Math.max(peak, rss)));
        void pssOf(pid).then((pss) => (peakPss = Math.max(peakPss, pss)));
      }, 100);
      let next = 0;
      const worker = async () => {
        while (next < SESSIONS) {
          next += 1;
          if (await session(url)) finished += 1;
          completed += 1;
          samples.push([completed, await rssOf(pid)]);
        }
      };
      const soak = Promise.all(Array.from({ length: AT_ONCE }, worker));
      const soakHealth = await healthDuring(url, soak);
      await soak;
      const soakPeak = peak;
      const soakPeakPss = peakPss;
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      const afterIdle = await rssOf(pid);
      const afterIdlePss = await pssOf(pid);

      peak = afterIdle;
      peakPss = afterIdlePss;
      const burst = Promise.all(Array.from({ length: BURST }, () => session(url)));
      const burstHealth = await healthDuring(url, burst);
      const burstFinished = (await burst).filter(Boolean).length;
      const burstPeak = peak;
      const burstPeakPss = peakPss;
      clearInterval(sampler);
      const { workersStarted } = MemoryStatusSchema.parse(await (await fetch(`${url}/api/memory`)).json());

      const half = Math.floor(SESSIONS / 2);
      const tail = samples.filter(([n]) => n > half);
      return [
        { name: 'server RSS at start', value: round(start / MB), unit: `MB (PSS ${round(startPss / MB)} MB)` },
        {
          name: `peak RSS, ${SESSIONS} sessions ${AT_ONCE} at a time (3 tool calls each)`,
          value: round(soakPeak / MB),
          unit: `MB (PSS ${round(soakPeakPss / MB)} MB; ${finished} of ${SESSIONS} finished)`,
        },
        {
          name: `RSS after the soak and ${IDLE_MS / 1000} s idle`,
          value: round(afterIdle / MB),
          unit: `MB (PSS ${round(afterIdlePss / MB)} MB)`,
          target: '≤ 120 MB',
        },
        {
          name: `RSS growth per session, sessions ${half}–${SESSIONS}`,
          value: round(slope(tail) / 1024, 2),
          unit: 'KB/session',
          target: '≤ 10 KB',
        },
        {
          name: `peak RSS, ${BURST} sessions at once`,
          value: round(burstPeak / MB),
          unit: `MB (PSS ${round(burstPeakPss / MB)} MB; ${burstFinished} of ${BURST} finished)`,
          target: '≤ 300 MB',
        },
        {
          name: '/api/health p99 during the soak / the burst',
          value: round(percentile(soakHealth, 99), 1),
          unit: `ms / ${round(percentile(burstHealth, 99), 1)} ms`,
          target: '≤ 100 ms',
        },
        { name: 'sandbox workers started in all', value: workersStarted, unit: 'workers' },
      ];
    } finally {
      server.kill();
      mock.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
