import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RunBudget } from '../../src/agent/budget';
import type { RunEvent } from '../../src/contract/events';
import { type RunOutcome, runAgent } from '../../src/agent/loop';
import type { RunLimits } from '../../src/agent/run-spec';
import { Redactor } from '../../src/models/redaction';
import { ApprovalBroker } from '../../src/permissions/approvals';
import { type Approvals, PermissionGate } from '../../src/permissions/gate';
import { type PermissionMode, parseRule } from '../../src/permissions/policy';
import type { RunTools } from '../../src/tools/invoke';
import { ToolRegistry } from '../../src/tools/registry';
import { type Tool, defineTool } from '../../src/tools/tool';
import { type ScriptedTurn, scriptedModel } from '../helpers/mock-language-model';

const echo = defineTool({
  name: 'echo',
  description: 'Says back what it gets.',
  permissionLevel: 'read',
  input: z.strictObject({ text: z.string() }),
  execute: async ({ text }) => ({ content: `echo: ${text}` }),
});

const remove = defineTool({
  name: 'remove',
  description: 'Removes a file.',
  permissionLevel: 'write',
  input: z.strictObject({ path: z.string() }),
  subject: ({ path }) => path,
  execute: async ({ path }) => ({ content: `removed ${path}` }),
});

/** Waits until the run stops it, as a long tool does. */
const wait = defineTool({
  name: 'wait',
  description: 'Waits until stopped.',
  permissionLevel: 'read',
  input: z.strictObject({}),
  execute: (_input, ctx) =>
    new Promise((resolve) => {
      const stop = () => resolve({ content: 'stopped waiting', isError: true });
      if (ctx.signal.aborted) stop();
      else ctx.signal.addEventListener('abort', stop, { once: true });
    }),
});

interface InProcessRun {
  turns: ScriptedTurn[];
  limits?: Partial<RunLimits>;
  tools?: Tool[];
  mode?: PermissionMode;
  rules?: string[];
  approvals?: Approvals;
  pricing?: { input: number; output: number };
}

interface Finished {
  outcome: RunOutcome;
  events: RunEvent[];
  offered: string[][];
}

/** A whole run in process: the loop, the gate, the tool pipeline and the AI SDK's mock model, no HTTP. */
function start(options: InProcessRun): { broker: ApprovalBroker; done: Promise<Finished> } {
  const { model, calls } = scriptedModel(options.turns, options.pricing ? { pricing: options.pricing } : {});
  const events: RunEvent[] = [];
  const emit = async (event: RunEvent) => void events.push(event);
  const cancel = new AbortController();
  const limits: RunLimits = { maxTurns: 10, ...options.limits };
  const budget = new RunBudget(limits);
  const signal = AbortSignal.any([cancel.signal, budget.signal]);
  const broker = new ApprovalBroker();
  const gate = new PermissionGate({
    sessionId: 'ses_loop',
    runId: 'run_loop',
    approvals: options.approvals ?? { watched: false, unattended: 'deny' },
    runMode: options.mode ?? 'bypass',
    workspaceMode: () => 'default',
    workspaceRules: () => (options.rules ?? []).map(parseRule),
    runRules: [],
    grantForWorkspace: async () => ({ id: 'grant' }),
    session: () => ({ mode: null, grants: [], title: 'loop' }),
    broker,
    record: (event) => emit({ ...event, runId: 'run_loop' } as RunEvent),
    signal,
  });
  const tools: RunTools = {
    sessionId: 'ses_loop',
    runId: 'run_loop',
    signal,
    scope: { workDir: '/tmp' },
    registry: new ToolRegistry(options.tools ?? [echo]),
    deferred: new Set(),
    revealed: new Set(),
    gate,
    session: {
      mode: () => gate.mode(),
      enterPlanMode: async () => undefined,
      leavePlanMode: async () => undefined,
      todos: () => [],
      setTodos: async () => undefined,
      activateSkill: async () => undefined,
    },
    progress: () => undefined,
  };
  let ids = 0;
  const running = runAgent({
    runId: 'run_loop',
    model,
    system: 'You are a test.',
    history: [],
    prompt: 'go',
    maxTurns: limits.maxTurns,
    budget,
    depth: 0,
    tools,
    policy: { stallTimeoutMs: 60_000, retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } },
    signal,
    cancel: cancel.signal,
    emit,
    newId: (prefix) => `${prefix}_${++ids}`,
    redactor: new Redactor(),
  });
  const done = running.then((outcome) => {
    budget.close();
    return { outcome, events, offered: calls.map((c) => (c.tools ?? []).map((t) => t.name).sort()) };
  });
  return { broker, done };
}

const run = (options: InProcessRun) => start(options).done;

const completed = (events: RunEvent[]) => events.find((e) => e.type === 'run.completed');
const toolTurn = (n: number, usage = { input: 10, output: 5 }): ScriptedTurn => ({
  toolCalls: [{ name: 'echo', input: { text: `turn ${n}` } }],
  usage,
});

