import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StampedEvent } from '../../src/contract/events';
import { silentLogger } from '../../src/log';
import { type AgentRuntime, createRuntime } from '../../src/runtime/runtime';
import { type Workspace, openWorkspace } from '../../src/workspace/workspace';
import type { MockModelServer } from '../fixtures/mock-model/server';
import { mockProviderSettings, startMock } from '../helpers/chat';
import { runCli } from '../helpers/server';
import { EVERYTHING, FILESYSTEM, everything, startEverythingHttp } from '../helpers/mcp-servers';
import { tempDir } from '../helpers/workspace';

const runtimes: AgentRuntime[] = [];
const processes: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()));
  for (const child of processes.splice(0)) child.kill('SIGKILL');
});

interface Harness {
  root: string;
  workspace: Workspace;
  runtime: AgentRuntime;
  mock: MockModelServer;
  run(text: string, mode?: 'bypass' | 'default'): Promise<StampedEvent[]>;
}

async function harness(servers: Record<string, unknown>, settings: Record<string, unknown> = {}): Promise<Harness> {
  const mock = await startMock();
  const root = await tempDir('boxagnts-mcp-');
  const workspace = await openWorkspace(root);
  await workspace.settings.patch(mockProviderSettings(mock));
  await workspace.settings.patch({ mcp: { servers }, ...settings });
  const runtime = await createRuntime(workspace, { logger: silentLogger, watchExtensions: false });
  runtimes.push(runtime);
  await runtime.mcp.settled();
  return {
    root,
    workspace,
    runtime,
    mock,
    async run(text, mode = 'bypass') {
      const session = await runtime.sessions.create();
      const spec = await runtime.workspaceSpec({ text, permissionMode: mode }, { watched: false, unattended: 'deny' });
      await (
        await runtime.runner.start(session.id, spec)
      ).done;
      return (await runtime.sessions.read(session.id)).events;
    },
  };
}

const completed = (events: StampedEvent[]) =>
  events.filter((e): e is Extract<StampedEvent, { type: 'tool.completed' }> => e.type === 'tool.completed');
const offered = (mock: MockModelServer, i: number) =>
  ((mock.requests[i]!.body.tools ?? []) as { function: { name: string } }[]).map((t) => t.function.name);

