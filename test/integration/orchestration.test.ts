import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { StampedEvent } from '../../src/contract/events';
import { silentLogger } from '../../src/log';
import { type AgentRuntime, createRuntime } from '../../src/runtime/runtime';
import { type Tool, defineTool } from '../../src/tools/tool';
import { openWorkspace } from '../../src/workspace/workspace';
import type { MockModelServer, RecordedRequest } from '../fixtures/mock-model/server';
import { mockProviderSettings, startMock } from '../helpers/chat';
import { firstUserText, scriptConversations } from '../helpers/conversations';
import { tempDir } from '../helpers/workspace';

const git = promisify(execFile);

const runtimes: AgentRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()));
});

interface Harness {
  root: string;
  runtime: AgentRuntime;
  mock: MockModelServer;
  /** Runs `prompt` as the user's run of a new session (bypass unless said), and returns the session's events. */
  run(
    prompt: string,
    options?: { mode?: 'bypass' | 'default'; maxCostUsd?: number; agentType?: string },
  ): Promise<{ sessionId: string; events: StampedEvent[]; status: string }>;
  events(sessionId: string): Promise<StampedEvent[]>;
}

async function harness(
  options: { settings?: Record<string, unknown>; tools?: (root: string) => Tool[]; root?: string } = {},
): Promise<Harness> {
  const mock = await startMock();
  const root = options.root ?? (await tempDir('boxagnts-orch-'));
  const workspace = await openWorkspace(root);
  await workspace.settings.patch(mockProviderSettings(mock));
  if (options.settings) await workspace.settings.patch(options.settings);
  const runtime = await createRuntime(workspace, {
    logger: silentLogger,
    watchExtensions: false,
    ...(options.tools ? { extraTools: options.tools(root) } : {}),
  });
  runtimes.push(runtime);
  const events = async (sessionId: string) => (await runtime.sessions.read(sessionId)).events;
  return {
    root,
    runtime,
    mock,
    events,
    async run(prompt, { mode = 'bypass', maxCostUsd, agentType } = {}) {
      const session = await runtime.sessions.create();
      const spec = await runtime.workspaceSpec(
        { text: prompt, permissionMode: mode, agentType, ...(maxCostUsd ? { limits: { maxCostUsd } } : {}) },
        { watched: false, unattended: 'deny' },
      );
      const outcome = await (await runtime.runner.start(session.id, spec)).done;
      return { sessionId: session.id, events: await events(session.id), status: outcome.status };
    },
  };
}

const agentCall = (input: Record<string, unknown>) => ({ name: 'agent', input });
const completed = (events: StampedEvent[], name: string) =>
  events.filter(
    (e): e is Extract<StampedEvent, { type: 'tool.completed' }> => e.type === 'tool.completed' && e.name === name,
  );
const ofType = <T extends StampedEvent['type']>(events: StampedEvent[], type: T) =>
  events.filter((e): e is Extract<StampedEvent, { type: T }> => e.type === type);
const offeredTools = (request: RecordedRequest) =>
  ((request.body.tools ?? []) as { function: { name: string } }[]).map((t) => t.function.name).sort();
/** The requests of the conversation whose first user message holds `marker`. */
const requestsOf = (mock: MockModelServer, marker: string) =>
  mock.requests.filter((r) => firstUserText(r).includes(marker));

/**
 * A tool that returns only once `count` child runs are running at the same time: a child that calls it cannot end
 * before the others have started, so the test proves overlap without depending on timing.
 */
