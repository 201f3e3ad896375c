import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Automation } from '../src/automation/automation';
import type { Clock, Timer } from '../src/automation/clock';
import { EmbeddedJobQueue } from '../src/automation/job-queue';
import { JobsStore } from '../src/automation/jobs-store';
import { RunLog } from '../src/automation/run-log';
import { type Bench, type Metric, round } from './lib';

const JOBS = 1000;
const MINUTE = 60_000;
const SPAN_MINUTES = 5;
const START = Date.parse('2026-12-02T10:00:30Z');

/** Fake time for the scheduler: timers fire when `advanceTo` passes them; each records how late it fired. */
class BenchClock implements Clock {
  timers: { at: number; fire: () => void; id: number }[] = [];
  private id = 0;
  constructor(public time: number) {}
  now(): number {
    return this.time;
  }
  setTimer(fire: () => void, ms: number): Timer {
    const id = ++this.id;
    this.timers.push({ at: this.time + ms, fire, id });
    return { cancel: () => (this.timers = this.timers.filter((t) => t.id !== id)) };
  }
}

/**
 * The scheduler with 1,000 jobs (every minute, every 5 minutes, hourly cron): the memory they take, the time one tick
 * over all of them costs, and how far the ticks land from the minute boundaries over 5 minutes of fake time.
 */
export const automationBench: Bench = {
  name: 'automation',
  async run(): Promise<Metric[]> {
    const root = await mkdtemp(join(tmpdir(), 'boxagnts-bench-jobs-'));
    try {
      const expressions = ['* * * * *', '*/5 * * * *', '0 * * * *'];
      const jobs = Array.from({ length: JOBS }, (_, i) => ({
        name: `job-${i}`,
        createdAt: new Date(START).toISOString(),
        schedule: { kind: 'cron', expr: expressions[i % expressions.length] },
        prompt: `job ${i}`,
        overlap: 'skip',
      }));
      await writeFile(join(root, 'jobs.json'), JSON.stringify({ jobs }));
      global.gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      const store = new JobsStore(join(root, 'jobs.json'));
      await store.load();
      const { queue } = await EmbeddedJobQueue.open(join(root, 'queue.jsonl'));
      const clock = new BenchClock(START);
      const lateness: number[] = [];
      let runs = 0;
      const automation = new Automation({
        store,
        queue,
        log: new RunLog(join(root, 'runs')),
        clock,
        execute: async (_job, run) => {
          runs += 1;
          if (run.scheduledFor) lateness.push(clock.now() - Date.parse(run.scheduledFor));
          return { status: 'finished', costUsd: 0 };
        },
        onRun: () => undefined,
      });
      await automation.start([]);
      global.gc?.();
      const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
      const tickMs: number[] = [];
      const end = START + SPAN_MINUTES * MINUTE;
      while (clock.timers.length > 0) {
        const next = clock.timers.sort((a, b) => a.at - b.at)[0]!;
        if (next.at > end) break;
        clock.timers = clock.timers.filter((t) => t !== next);
        clock.time = next.at;
        const began = performance.now();
        next.fire();
        await automation.idle();
        tickMs.push(performance.now() - began);
      }
      await automation.stop();
      return [
        { name: `memory of the scheduler with ${JOBS} jobs`, value: round(heapMb, 2), unit: 'MB of heap' },
        {
          name: `one tick over ${JOBS} jobs, their runs queued, run and logged (mean)`,
          value: round(tickMs.reduce((a, b) => a + b, 0) / Math.max(tickMs.length, 1)),
          unit: `ms (${tickMs.length} ticks, ${runs} runs in ${SPAN_MINUTES} fake minutes)`,
        },
        {
          name: `timer drift over ${SPAN_MINUTES} minutes of fake time (largest)`,
          value: Math.max(0, ...lateness),
          unit: 'ms after the tick',
          target: '0 ms',
        },
      ];
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
};
