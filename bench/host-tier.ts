import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { silentLogger } from '../src/log';
import { createRuntime } from '../src/runtime/runtime';
import { openWorkspace } from '../src/workspace/workspace';
import { callTool } from '../test/helpers/sandbox';
import { type Bench, type Metric, median, ok, percentile, round, timeEach } from './lib';
import { benchWorkspace } from './processes';

const RUNS = 100;

/** A program of the machine that does next to nothing (`true` is a builtin of the shell, so never leaves it). */
const PROGRAM = 'nproc';

function spawnPlain(): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(PROGRAM, [], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', fail);
    child.once('close', (code) => (code === 0 ? done() : fail(new Error(`${PROGRAM} exited with ${code}`))));
  });
}

const p = (values: number[]) => `ms (p95 ${round(percentile(values, 95), 2)} ms)`;

/**
 * What the OS sandbox adds to one program: the same trivial program through `bash` (the shell, the gate, the bridge
 * out of the worker and bubblewrap with its namespaces, caps and cgroup) and in a plain `child_process.spawn`.
 */
export const hostTierBench: Bench = {
  name: 'host-tier',
  async run(): Promise<Metric[]> {
    const dir = await benchWorkspace();
    const runtime = await createRuntime(await openWorkspace(dir), { logger: silentLogger, watchExtensions: false });
    try {
      await runtime.sandbox.host.ready;
      const unavailable = runtime.sandbox.host.unavailable();
      if (unavailable) return [{ name: `host tier unavailable: ${unavailable}`, value: 0, unit: '' }];
      const bash = (command: string) => callTool(runtime, 'bash', { command }).then(ok);
      await timeEach(10, () => bash(PROGRAM));
      await timeEach(10, spawnPlain);
      const plain = await timeEach(RUNS, spawnPlain);
      const host = await timeEach(RUNS, () => bash(PROGRAM));
      const guest = await timeEach(RUNS, () => bash('echo hello'));
      return [
        { name: `\`${PROGRAM}\` in a plain child_process.spawn (p50)`, value: round(median(plain), 2), unit: p(plain) },
        { name: `\`${PROGRAM}\` through bash in the host tier (p50)`, value: round(median(host), 2), unit: p(host) },
        {
          name: 'added by the host tier per command (p50)',
          value: round(median(host) - median(plain), 2),
          unit: `ms (p95 ${round(percentile(host, 95) - percentile(plain, 95), 2)} ms)`,
          target: '< 20 ms',
        },
        {
          name: 'of which the WebAssembly shell alone (`echo hello`, p50)',
          value: round(median(guest), 2),
          unit: p(guest),
        },
      ];
    } finally {
      await runtime.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
