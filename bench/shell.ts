import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AgentRuntime, createRuntime } from '../src/runtime/runtime';
import { silentLogger } from '../src/log';
import { SANDBOX_POOL_SIZE } from '../src/sandbox/service';
import { openWorkspace } from '../src/workspace/workspace';
import { callTool } from '../test/helpers/sandbox';
import { type Bench, type Metric, median, ok, percentile, round, timeEach } from './lib';
import { benchWorkspace, makeSourceTree } from './processes';

const FILES = 1000;

/** The shell and WebAssembly tools: warm and first calls, and a recursive grep through the shell. */
export const shellBench: Bench = {
  name: 'shell',
  async run(): Promise<Metric[]> {
    const dir = await benchWorkspace();
    await makeSourceTree(dir, FILES, 20);
    const workspace = await openWorkspace(dir);
    await workspace.settings.patch({ sandbox: { timeoutMs: 120_000 } });
    // The user's module cache in the bench's folder: a cold preparation below is cold, and the real one untouched.
    const userCache = join(dir, 'user-cache');
    const env = { ...process.env, BOXAGNTS_CACHE_DIR: userCache };
    // A runtime whose whole pool has warmed (after a first turn, the pool fills to its size).
    const open = () =>
      createRuntime(workspace, { logger: silentLogger, watchExtensions: false, env, warmWorkers: SANDBOX_POOL_SIZE });
    /** Start-up has settled: as after the model's first answer, when the first tool calls come. */
    const settle = async (runtime: AgentRuntime) => {
      await runtime.extensions.settled();
      await runtime.sandbox.warmed();
    };
    const bash = (runtime: AgentRuntime, command: string) => callTool(runtime, 'bash', { command }).then(ok);

    // A new shell in a fresh runtime: a worker starts, QuickJS loads, the shell's bundle is evaluated.
    const firstCalls: number[] = [];
    for (let i = 0; i < 5; i++) {
      const runtime = await open();
      const started = performance.now();
      await bash(runtime, 'echo ready');
      firstCalls.push(performance.now() - started);
      await runtime.close();
    }

    // The first call, and a parallel turn of N calls, in a fresh runtime whose start-up has settled.
    const settledFirst: number[] = [];
    const parallel: Record<2 | 4, number[]> = { 2: [], 4: [] };
    for (let i = 0; i < 5; i++) {
      for (const n of [0, 2, 4] as const) {
        const runtime = await open();
        await settle(runtime);
        const started = performance.now();
        if (n === 0) await bash(runtime, 'echo ready');
        else await Promise.all(Array.from({ length: n }, (_, k) => bash(runtime, `ls src | wc -l && echo ${k}`)));
        (n === 0 ? settledFirst : parallel[n]).push(performance.now() - started);
        await runtime.close();
      }
    }

    const runtime = await open();
    try {
      await timeEach(20, () => bash(runtime, 'echo hello'));
      const echo = await timeEach(200, () => bash(runtime, 'echo hello'));
      const grep = await timeEach(5, () => bash(runtime, 'grep -rn "Handler(input" src | wc -l'));
      const lines = (await bash(runtime, 'grep -rn "Handler(input" src | wc -l')).content;

      await runtime.extensions.settled();
      const text = 'the quick brown fox jumps over the lazy dog\n'.repeat(20);
      await timeEach(20, () => callTool(runtime, 'word_count', { text }).then(ok));
      const wordCount = await timeEach(300, () => callTool(runtime, 'word_count', { text }).then(ok));

      // Preparing a module the cache has not seen: binaryen loads in a child process and instruments it. The word
      // counter ships instrumented, so a custom section ("bench") makes it a module of a user's own.
      await rm(userCache, { recursive: true, force: true });
      const shipped = await readFile(
        join(import.meta.dirname, '..', 'dist', 'extensions', 'word-count', 'word-count.wasm'),
      );
      const source = join(dir, 'user-word-count.wasm');
      await writeFile(source, Buffer.concat([shipped, Buffer.from([0, 6, 5, ...Buffer.from('bench')])]));
      const prepareStarted = performance.now();
      await runtime.sandbox.prepareModule('word_count', source);
      const prepareMs = performance.now() - prepareStarted;

      return [
        {
          name: 'first bash call in a new runtime (worker + QuickJS + shell)',
          value: round(median(firstCalls)),
          unit: `ms (max ${round(Math.max(...firstCalls))} ms)`,
          target: '< 1,000 ms',
        },
        {
          name: 'first bash call of a run (start-up settled)',
          value: round(median(settledFirst)),
          unit: `ms (max ${round(Math.max(...settledFirst))} ms)`,
          target: '≤ 60 ms',
        },
        ...([2, 4] as const).map((n) => ({
          name: `parallel turn of ${n} bash calls, fresh runtime`,
          value: round(median(parallel[n])),
          unit: `ms (max ${round(Math.max(...parallel[n]))} ms)`,
          target: '≤ slowest call + 20 %',
        })),
        {
          name: 'bash `echo hello`, warm (p50)',
          value: round(median(echo), 2),
          unit: `ms (p95 ${round(percentile(echo, 95), 2)} ms)`,
          target: '≤ 30 ms',
        },
        {
          name: `bash \`grep -rn\` over ${FILES} files`,
          value: round(median(grep)),
          unit: `ms (${String(lines).split('\n')[0]} matches)`,
        },
        {
          name: 'word_count WebAssembly tool, warm (p50)',
          value: round(median(wordCount), 2),
          unit: `ms (p95 ${round(percentile(wordCount, 95), 2)} ms)`,
        },
        { name: 'prepare a new module (check + fuel instrumentation)', value: round(prepareMs), unit: 'ms' },
      ];
    } finally {
      await runtime.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
