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

/** Counts, not bytes: an idle pool gives its workers back but the last, which stays warm. */
describe('the sandbox pool when idle', () => {
  it('ends idle workers after sandbox.workerIdleMs down to one, which still serves the next call', async () => {
    const workspace = await openWorkspace(await tempDir());
    await workspace.settings.patch({ sandbox: { workerIdleMs: 1000 } });
    const runtime = await createRuntime(workspace, { logger: silentLogger, watchExtensions: false, warmWorkers: 3 });
    runtimes.push(runtime);
    // Three are started and warmed; each is ended a second after it went idle, but the last, which ends warm.
    await runtime.sandbox.warmed();
    await expect.poll(() => runtime.sandbox.workers(), { timeout: 30_000 }).toBe(1);
    await runtime.sandbox.warmed();
    expect(text(await callTool(runtime, 'bash', { command: 'echo still warm' }))).toBe('still warm\n(exit code 0)');
  });
});
