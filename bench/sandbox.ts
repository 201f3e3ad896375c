import { execFileSync } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRuntime } from '../src/runtime/runtime';
import { silentLogger } from '../src/log';
import { openWorkspace } from '../src/workspace/workspace';
import { callTool } from '../test/helpers/sandbox';
import { type Bench, type Metric, median, percentile, rssOf, round, timeEach } from './lib';
import { benchWorkspace, makeSourceTree } from './processes';

const FILES = 5000;

/** A 5,000-file tree, and a 4 KB file for the read benchmark. */
async function makeTree(root: string): Promise<void> {
  await makeSourceTree(root, FILES, 50);
  await writeFile(join(root, 'four-kb.txt'), `${'a line of text for the read benchmark\n'.repeat(110)}`.slice(0, 4096));
}

function rgTime(pattern: string, dir: string): number | null {
  try {
    execFileSync('rg', ['--version'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    try {
      execFileSync('rg', ['-l', pattern, dir], { stdio: 'ignore' });
    } catch {
      // rg exits 1 when nothing matches; timing is what counts.
    }
    runs.push(performance.now() - started);
  }
  return median(runs);
}

export const sandboxBench: Bench = {
  name: 'sandbox',
  async run(): Promise<Metric[]> {
    const dir = await benchWorkspace();
    await makeTree(dir);
    const workspace = await openWorkspace(dir);
    await workspace.settings.patch({ sandbox: { timeoutMs: 120_000, fuel: 'unlimited' } });
    const runtime = await createRuntime(workspace, { logger: silentLogger });
    const call = (name: string, input: unknown) => callTool(runtime, name, input);
    try {
      await timeEach(30, () => call('read', { file_path: 'four-kb.txt' }));
      const reads = await timeEach(300, () => call('read', { file_path: 'four-kb.txt' }));
      const content = 'a line of text for the write benchmark\n'.repeat(105);
      await timeEach(30, () => call('write', { file_path: 'out/written.txt', content }));
      const writes = await timeEach(300, () => call('write', { file_path: 'out/written.txt', content }));
      await timeEach(30, () => call('jsexec', { code: 'export function main() { return 1 + 1 }' }));
      const jsexec = await timeEach(300, () => call('jsexec', { code: 'export function main() { return 1 + 1 }' }));

      const pattern = 'function\\s+\\w+Handler';
      const grepRuns = await timeEach(3, async () => {
        const r = await call('grep', { pattern, output_mode: 'files_with_matches', head_limit: 10_000 });
        if (r.isError) throw new Error(`grep failed: ${JSON.stringify(r.content).slice(0, 200)}`);
      });
      const grepMs = median(grepRuns);
      const rgMs = rgTime(pattern, dir);
      const globMs = median(await timeEach(9, () => call('glob', { pattern: '**/*.ts' })));

      const mixed = () =>
        Array.from({ length: 20 }, (_, i) =>
          i % 4 === 0
            ? call('grep', { pattern: 'Handler', path: `src/module${i}` })
            : i % 4 === 1
              ? call('jsexec', { code: `export function main() { return ${i} }` })
              : call('read', { file_path: `src/module${i}/file${i}.ts` }),
        );
      await Promise.all(mixed());
      const concurrentStart = performance.now();
      await Promise.all(mixed());
      const concurrentMs = performance.now() - concurrentStart;

      await timeEach(500, () => call('read', { file_path: 'four-kb.txt' }));
      globalThis.gc?.();
      const before = await rssOf(process.pid);
      for (let i = 0; i < 10_000; i++)
        await call(
          i % 2 ? 'read' : 'jsexec',
          i % 2 ? { file_path: 'four-kb.txt' } : { code: `export function main() { return ${i} }` },
        );
      globalThis.gc?.();
      const after = await rssOf(process.pid);

      return [
        {
          name: 'read a 4 KB file, warm (p50)',
          value: round(median(reads), 2),
          unit: `ms (p95 ${round(percentile(reads, 95), 2)} ms)`,
          target: '≤ 3 ms',
        },
        {
          name: 'write a 4 KB file, warm (p50)',
          value: round(median(writes), 2),
          unit: `ms (p95 ${round(percentile(writes, 95), 2)} ms)`,
        },
        {
          name: 'jsexec of a trivial expression (p50)',
          value: round(median(jsexec), 2),
          unit: `ms (p95 ${round(percentile(jsexec, 95), 2)} ms)`,
          target: '≤ 3 ms',
        },
        { name: `grep a regex over ${FILES} files`, value: round(grepMs), unit: 'ms' },
        {
          name: `rg on the same tree`,
          value: rgMs === null ? -1 : round(rgMs, 1),
          unit: rgMs === null ? 'ms (rg not installed)' : `ms (grep is ${round(grepMs / rgMs, 1)}× rg)`,
        },
        { name: `glob **/*.ts over ${FILES} files`, value: round(globMs), unit: 'ms' },
        { name: '20 concurrent tool calls (read, grep, jsexec)', value: round(concurrentMs), unit: 'ms wall' },
        {
          name: 'RSS growth over 10,000 calls',
          value: round((after - before) / 1024 / 1024, 1),
          unit: 'MB',
          target: '< 50 MB',
        },
      ];
    } finally {
      await runtime.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
