import { rm } from 'node:fs/promises';
import { silentLogger } from '../src/log';
import { createRuntime } from '../src/runtime/runtime';
import { openWorkspace } from '../src/workspace/workspace';
import { startMockModelServer } from '../test/fixtures/mock-model/server';
import { firstUserText } from '../test/helpers/conversations';
import { type Bench, type Metric, median, percentile, round } from './lib';
import { benchWorkspace } from './processes';

const SPAWNS = 30;
const IDLE_CHILDREN = 50;

/** Bytes the process holds on the JavaScript heap and in buffers, after a full collection. */
function heldBytes(): number {
  globalThis.gc?.();
  globalThis.gc?.();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/**
 * Orchestration: how long an `agent` call takes to reach the child's first model request, and what an idle background
 * child (running, waiting on its model) costs in memory.
 */
export const agentsBench: Bench = {
  name: 'agents',
  async run(): Promise<Metric[]> {
    if (!globalThis.gc) throw new Error('run with --expose-gc (npm run bench does)');
    const mock = await startMockModelServer();
    const dir = await benchWorkspace(mock.url);
    const workspace = await openWorkspace(dir);
    await workspace.settings.patch({ orchestration: { maxConcurrent: 64 } });
    const runtime = await createRuntime(workspace, { logger: silentLogger, watchExtensions: false });
    try {
      // The agent call's start (tool.started on the parent) to the child's first request at the model.
      const latencies: number[] = [];
      let callAt = 0;
      mock.setFallback((request) => {
        const text = firstUserText(request);
        if (text.startsWith('CHILD')) {
          if (request.body.messages.filter((m: { role: string }) => m.role === 'assistant').length === 0)
            latencies.push(performance.now() - callAt);
          return { text: 'done' };
        }
        if (text.startsWith('IDLE')) return { text: 'never', stallAfterChunks: 0 };
        const answered = request.body.messages.some((m: { role: string }) => m.role === 'tool');
        if (answered) return { text: 'ok' };
        const prompt = text.startsWith('SPAWN-BG') ? 'IDLE' : 'CHILD';
        const background = text.startsWith('SPAWN-BG');
        const count = background ? IDLE_CHILDREN : 1;
        return {
          toolCalls: Array.from({ length: count }, (_, i) => ({
            name: 'agent',
            input: { description: `child ${i}`, prompt: `${prompt} ${i}`, background },
          })),
        };
      });
      const approvals = { watched: false, unattended: 'deny' } as const;
      for (let i = 0; i < SPAWNS; i++) {
        const session = await runtime.sessions.create();
        const stop = await runtime.hub.subscribe(session.id, 0, (event) => {
          if (event.type === 'tool.started' && event.name === 'agent') callAt = performance.now();
        });
        const spec = await runtime.workspaceSpec({ text: `SPAWN ${i}`, permissionMode: 'bypass' }, approvals);
        await (
          await runtime.runner.start(session.id, spec)
        ).done;
        stop();
      }

      // Background children whose model never answers: each holds a run, a session and a stalled request.
      const before = heldBytes();
      const rssBefore = process.memoryUsage().rss;
      const session = await runtime.sessions.create();
      const spec = await runtime.workspaceSpec({ text: 'SPAWN-BG', permissionMode: 'bypass' }, approvals);
      await (
        await runtime.runner.start(session.id, spec)
      ).done;
      while (runtime.orchestrator.list().filter((c) => c.state === 'running').length < IDLE_CHILDREN)
        await new Promise((resolve) => setTimeout(resolve, 20));
      // Let the children settle into waiting.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const perChild = (heldBytes() - before) / IDLE_CHILDREN;
      const rssPerChild = (process.memoryUsage().rss - rssBefore) / IDLE_CHILDREN;
      for (const child of runtime.orchestrator.list()) runtime.orchestrator.cancel(child.id);

      const settled = latencies.slice(5);
      return [
        {
          name: 'agent call to the child’s first model request',
          value: round(median(settled)),
          unit: `ms (p95 ${round(percentile(settled, 95))} ms, ${settled.length} calls)`,
          target: '< 50 ms',
        },
        {
          name: `memory per idle background child (${IDLE_CHILDREN} waiting on their model)`,
          value: round(perChild / 1024 / 1024, 2),
          unit: `MB of JS heap and buffers (resident set: ${round(rssPerChild / 1024 / 1024, 2)} MB)`,
          target: '< 5 MB',
        },
      ];
    } finally {
      await runtime.close();
      await mock.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
