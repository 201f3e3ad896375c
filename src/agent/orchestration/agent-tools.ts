import { z } from 'zod';
import type { ChildRun } from '../../contract/agents';
import type { AgentTypes } from '../../tools/agents/agent-types';
import { type Tool, type ToolContext, type ToolResult, defineTool, errorResult } from '../../tools/tool';
import { AgentRequestError, type ChildResult, type Orchestrator, describeResult } from './orchestrator';

const AgentInput = z.strictObject({
  description: z.string().trim().min(1).max(200).describe('A few words naming the task, shown on its card.'),
  prompt: z
    .string()
    .min(1)
    .max(100_000)
    .describe(
      'The whole task, self-contained: the agent sees nothing of this conversation. Give the goal, the files, the constraints and how to check the work.',
    ),
  agent_type: z.string().min(1).max(64).optional().describe('One of the agent types listed above; default general.'),
  tools: z
    .array(z.string().min(1).max(128))
    .max(200)
    .optional()
    .describe('Only these of your tools (default: all the agent type allows).'),
  max_turns: z.number().int().min(1).max(1000).optional(),
  budget_usd: z.number().positive().max(10_000).optional().describe('A cost cap for this agent, in US dollars.'),
  isolation: z
    .enum(['none', 'worktree'])
    .optional()
    .describe('worktree: the agent works on a new git branch in a worktree of its own (git repositories only).'),
  background: z
    .boolean()
    .optional()
    .describe('Return at once with the agent id; its result arrives later as a message (or use agent_wait).'),
});

const StatusInput = z.strictObject({
  id: z.string().min(1).max(100).optional().describe('One agent; default: every agent this session started.'),
});

const WaitInput = z.strictObject({
  ids: z.array(z.string().min(1).max(100)).min(1).max(64),
  timeout_ms: z.number().int().min(0).max(3_600_000).default(600_000),
});

function resultOf(result: ChildResult): ToolResult {
  return {
    content: describeResult(result),
    isError: result.status === 'error',
    metadata: { child: result },
  };
}

function statusLine(child: ChildRun): string {
  const tokens = child.usage.inputTokens + child.usage.outputTokens;
  const state = child.state === 'done' ? `done (${child.status})` : child.state;
  return `${child.id}  ${child.agentType}  ${state}  ${child.turns} turns  ${tokens} tokens  $${child.usage.costUsd.toFixed(4)}  ${child.description}`;
}

/** The `agent`, `agent_status` and `agent_wait` tools, over the runtime's orchestrator. */
export function agentTools(orchestrator: Orchestrator, agentTypes: AgentTypes): Tool[] {
  const caller = (ctx: ToolContext) => ({ sessionId: ctx.sessionId, runId: ctx.runId, callId: ctx.callId });
  const agent = defineTool({
    name: 'agent',
    description:
      'Starts an agent that does one task in a fresh conversation of its own, with no tool or permission this session lacks, and returns its answer, status, usage and the files it changed. Several agent calls in one turn run in parallel.',
    permissionLevel: 'execute',
    source: 'agent',
    parallel: true,
    // A plain chat rarely delegates: offered in full to the agent types that name it (manager), by name otherwise.
    defer: true,
    input: AgentInput,
    subject: (input) => input.agent_type ?? 'general',
    async execute(input, ctx) {
      let started;
      try {
        started = await orchestrator.spawn(caller(ctx), {
          description: input.description,
          prompt: input.prompt,
          agentType: input.agent_type,
          tools: input.tools,
          maxTurns: input.max_turns,
          budgetUsd: input.budget_usd,
          isolation: input.isolation,
          background: input.background,
        });
      } catch (error) {
        if (error instanceof AgentRequestError) return errorResult(error.message);
        throw error;
      }
      if (input.background)
        return {
          content: `Started agent ${started.childId} in the background. Its result will arrive as a message; agent_wait or agent_status read it sooner.`,
          metadata: { childId: started.childId, background: true },
        };
      // The parent stopping (cancel or budget) stops the child; its result is still reported.
      const stop = () => orchestrator.cancel(started.childId);
      ctx.signal.addEventListener('abort', stop, { once: true });
      try {
        return resultOf(await started.result);
      } finally {
        ctx.signal.removeEventListener('abort', stop);
      }
    },
  });
  const status = defineTool({
    name: 'agent_status',
    // Needed only once a background agent runs: offered by name until then (tool_search reveals it).
    defer: true,
    description: 'Lists the agents this session started (or one of them): state, turns, tokens and cost.',
    permissionLevel: 'read',
    source: 'agent',
    input: StatusInput,
    async execute(input, ctx) {
      const children = orchestrator
        .list(ctx.sessionId)
        .filter((child) => input.id === undefined || child.id === input.id);
      if (children.length === 0)
        return input.id ? errorResult(`no agent ${input.id} in this session`) : { content: 'No agents started yet.' };
      return { content: children.map(statusLine).join('\n'), metadata: { children } };
    },
  });
  const wait = defineTool({
    name: 'agent_wait',
    // Needed only once a background agent runs: offered by name until then (tool_search reveals it).
    defer: true,
    description: 'Waits until the given background agents end (or the timeout passes) and returns their results.',
    permissionLevel: 'read',
    source: 'agent',
    input: WaitInput,
    async execute(input, ctx) {
      const mine = new Set(orchestrator.list(ctx.sessionId).map((child) => child.id));
      const unknown = input.ids.filter((id) => !mine.has(id));
      if (unknown.length) return errorResult(`no agent ${unknown.join(', ')} in this session`);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), input.timeout_ms);
      });
      const aborted = new Promise<'timeout'>((resolve) =>
        ctx.signal.addEventListener('abort', () => resolve('timeout'), { once: true }),
      );
      try {
        const settled = await Promise.race([
          Promise.all(input.ids.map((id) => orchestrator.result(id)!)),
          timeout,
          aborted,
        ]);
        if (settled !== 'timeout') return { content: settled.map(describeResult).join('\n\n---\n\n') };
        const children = orchestrator.list(ctx.sessionId).filter((child) => input.ids.includes(child.id));
        return { content: `Not all ended yet:\n${children.map(statusLine).join('\n')}`, metadata: { children } };
      } finally {
        clearTimeout(timer);
      }
    },
  });
  return [
    {
      ...agent,
      // The agent types as last read from disk: the list changes as files do, and the next request carries it.
      get description() {
        const types = agentTypes.known().map((type) => `- ${type.name}: ${type.description}`);
        return `${agent.description}\n\nAgent types:\n${types.join('\n')}`;
      },
    },
    status,
    wait,
  ];
}
