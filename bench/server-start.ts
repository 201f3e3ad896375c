import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bench, type Metric, median, rssOf, round } from './lib';

const CLI = join(import.meta.dirname, '..', 'dist', 'cli.js');
const RUNS = 7;
const IDLE_SETTLE_MS = 3000;

/** Spawns the built CLI and times spawn → "Ready:" printed → first /api/health answered. */
async function startOnce(workspace: string, measureRss: boolean) {
  const started = performance.now();
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--workspace-dir', workspace], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Ready: (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const readyMs = performance.now() - started;
  await (await fetch(`${url}/api/health`)).text();
  const firstResponseMs = performance.now() - started;
  let rss: number | undefined;
  if (measureRss) {
    await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
    rss = await rssOf(proc.pid!);
  }
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  return { readyMs, firstResponseMs, rss };
}

export const serverStart: Bench = {
  name: 'server',
  async run(): Promise<Metric[]> {
    const workspace = await mkdtemp(join(tmpdir(), 'boxagnts-bench-'));
    try {
      await startOnce(workspace, false); // warm the file cache; a first start also creates .boxagnts/
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await startOnce(workspace, i === RUNS - 1));
      return [
        {
          name: 'start to ready (median)',
          value: round(median(runs.map((r) => r.readyMs))),
          unit: 'ms',
          target: '< 500 ms',
        },
        {
          name: 'start to first response (median)',
          value: round(median(runs.map((r) => r.firstResponseMs))),
          unit: 'ms',
        },
        { name: 'idle RSS after start', value: round(runs.at(-1)!.rss! / 1024 / 1024), unit: 'MB', target: '< 100 MB' },
      ];
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
  },
};
