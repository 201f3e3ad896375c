import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log';
import { JobSchema } from '../../src/contract/automation';
import { createRuntime } from '../../src/runtime/runtime';
import { openWorkspace } from '../../src/workspace/workspace';
import { mockProviderSettings, startMock } from '../helpers/chat';
import { tempDir } from '../helpers/workspace';

describe('a run is a value', () => {
  it('runs a child-shaped RunSpec: only its tools are offered, and its sandbox sees its own folder as /', async () => {
    const mock = await startMock();
    const root = await tempDir();
    await writeFile(join(root, 'workspace-only.txt'), 'in the workspace');
    const other = await tempDir('boxagnts-child-');
    await mkdir(join(other, 'src'));
    await writeFile(join(other, 'src', 'child.ts'), 'export const child = true;\n');
    await writeFile(join(other, 'notes.md'), 'the child folder\n');
    const workspace = await openWorkspace(root);
    await workspace.settings.patch(mockProviderSettings(mock));
    const runtime = await createRuntime(workspace, { logger: silentLogger, watchExtensions: false });
    try {
      const session = await runtime.sessions.create();
      const base = await runtime.workspaceSpec({ text: 'look around' }, { watched: false, unattended: 'deny' });
      const spec = {
        ...base,
        tools: { ...base.tools, allow: ['read', 'glob'] },
        scope: { workDir: other },
        parent: { sessionId: 'ses_parent00000000000', runId: 'run_parent', callId: 'call_parent' },
        depth: 1,
      };
      mock.enqueue(
        {
          toolCalls: [
            { name: 'glob', input: { pattern: '**/*' } },
            { name: 'read', input: { file_path: '/notes.md' } },
            { name: 'bash', input: { command: 'ls' } },
          ],
        },
        { text: 'Seen.' },
      );
      const outcome = await (await runtime.runner.start(session.id, spec)).done;
      expect(outcome.status).toBe('finished');

      const offered = (mock.requests[0]!.body.tools as { function: { name: string } }[])
        .map((t) => t.function.name)
        .sort();
      expect(offered).toEqual(['glob', 'read']);
      const { events } = await runtime.sessions.read(session.id);
      expect(events.find((e) => e.type === 'run.started')).toMatchObject({ parent: spec.parent, depth: 1 });
      const results = events
        .filter((e) => e.type === 'tool.completed')
        .map((e) => e as unknown as { name: string; result: { content: string; isError?: boolean } });
      const glob = results.find((r) => r.name === 'glob')!.result.content;
      expect(glob).toContain('/src/child.ts');
      expect(glob).toContain('/notes.md');
      expect(glob).not.toContain('workspace-only');
      expect(results.find((r) => r.name === 'read')!.result.content).toContain('the child folder');
      // A tool outside the run's selection does not exist for it, even if the model names it.
      expect(results.find((r) => r.name === 'bash')!.result).toMatchObject({
        isError: true,
        content: expect.stringMatching(/no tool named "bash"/),
      });
    } finally {
      await runtime.close();
    }
  });
});

describe("a job's run", () => {
  it('stopped while it is being prepared is cancelled, never left running', async () => {
    const mock = await startMock();
    mock.setFallback({ text: 'Should not be asked.', firstChunkDelayMs: 60_000 });
    const root = await tempDir();
    const workspace = await openWorkspace(root);
    await workspace.settings.patch(mockProviderSettings(mock));
    const runtime = await createRuntime(workspace, { logger: silentLogger, watchExtensions: false });
    try {
      const stop = new AbortController();
      const job = JobSchema.parse({
        name: 'early',
        createdAt: new Date().toISOString(),
        schedule: { kind: 'every', minutes: 60 },
        prompt: 'work',
      });
      // Stopped the moment its session exists, before the run starts and listens for the stop.
      const result = await runtime.runJob(
        job,
        { id: 'jr_early', job: 'early', trigger: 'manual', enqueuedAt: new Date().toISOString() },
        stop.signal,
        { onSession: async () => stop.abort() },
      );
      expect(result.status).toBe('cancelled');
    } finally {
      await runtime.close();
    }
  }, 30_000);
});
