import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log';
import { type AgentRuntime, createRuntime } from '../../src/runtime/runtime';
import { openWorkspace } from '../../src/workspace/workspace';
import { callTool, text } from '../helpers/sandbox';
import { tempDir } from '../helpers/workspace';

const runtimes: AgentRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()));
});

async function runtimeWith(sandbox: { workerIdleMs?: number; maxPoolMemoryMb?: number }, warmWorkers: number) {
  const workspace = await openWorkspace(await tempDir());
  await workspace.settings.patch({ sandbox });
  const runtime = await createRuntime(workspace, { logger: silentLogger, watchExtensions: false, warmWorkers });
  runtimes.push(runtime);
  return runtime;
}

const count = (runtime: AgentRuntime) => runtime.sandbox.workers().count;

/** Counts, not bytes: an idle pool gives its workers back, keeping one only while a run is under way. */
describe('the sandbox pool when idle', () => {
  it('keeps one warm worker while calls are expected, and none once they are not', async () => {
    const runtime = await runtimeWith({ workerIdleMs: 1000 }, 3);
    runtime.sandbox.expectCalls(true);
    // Three are started and warmed; each is ended a second after it went idle, but the last, which ends warm.
    await runtime.sandbox.warmed();
    await expect.poll(() => count(runtime), { timeout: 30_000 }).toBe(1);
    await runtime.sandbox.warmed();
    expect(text(await callTool(runtime, 'bash', { command: 'echo still warm' }))).toBe('still warm\n(exit code 0)');

    runtime.sandbox.expectCalls(false);
    await expect.poll(() => count(runtime), { timeout: 30_000 }).toBe(0);
    expect(runtime.sandbox.workers().memoryBytes).toBe(0);
    // The next call starts a worker again.
    expect(text(await callTool(runtime, 'bash', { command: 'echo cold' }))).toBe('cold\n(exit code 0)');
  });
});

describe('the sandbox pool memory budget', () => {
  it('starts no worker past the budget: parallel calls share the one that fits', async () => {
    const runtime = await runtimeWith({ maxPoolMemoryMb: 64 }, 3);
    await runtime.sandbox.warmed();
    expect(count(runtime)).toBe(1);
    const calls = await Promise.all(
      Array.from({ length: 4 }, (_, i) => callTool(runtime, 'bash', { command: `echo call ${i}` })),
    );
    expect(calls.map(text)).toEqual([0, 1, 2, 3].map((i) => `call ${i}\n(exit code 0)`));
    expect(count(runtime)).toBe(1);
  });

  it('replaces a worker past its share between calls, never during one', async () => {
    // The one worker the budget allows may hold all 64 MB; a call that grows QuickJS's memory past that (it never
    // shrinks) ends with its result, and the worker is replaced after it.
    const runtime = await runtimeWith({ maxPoolMemoryMb: 64 }, 1);
    await runtime.sandbox.warmed();
    const before = runtime.sandbox.workers().started;
    expect(text(await callTool(runtime, 'bash', { command: 'echo small' }))).toBe('small\n(exit code 0)');
    expect(runtime.sandbox.workers().started).toBe(before);
    const grow =
      'export function main() { const a = []; for (let i = 0; i < 400000; i++) a.push("x".repeat(64) + i); return a.length }';
    expect(text(await callTool(runtime, 'jsexec', { code: grow }))).toContain('400000');
    await expect.poll(() => runtime.sandbox.workers().started).toBe(before + 1);
    expect(text(await callTool(runtime, 'bash', { command: 'echo again' }))).toBe('again\n(exit code 0)');
  });
});