function rendezvous(runtime: () => AgentRuntime, count: number): Tool {
  return defineTool({
    name: 'rendezvous',
    description: 'Waits for the other agents.',
    permissionLevel: 'read',
    input: z.strictObject({}),
    async execute(_input, ctx) {
      while (
        runtime()
          .orchestrator.list()
          .filter((c) => c.state === 'running').length < count
      ) {
        if (ctx.signal.aborted) return { content: 'cancelled', isError: true };
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return { content: 'all here' };
    },
  });
}

describe('manager and executors', () => {
  it('runs two executors in parallel, each in its own session linked to the parent, and returns both results', async () => {
    let current: AgentRuntime | undefined;
    const h = await harness({ tools: () => [rendezvous(() => current!, 2)] });
    current = h.runtime;
    scriptConversations(h.mock, {
      'MANAGE-TWO': [
        {
          toolCalls: [
            agentCall({ description: 'first half', prompt: 'TASK-A: do the first half' }),
            agentCall({ description: 'second half', prompt: 'TASK-B: do the second half' }),
          ],
        },
        { text: 'Both halves done.' },
      ],
      'TASK-A': [{ toolCalls: [{ name: 'rendezvous', input: {} }] }, { text: 'A is done' }],
      'TASK-B': [{ toolCalls: [{ name: 'rendezvous', input: {} }] }, { text: 'B is done' }],
    });
    const { sessionId, events, status } = await h.run('MANAGE-TWO', { agentType: 'manager' });
    expect(status).toBe('finished');
    // Managed mode: the manager reads, plans and delegates; it has no tool that changes files.
    expect(offeredTools(requestsOf(h.mock, 'MANAGE-TWO')[0]!)).toEqual([
      'agent',
      'agent_status',
      'agent_wait',
      'glob',
      'grep',
      'read',
      'todo_write',
    ]);
    expect(JSON.stringify(requestsOf(h.mock, 'MANAGE-TWO')[0]!.body.messages[0])).toContain('You are the manager');
    // Its executors do the work: they have the tools the manager itself does not use.
    expect(offeredTools(requestsOf(h.mock, 'TASK-A')[0]!)).toEqual(expect.arrayContaining(['bash', 'edit', 'write']));
    expect(offeredTools(requestsOf(h.mock, 'TASK-A')[0]!)).not.toContain('agent');

    const spawned = ofType(events, 'agent.spawned');
    expect(spawned.map((e) => e.description).sort()).toEqual(['first half', 'second half']);
    const results = completed(events, 'agent').map((e) => e.result.content as string);
    expect(results.join('\n')).toContain('A is done');
    expect(results.join('\n')).toContain('B is done');
    expect(ofType(events, 'agent.completed').map((e) => e.status)).toEqual(['finished', 'finished']);

    for (const child of spawned) {
      const summary = h.runtime.sessions.get(child.childId)!;
      expect(summary.spawnedBy).toMatchObject({ sessionId, callId: child.callId, agentType: 'general' });
      const childEvents = await h.events(child.childId);
      // A fresh conversation: only its own prompt, nothing of the manager's.
      const users = ofType(childEvents, 'message.user').map((e) => e.text);
      expect(users).toHaveLength(1);
      expect(users[0]).toMatch(/^TASK-[AB]/);
      expect(ofType(childEvents, 'run.started')[0]).toMatchObject({ depth: 1, parent: { sessionId } });
    }
    // Each child waited for the other to be running: their runs overlapped.
    const [a, b] = await Promise.all(spawned.map((child) => h.events(child.childId)));
    const span = (e: StampedEvent[]) => [
      Date.parse(ofType(e, 'run.started')[0]!.time),
      Date.parse(ofType(e, 'run.completed')[0]!.time),
    ];
    const [aStart, aEnd] = span(a!);
    const [bStart, bEnd] = span(b!);
    expect(aStart! <= bEnd! && bStart! <= aEnd!).toBe(true);
  });

  it('ends an executor that never stops calling tools at its max_turns, and the manager goes on', async () => {
    const h = await harness();
    scriptConversations(h.mock, {
      'MANAGE-LOOP': [
        { toolCalls: [agentCall({ description: 'loop', prompt: 'LOOPER: keep going', max_turns: 3 })] },
        { text: 'The executor hit its limit; stopping here.' },
      ],
      LOOPER: Array.from({ length: 10 }, () => ({ toolCalls: [{ name: 'glob', input: { pattern: '*' } }] })),
    });
    const { events, status } = await h.run('MANAGE-LOOP');
    expect(status).toBe('finished');
    const [done] = ofType(events, 'agent.completed');
    expect(done).toMatchObject({ status: 'max_turns', turns: 3 });
    expect(requestsOf(h.mock, 'LOOPER')).toHaveLength(3);
    expect(ofType(events, 'message.completed').at(-1)!.text).toContain('hit its limit');
  });

  it('stops an executor at its cost budget, and the parent budget caps what its children spend together', async () => {
    // 15 tokens a call at $1,000 per million: $0.015 a call.
    const h = await harness({
      settings: { providers: { mock: { models: { 'mock-model': { pricing: { input: 1000, output: 1000 } } } } } },
    });
    const forever = Array.from({ length: 20 }, () => ({ toolCalls: [{ name: 'glob', input: { pattern: '*' } }] }));
    scriptConversations(h.mock, {
      'MANAGE-BUDGET': [
        { toolCalls: [agentCall({ description: 'capped', prompt: 'SPENDER-1', budget_usd: 0.02 })] },
        {
          toolCalls: [
            agentCall({ description: 'greedy', prompt: 'SPENDER-2' }),
            agentCall({ description: 'late', prompt: 'SPENDER-3' }),
          ],
        },
        { text: 'done' },
      ],
      'SPENDER-1': forever,
      'SPENDER-2': forever,
      'SPENDER-3': forever,
    });
    const { events, status } = await h.run('MANAGE-BUDGET', { maxCostUsd: 0.1 });
    const done = ofType(events, 'agent.completed');
    expect(done.map((e) => e.status)).toEqual(['budget', 'budget', 'budget']);
    // Its own budget: two calls ($0.03) pass $0.02.
    expect(done[0]!.usage.costUsd).toBeCloseTo(0.03, 6);
    // The parent had $0.1: the manager's own calls and every child's count against it, and the run ends on it.
    expect(status).toBe('budget');
    const childrenSpent = done.reduce((sum, e) => sum + e.usage.costUsd, 0);
    const parentOwn = ofType(events, 'usage').reduce((sum, e) => sum + e.costUsd, 0);
    // At most one call ($0.015) past the budget: a call's cost is known only once it is made.
    expect(parentOwn + childrenSpent).toBeLessThanOrEqual(0.1 + 0.015 + 1e-9);
  });

  it('does not offer agent past maxDepth, and refuses a forged agent call', async () => {
    const h = await harness({ settings: { orchestration: { maxDepth: 1 } } });
    scriptConversations(h.mock, {
      'MANAGE-DEPTH': [{ toolCalls: [agentCall({ description: 'child', prompt: 'CHILD-DEPTH' })] }, { text: 'ok' }],
      'CHILD-DEPTH': [
        { toolCalls: [agentCall({ description: 'grandchild', prompt: 'GRANDCHILD' })] },
        { text: 'could not' },
      ],
    });
    const { events } = await h.run('MANAGE-DEPTH');
    const [child] = ofType(events, 'agent.spawned');
    const childRequest = requestsOf(h.mock, 'CHILD-DEPTH')[0]!;
    // The user's run has agent (by name, behind tool_search); the child has it in no form.
    expect(JSON.stringify(requestsOf(h.mock, 'MANAGE-DEPTH')[0]!.body.tools)).toMatch(/\bagent\b/);
    expect(offeredTools(childRequest)).not.toContain('agent');
    expect(JSON.stringify(childRequest.body.tools)).not.toMatch(/\bagent\b/);
    const forged = completed(await h.events(child!.childId), 'agent')[0]!;
    expect(forged.result).toMatchObject({ isError: true, content: expect.stringMatching(/no tool named "agent"/) });
    expect(h.mock.requests.filter((r) => firstUserText(r).includes('GRANDCHILD'))).toHaveLength(0);
    expect(h.runtime.orchestrator.list()).toHaveLength(1);
  });

  it('runs children one after another under maxConcurrent 1', async () => {
    const h = await harness({ settings: { orchestration: { maxConcurrent: 1 } } });
    scriptConversations(h.mock, {
      'MANAGE-QUEUE': [
        {
          toolCalls: ['Q1', 'Q2', 'Q3'].map((p) => agentCall({ description: p, prompt: `QUEUED-${p}` })),
        },
        { text: 'all three done' },
      ],
      'QUEUED-Q1': [{ text: 'one' }],
      'QUEUED-Q2': [{ text: 'two' }],
      'QUEUED-Q3': [{ text: 'three' }],
    });
    const order: string[] = [];
    const stop = h.runtime.hub.global.subscribe((event) => {
      if (event.type === 'run.status') order.push(event.running ? 'start' : 'end');
    });
    const { events } = await h.run('MANAGE-QUEUE');
    stop();
    expect(ofType(events, 'agent.completed').map((e) => e.status)).toEqual(['finished', 'finished', 'finished']);
    expect(ofType(events, 'agent.spawned').map((e) => e.queued)).toEqual([false, true, true]);
    // The manager's run, then each child's start and end before the next starts, then the manager's end.
    expect(order).toEqual(['start', 'start', 'end', 'start', 'end', 'start', 'end', 'end']);
  });

  it('keeps a child restricted to read and glob from writing, even in bypass mode', async () => {
    const h = await harness();
    scriptConversations(h.mock, {
      'MANAGE-RESTRICT': [
        { toolCalls: [agentCall({ description: 'reader', prompt: 'READ-ONLY-CHILD', tools: ['read', 'glob'] })] },
        { text: 'ok' },
      ],
      'READ-ONLY-CHILD': [
        {
          toolCalls: [
            { name: 'write', input: { file_path: 'hacked.txt', content: 'x' } },
            { name: 'bash', input: { command: 'echo x > hacked.txt' } },
          ],
        },
        { text: 'tried' },
      ],
    });
    const { events } = await h.run('MANAGE-RESTRICT', { mode: 'bypass' });
    const [child] = ofType(events, 'agent.spawned');
    expect(offeredTools(requestsOf(h.mock, 'READ-ONLY-CHILD')[0]!)).toEqual(['glob', 'read']);
    const attempts = ofType(await h.events(child!.childId), 'tool.completed');
    expect(attempts.every((e) => e.result.isError)).toBe(true);
    expect(existsSync(join(h.root, 'hacked.txt'))).toBe(false);
  });

  it('mounts the workspace read-only for an explore agent: its shell cannot change a file', async () => {
    const h = await harness();
    await writeFile(join(h.root, 'notes.txt'), 'original\n');
    scriptConversations(h.mock, {
      'MANAGE-EXPLORE': [
        { toolCalls: [agentCall({ description: 'look', prompt: 'EXPLORE-TASK', agent_type: 'explore' })] },
        { text: 'ok' },
      ],
      'EXPLORE-TASK': [
        { toolCalls: [{ name: 'bash', input: { command: 'echo changed > notes.txt; cat notes.txt' } }] },
        { text: 'looked' },
      ],
    });
    const { events } = await h.run('MANAGE-EXPLORE');
    const [child] = ofType(events, 'agent.spawned');
    expect(offeredTools(requestsOf(h.mock, 'EXPLORE-TASK')[0]!)).toEqual(['bash', 'glob', 'grep', 'read']);
    const [shell] = completed(await h.events(child!.childId), 'bash');
    expect(shell!.result.content).toMatch(/Read-only file system/);
    expect(await readFile(join(h.root, 'notes.txt'), 'utf8')).toBe('original\n');
  });

  it('cancels running children when the parent is cancelled', async () => {
    const h = await harness();
    scriptConversations(h.mock, {
      'MANAGE-CANCEL': [
        {
          toolCalls: [
            agentCall({ description: 'slow one', prompt: 'STALL-1' }),
            agentCall({ description: 'slow two', prompt: 'STALL-2' }),
          ],
        },
      ],
      // The model never answers these: only a cancel ends them.
      'STALL-1': [{ text: 'never', stallAfterChunks: 0 }],
      'STALL-2': [{ text: 'never', stallAfterChunks: 0 }],
    });
    const session = await h.runtime.sessions.create();
    const spec = await h.runtime.workspaceSpec(
      { text: 'MANAGE-CANCEL', permissionMode: 'bypass' },
      { watched: false, unattended: 'deny' },
    );
    const started = await h.runtime.runner.start(session.id, spec);
    while (h.runtime.orchestrator.list().filter((c) => c.state === 'running').length < 2)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const cancelledAt = performance.now();
    h.runtime.runner.cancel(session.id);
    expect((await started.done).status).toBe('cancelled');
    await Promise.all(h.runtime.orchestrator.list().map((c) => h.runtime.orchestrator.result(c.id)));
    const latency = performance.now() - cancelledAt;
    expect(h.runtime.orchestrator.list().map((c) => c.status)).toEqual(['cancelled', 'cancelled']);
    for (const child of h.runtime.orchestrator.list())
      expect(ofType(await h.events(child.id), 'run.completed')[0]).toMatchObject({ status: 'cancelled' });
    // Reported, not asserted: timings depend on the machine.
    console.log(`children cancelled ${Math.round(latency)} ms after the parent`);
  });

  it('isolates a child in a git worktree: its write lands on its branch only, and a clean one leaves nothing', async () => {
    const root = await tempDir('boxagnts-git-');
    await git('git', ['init', '-q', '-b', 'main'], { cwd: root });
    await writeFile(join(root, 'README.md'), 'hello\n');
    await git('git', ['add', '.'], { cwd: root });
    await git('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'init'], { cwd: root });
    const h = await harness({ root });
    scriptConversations(h.mock, {
      'MANAGE-WORKTREE': [
        {
          toolCalls: [
            agentCall({ description: 'writer', prompt: 'WT-WRITER', isolation: 'worktree' }),
            agentCall({ description: 'idle', prompt: 'WT-IDLE', isolation: 'worktree' }),
          ],
        },
        { text: 'ok' },
      ],
      'WT-WRITER': [
        { toolCalls: [{ name: 'write', input: { file_path: 'feature.txt', content: 'new feature\n' } }] },
        { text: 'wrote feature.txt' },
      ],
      'WT-IDLE': [{ text: 'nothing to do' }],
    });
    const { events } = await h.run('MANAGE-WORKTREE');
    const done = ofType(events, 'agent.completed');
    const writer = done.find((e) => e.text.includes('wrote'))!;
    const idle = done.find((e) => e.text.includes('nothing'))!;
    expect(writer.worktree).toMatchObject({ branch: `boxagnts/${writer.childId}`, clean: false });
    expect(writer.worktree!.diffStat).toContain('feature.txt');
    expect(writer.filesChanged).toEqual(['feature.txt']);
    // The main checkout is untouched; the change is on the child's branch.
    expect(existsSync(join(root, 'feature.txt'))).toBe(false);
    const status = (await git('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: root })).stdout;
    expect(status).not.toMatch(/feature\.txt|worktrees|README/);
    const shown = await git('git', ['show', `boxagnts/${writer.childId}:feature.txt`], { cwd: root });
    expect(shown.stdout).toBe('new feature\n');
    // The clean child left no worktree and no branch.
    expect(idle.worktree).toMatchObject({ clean: true });
    expect(existsSync(join(root, '.boxagnts', 'worktrees', idle.childId))).toBe(false);
    const branches = (await git('git', ['branch', '--list', 'boxagnts/*'], { cwd: root })).stdout;
    expect(branches).toContain(writer.childId);
    expect(branches).not.toContain(idle.childId);
    expect(
      completed(events, 'agent')
        .map((e) => e.result.content as string)
        .join('\n'),
    ).toContain(`branch boxagnts/${writer.childId}`);
  });

  it('lists an invalid agent file with its reason, loads the others, and uses a .claude agent as is', async () => {
    const root = await tempDir('boxagnts-types-');
    await mkdir(join(root, '.boxagnts', 'agents'), { recursive: true });
    await writeFile(
      join(root, '.boxagnts', 'agents', 'broken.md'),
      '---\nname: broken\ndescription: Broken.\nmaxTurns: lots\n---\nbody\n',
    );
    await writeFile(
      join(root, '.boxagnts', 'agents', 'reviewer.md'),
      '---\nname: reviewer\ndescription: Reviews code.\ntools: [read, grep]\n---\nReview carefully.\n',
    );
    await mkdir(join(root, '.claude', 'agents'), { recursive: true });
    await writeFile(
      join(root, '.claude', 'agents', 'helper.md'),
      '---\nname: helper\ndescription: Helps out.\ntools: Read, Grep\nmodel: sonnet\ncolor: blue\n---\nYou help.\n',
    );
    const h = await harness({ root });
    const list = await h.runtime.agentTypes.list();
    expect(list.invalid).toEqual([
      expect.objectContaining({ path: '.boxagnts/agents/broken.md', problem: expect.stringMatching(/maxTurns/) }),
    ]);
    expect(list.agents.map((a) => a.name)).toEqual(
      expect.arrayContaining(['reviewer', 'helper', 'general', 'explore', 'plan', 'manager']),
    );
    expect(list.agents.find((a) => a.name === 'helper')).toMatchObject({
      origin: 'claude',
      tools: ['read', 'grep'],
      unknownTools: [],
    });

    scriptConversations(h.mock, {
      'MANAGE-CLAUDE': [
        { toolCalls: [agentCall({ description: 'help', prompt: 'HELPER-TASK', agent_type: 'helper' })] },
        { text: 'ok' },
      ],
      'HELPER-TASK': [{ text: 'helped' }],
    });
    const { events } = await h.run('MANAGE-CLAUDE');
    expect(ofType(events, 'agent.completed')[0]).toMatchObject({ status: 'finished', agentType: 'helper' });
    const request = requestsOf(h.mock, 'HELPER-TASK')[0]!;
    expect(offeredTools(request)).toEqual(['grep', 'read']);
    const system = JSON.stringify(request.body.messages[0]);
    expect(system).toContain('You help.');
    // `sonnet` is no model of this workspace: the parent's is used, and the child's session says so.
    const [child] = ofType(events, 'agent.spawned');
    expect(ofType(await h.events(child!.childId), 'message.user')[0]!.text).toMatch(/asks for the model "sonnet"/);
  });

  it('runs a background child: the call returns at once and the result reaches the parent as a message', async () => {
    const h = await harness();
    let childId = '';
    scriptConversations(h.mock, {
      'MANAGE-BACKGROUND': [
        { toolCalls: [agentCall({ description: 'later', prompt: 'BG-TASK', background: true })] },
        (request) => {
          childId = /Started agent (ses_\w+)/.exec(JSON.stringify(request.body.messages))![1]!;
          return { toolCalls: [{ name: 'agent_wait', input: { ids: [childId] } }] };
        },
        { text: 'background work collected' },
      ],
      'BG-TASK': [{ text: 'background result 42' }],
    });
    const { events, status } = await h.run('MANAGE-BACKGROUND');
    expect(status).toBe('finished');
    const [started] = completed(events, 'agent');
    expect(started!.result.content).toMatch(/^Started agent ses_/);
    expect(completed(events, 'agent_wait')[0]!.result.content).toContain('background result 42');
    expect(ofType(events, 'agent.completed')[0]).toMatchObject({ background: true, status: 'finished' });
    // The result is also delivered to the parent as a message, before its next model call.
    const notes = ofType(events, 'message.user').filter((n) => n.synthetic);
    expect(notes.map((n) => n.text).join('\n')).toContain(`Background agent ${childId} finished`);
    expect(notes.map((n) => n.text).join('\n')).toContain('background result 42');
  });
});