describe('MCP servers as tool sources', () => {
  it('offers a stdio server’s tools as mcp__SERVER__TOOL, and the model’s call gets the server’s answer', async () => {
    const h = await harness({ everything });
    const status = h.runtime.mcp.status()[0]!;
    expect(status).toMatchObject({ name: 'everything', state: 'ready', transport: 'stdio' });
    expect(status.serverInfo?.name).toBe('mcp-servers/everything');
    expect(status.tools.map((t) => t.toolName)).toContain('mcp__everything__echo');
    expect(status.tools.find((t) => t.name === 'get-sum')).toMatchObject({
      toolName: 'mcp__everything__get-sum',
      level: 'execute',
    });
    h.mock.enqueue(
      { toolCalls: [{ name: 'mcp__everything__echo', input: { message: 'hello mcp' } }] },
      { toolCalls: [{ name: 'mcp__everything__get-sum', input: { a: 2, b: 3 } }] },
      { text: 'done' },
    );
    const events = await h.run('use the server');
    // A few tools: offered in full.
    expect(offered(h.mock, 0)).toContain('mcp__everything__echo');
    const [echo, sum] = completed(events);
    expect(echo!.result.content).toBe('Echo: hello mcp');
    expect(sum!.result.content).toBe('The sum of 2 and 3 is 5.');
  });

  it('reaches a server over Streamable HTTP', async () => {
    const { url, child } = await startEverythingHttp();
    processes.push(child);
    const h = await harness({ remote: { url } });
    expect(h.runtime.mcp.status()[0]).toMatchObject({ state: 'ready', transport: 'http' });
    h.mock.enqueue({ toolCalls: [{ name: 'mcp__remote__echo', input: { message: 'over http' } }] }, { text: 'ok' });
    const [echo] = completed(await h.run('echo'));
    expect(echo!.result.content).toBe('Echo: over http');
  });

  it('cancels a long-running tool with the run, and passes its progress to the tool card', async () => {
    const h = await harness({ everything });
    h.mock.enqueue({
      toolCalls: [{ name: 'mcp__everything__trigger-long-running-operation', input: { duration: 30, steps: 30 } }],
    });
    const session = await h.runtime.sessions.create();
    const progress: Record<string, unknown>[] = [];
    const stop = await h.runtime.hub.subscribe(session.id, 0, (event) => {
      if (event.type === 'tool.progress') progress.push(event.data);
    });
    const spec = await h.runtime.workspaceSpec(
      { text: 'wait', permissionMode: 'bypass' },
      { watched: false, unattended: 'deny' },
    );
    const started = await h.runtime.runner.start(session.id, spec);
    while (progress.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    h.runtime.runner.cancel(session.id);
    expect((await started.done).status).toBe('cancelled');
    stop();
    expect(progress[0]).toMatchObject({ progress: 1, total: 30 });
    // The SDK tells the server (notifications/cancelled); the connection goes on serving.
    h.mock.enqueue(
      { toolCalls: [{ name: 'mcp__everything__echo', input: { message: 'still here' } }] },
      { text: 'ok' },
    );
    expect(completed(await h.run('again'))[0]!.result.content).toBe('Echo: still here');
  });

  it('reports a server that exits and restarts it; a missing command is reported and the others keep working', async () => {
    const root = await tempDir('boxagnts-mcp-crash-');
    const script = join(root, 'dies.mjs');
    await writeFile(script, "process.stderr.write('out of cheese\\n'); process.exit(3);\n");
    const h = await harness({
      everything,
      dies: { command: process.execPath, args: [script] },
      ghost: { command: 'boxagnts-no-such-command' },
    });
    const byName = () => Object.fromEntries(h.runtime.mcp.status().map((s) => [s.name, s]));
    expect(byName().ghost).toMatchObject({ state: 'failed' });
    expect(byName().ghost!.reason).toMatch(/boxagnts-no-such-command/);
    expect(byName().dies).toMatchObject({ state: 'failed' });
    expect(byName().dies!.reason).toMatch(/out of cheese|closed|exit/i);
    expect(byName().dies!.retryAt).toBeDefined();
    expect(byName().everything).toMatchObject({ state: 'ready' });
    expect(h.runtime.mcp.log('dies')).toContain('out of cheese');
    // Retried on its own: the attempts count up.
    const attempts = byName().dies!.attempts;
    while (byName().dies!.attempts === attempts) await new Promise((resolve) => setTimeout(resolve, 50));
    // A server that comes good is ready after a restart.
    await writeFile(script, `import('${EVERYTHING.replace(/\\/g, '/')}');\n`);
    await h.workspace.settings.patch({ mcp: { servers: { dies: { args: [EVERYTHING, 'stdio'] } } } });
    await h.runtime.mcp.settled();
    expect(byName().dies).toMatchObject({ state: 'ready' });
    h.mock.enqueue({ toolCalls: [{ name: 'mcp__everything__echo', input: { message: 'fine' } }] }, { text: 'ok' });
    expect(completed(await h.run('echo'))[0]!.result.content).toBe('Echo: fine');
  });

  it('refuses a call a deny rule names, through the same gate', async () => {
    const root = await tempDir('boxagnts-mcp-fs-');
    const h = await harness(
      { filesystem: { command: process.execPath, args: [FILESYSTEM, root] } },
      { permissions: { rules: ['deny mcp__filesystem__write_file'] } },
    );
    expect(h.runtime.mcp.status()[0]).toMatchObject({ state: 'ready' });
    h.mock.enqueue(
      {
        toolCalls: [
          { name: 'mcp__filesystem__write_file', input: { path: join(root, 'x.txt'), content: 'x' } },
          { name: 'mcp__filesystem__list_directory', input: { path: root } },
        ],
      },
      { text: 'ok' },
    );
    const events = await h.run('write', 'bypass');
    const byName = Object.fromEntries(completed(events).map((e) => [e.name, e.result]));
    expect(byName.mcp__filesystem__write_file).toMatchObject({
      isError: true,
      content: expect.stringMatching(/deny mcp__filesystem__write_file/),
    });
    expect(byName.mcp__filesystem__list_directory!.isError).toBeFalsy();
  });

  it('runs an MCP tool headless with boxagnts tool, from the same configuration', async () => {
    const root = await tempDir('boxagnts-mcp-cli-');
    const workspace = await openWorkspace(root);
    await workspace.settings.patch({ mcp: { servers: { everything } } });
    const result = await runCli(
      ['tool', 'mcp__everything__echo', '{"message":"hi"}', '--workspace-dir', root, '--permission-mode', 'bypass'],
      { timeoutMs: 30_000 },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('Echo: hi');
    // A call that would ask is refused with nobody to ask, as for any tool.
    const asked = await runCli(['tool', 'mcp__everything__echo', '{"message":"hi"}', '--workspace-dir', root], {
      timeoutMs: 30_000,
    });
    expect(asked.code).toBe(1);
  });

  it('offers many tools by name only, and tool_search reveals one', async () => {
    // Twelve copies of the everything server: over 150 tools.
    const servers = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`e${i}`, everything]));
    const h = await harness(servers);
    expect(h.runtime.mcp.tools().length).toBeGreaterThanOrEqual(150);
    h.mock.enqueue(
      { toolCalls: [{ name: 'tool_search', input: { query: 'mcp__e3__echo' } }] },
      { toolCalls: [{ name: 'mcp__e3__echo', input: { message: 'found' } }] },
      { text: 'ok' },
    );
    const events = await h.run('search');
    expect(offered(h.mock, 0).filter((name) => name.startsWith('mcp__'))).toEqual([]);
    expect(offered(h.mock, 1)).toContain('mcp__e3__echo');
    expect(completed(events)[1]!.result.content).toBe('Echo: found');
  });
});