describe('the agent loop, in process with the AI SDK mock model', () => {
  it('calls tools through the pipeline until the model answers', async () => {
    const { outcome, events } = await run({ turns: [toolTurn(1), { text: 'All done.' }] });
    expect(outcome).toMatchObject({ status: 'finished', turns: 2, text: 'All done.' });
    expect(events.find((e) => e.type === 'tool.completed')).toMatchObject({
      name: 'echo',
      result: { content: 'echo: turn 1' },
    });
    expect(completed(events)).toMatchObject({ status: 'finished', turns: 2 });
  });

  it('ends at maxTurns with max_turns', async () => {
    const { outcome } = await run({
      turns: [toolTurn(1), toolTurn(2), toolTurn(3), toolTurn(4)],
      limits: { maxTurns: 2 },
    });
    expect(outcome).toMatchObject({ status: 'max_turns', turns: 2 });
  });

  it('ends on maxInputTokens with the limit, its value and what was used', async () => {
    const { outcome, events } = await run({
      turns: [toolTurn(1, { input: 600, output: 5 }), toolTurn(2, { input: 600, output: 5 }), toolTurn(3)],
      limits: { maxInputTokens: 1000 },
    });
    expect(outcome).toMatchObject({
      status: 'budget',
      turns: 2,
      budget: { limit: 'maxInputTokens', max: 1000, used: 1200 },
    });
    expect(completed(events)).toMatchObject({ status: 'budget', limit: 'maxInputTokens', max: 1000, used: 1200 });
    // The step that crossed the budget asked for a tool: the run stops before it, it would only spend more.
    expect(events.filter((e) => e.type === 'tool.completed')).toHaveLength(1);
  });

  it('ends on maxOutputTokens', async () => {
    const { outcome } = await run({
      turns: [toolTurn(1, { input: 10, output: 300 }), toolTurn(2, { input: 10, output: 300 })],
      limits: { maxOutputTokens: 500 },
    });
    expect(outcome).toMatchObject({ status: 'budget', budget: { limit: 'maxOutputTokens', max: 500, used: 600 } });
  });

  it('ends on maxCostUsd, by the model’s prices', async () => {
    // $10 per million input tokens: 100,000 input tokens cost $1 a turn.
    const turns = [
      toolTurn(1, { input: 100_000, output: 0 }),
      toolTurn(2, { input: 100_000, output: 0 }),
      toolTurn(3, { input: 100_000, output: 0 }),
    ];
    const { outcome } = await run({ turns, limits: { maxCostUsd: 1.5 }, pricing: { input: 10, output: 10 } });
    expect(outcome).toMatchObject({ status: 'budget', turns: 2, budget: { limit: 'maxCostUsd', max: 1.5, used: 2 } });
  });

  it('ends on maxWallMs even while a tool is still running, and stops the tool', async () => {
    const { outcome, events } = await run({
      turns: [{ toolCalls: [{ name: 'wait', input: {} }] }, { text: 'never' }],
      tools: [wait],
      limits: { maxWallMs: 300 },
    });
    expect(outcome.status).toBe('budget');
    expect(outcome.budget).toMatchObject({ limit: 'maxWallMs', max: 300 });
    expect(outcome.budget!.used).toBeGreaterThanOrEqual(300);
    expect(events.find((e) => e.type === 'tool.completed')).toMatchObject({ result: { content: 'stopped waiting' } });
  });

  it('applies the gate to every call: a deny rule refuses, and the model is told', async () => {
    const { outcome, events } = await run({
      turns: [{ toolCalls: [{ name: 'remove', input: { path: 'keep.txt' } }] }, { text: 'ok' }],
      tools: [remove],
      rules: ['deny remove(keep.txt)'],
    });
    expect(outcome.status).toBe('finished');
    expect(events.find((e) => e.type === 'tool.completed')).toMatchObject({
      result: { isError: true, metadata: { permission: 'denied' } },
    });
  });

  it('refuses at once a call that asks when nobody watches (deny)', async () => {
    const { events } = await run({
      turns: [{ toolCalls: [{ name: 'remove', input: { path: 'a.txt' } }] }, { text: 'ok' }],
      tools: [remove],
      mode: 'default',
    });
    expect(events.find((e) => e.type === 'approval.resolved')).toMatchObject({ outcome: 'auto_deny' });
    expect(events.find((e) => e.type === 'tool.completed')).toMatchObject({
      result: { isError: true, metadata: { permission: 'needs_approval' } },
    });
  });

  it('parks a call that asks in the inbox when nobody watches (park), and runs it once answered there', async () => {
    const { broker, done } = start({
      turns: [{ toolCalls: [{ name: 'remove', input: { path: 'a.txt' } }] }, { text: 'ok' }],
      tools: [remove],
      mode: 'default',
      approvals: { watched: false, unattended: 'park' },
    });
    // The request waits in the broker (the approvals inbox) until answered there.
    await expect.poll(() => broker.list().length).toBe(1);
    broker.reply(broker.list()[0]!.id, { kind: 'approval', outcome: 'once', patterns: undefined });
    const { events } = await done;
    expect(events.find((e) => e.type === 'tool.completed')).toMatchObject({ result: { content: 'removed a.txt' } });
  });

  it('denies a parked call when nobody answers within the park timeout', async () => {
    const { events } = await run({
      turns: [{ toolCalls: [{ name: 'remove', input: { path: 'a.txt' } }] }, { text: 'ok' }],
      tools: [remove],
      mode: 'default',
      approvals: { watched: false, unattended: 'park', parkTimeoutMs: 200 },
    });
    expect(events.find((e) => e.type === 'approval.resolved')).toMatchObject({
      outcome: 'auto_deny',
      message: expect.stringMatching(/nobody answered/),
    });
    expect(events.find((e) => e.type === 'tool.completed')).toMatchObject({
      result: { isError: true, metadata: { permission: 'needs_approval' } },
    });
  });

  it('offers the model exactly the run’s tools', async () => {
    const { offered } = await run({ turns: [{ text: 'hi' }], tools: [echo, remove] });
    expect(offered[0]).toEqual(['echo', 'remove']);
  });
});
