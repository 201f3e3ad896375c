import type { AgentDefinition, ChildRun } from '../../contract/agents';
import type { ChildStatus, ChildUsage, RunEvent, WorktreeReport } from '../../contract/events';
import { errorMessage } from '../../fs/errors';
import type { Logger } from '../../log';
import type { AgentTypes } from '../../tools/agents/agent-types';
import type { SessionStore } from '../../workspace/sessions';
import type { Workspace } from '../../workspace/workspace';
import type { SessionHub } from '../hub';
import type { RunLimits, RunSpec } from '../run-spec';
import type { RunHandle, Runner } from '../runner';
import { filesChanged } from '../file-ledger';
import { applyAgentType, lowest } from './agent-spec';
import { type Worktree, addWorktree, canIsolate, finishWorktree } from './worktree';

/** The tools that start and watch child runs: a run at the depth limit is not given them. */
export const ORCHESTRATION_TOOLS: readonly string[] = ['agent', 'agent_status', 'agent_wait'];

/** What the model asks for in one `agent` call. */
export interface AgentRequest {
  description: string;
  prompt: string;
  agentType?: string | undefined;
  tools?: string[] | undefined;
  maxTurns?: number | undefined;
  budgetUsd?: number | undefined;
  isolation?: 'none' | 'worktree' | undefined;
  background?: boolean | undefined;
}

/** The call that asks: the parent run's session, run and call. */
export interface AgentCaller {
  sessionId: string;
  runId: string;
  callId: string;
}

/** How a child run ended and what it did. */
export interface ChildResult {
  childId: string;
  agentType: string;
  description: string;
  status: ChildStatus;
  turns: number;
  usage: ChildUsage;
  text: string;
  filesChanged: string[];
  worktree?: WorktreeReport | undefined;
  error?: string | undefined;
}

/** A request the runtime refuses before starting anything (unknown agent type, depth limit, no repository). */
export class AgentRequestError extends Error {
  override readonly name = 'AgentRequestError';
}

interface ChildCore {
  view: ChildRun;
  caller: AgentCaller;
  /** Cancels the child, queued or running. */
  controller: AbortController;
}

interface Child extends ChildCore {
  result: Promise<ChildResult>;
}

export interface OrchestratorDeps {
  workspace: Workspace;
  runner: Runner;
  sessions: SessionStore;
  hub: SessionHub;
  agentTypes: AgentTypes;
  logger: Logger;
}

/** Finished children kept for agent_status and the running-agents view, newest last. */
const KEEP_FINISHED = 200;

/**
 * Starts child runs for the `agent` tool and keeps every limit of theirs in the runtime: the depth limit, the tools
 * and mode of the parent as a ceiling, turns and budgets (a share of the parent's reserved for each child), the
 * workspace's cap on children running at once (the rest queue), cancellation with the parent, and git worktrees.
 */
export class Orchestrator {
  private readonly children = new Map<string, Child>();
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly deps: OrchestratorDeps) {}

  /** Every child this process started that is still queued or running, and the recently finished ones. */
  list(parentSessionId?: string): ChildRun[] {
    return [...this.children.values()]
      .filter((child) => parentSessionId === undefined || child.caller.sessionId === parentSessionId)
      .map((child) => ({ ...child.view }));
  }

  /** The sessions of a session's children still going, and of theirs, down the tree. */
  descendants(sessionId: string): string[] {
    const direct = this.list(sessionId)
      .filter((child) => child.state !== 'done')
      .map((child) => child.id);
    return direct.flatMap((id) => [id, ...this.descendants(id)]);
  }

  /** Stops a child, queued or running; false when there is no such child still going. */
  cancel(childId: string): boolean {
    const child = this.children.get(childId);
    if (!child || child.view.state === 'done') return false;
    child.controller.abort();
    return true;
  }

  /** Stops every child and waits until each has ended and reported (the runtime is closing). */
  async close(): Promise<void> {
    const children = [...this.children.values()];
    for (const child of children) child.controller.abort();
    await Promise.allSettled(children.map((child) => child.result));
  }

  /** The result of a child once it ends; undefined for a child this process does not know. */
  result(childId: string): Promise<ChildResult> | undefined {
    return this.children.get(childId)?.result;
  }

  /**
   * Starts a child run for a call of `caller`'s run and returns at once; `result` resolves when it ends. Refuses, with
   * a reason for the model, what no child may do.
   */
  async spawn(caller: AgentCaller, request: AgentRequest): Promise<{ childId: string; result: Promise<ChildResult> }> {
    const { runner, sessions, agentTypes, workspace } = this.deps;
    const parent = runner.handle(caller.sessionId);
    if (!parent || parent.runId !== caller.runId) throw new AgentRequestError('the calling run is not going on');
    const settings = workspace.settings.get().orchestration;
    if (parent.spec.depth + 1 > settings.maxDepth)
      throw new AgentRequestError(
        `agents cannot start agents at this depth (orchestration.maxDepth is ${settings.maxDepth})`,
      );
    const typeName = request.agentType ?? 'general';
    const agent = await agentTypes.get(typeName);
    if (!agent) {
      const names = (await agentTypes.list()).agents.map((a) => a.name).join(', ');
      throw new AgentRequestError(`there is no agent type "${typeName}" (agent types: ${names})`);
    }
    const isolation = request.isolation ?? agent.isolation ?? 'none';
    if (isolation === 'worktree' && !(await canIsolate(workspace.paths.root)))
      throw new AgentRequestError(
        'isolation "worktree" needs the workspace to be the top folder of a git repository with at least one commit',
      );

    const session = await sessions.create({
      title: request.description,
      spawnedBy: { ...caller, agentType: agent.name },
    });
    const controller = new AbortController();
    const background = request.background === true;
    const view: ChildRun = {
      id: session.id,
      parentSessionId: caller.sessionId,
      callId: caller.callId,
      agentType: agent.name,
      description: request.description,
      background,
      state: 'queued',
      turns: 0,
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      startedAt: new Date().toISOString(),
    };
    const child: ChildCore = { view, caller, controller };
    // Cancelling the parent cancels its children; a parent that simply ends leaves background children running.
    const onParentCancel = () => controller.abort();
    parent.cancelled.addEventListener('abort', onParentCancel, { once: true });
    // Taken before the next await: calls of one turn are counted against the cap in their order.
    const slot = this.slot(controller.signal);
    await this.emit(caller.sessionId, {
      type: 'agent.spawned',
      runId: caller.runId,
      callId: caller.callId,
      childId: session.id,
      agentType: agent.name,
      description: request.description,
      background,
      isolation,
      queued: slot.queued,
    });
    if (slot.queued) void this.progress(child);
    const result = this.execute(child, parent, agent, request, isolation, slot.taken)
      .catch((error: unknown): ChildResult => {
        this.deps.logger.error({ err: error, childId: session.id }, 'child run failed');
        return this.ended(child, 'error', '', [], undefined, errorMessage(error));
      })
      .then(async (ended) => {
        parent.cancelled.removeEventListener('abort', onParentCancel);
        await this.report(child, ended);
        return ended;
      });
    this.children.set(session.id, { ...child, result });
    this.prune();
    return { childId: session.id, result };
  }

  private async execute(
    child: ChildCore,
    parent: RunHandle,
    agent: AgentDefinition,
    request: AgentRequest,
    isolation: 'none' | 'worktree',
    taken: Promise<(() => void) | null>,
  ): Promise<ChildResult> {
    const { signal } = child.controller;
    const release = await taken;
    if (!release) return this.ended(child, 'cancelled', '', []);
    let worktree: Worktree | undefined;
    const reservation = parent.budget.reserve({
      maxCostUsd: lowest(
        request.budgetUsd,
        agent.budgetUsd,
        this.deps.workspace.settings.get().orchestration.defaults.budgetUsd,
      ),
    });
    try {
      if (isolation === 'worktree')
        worktree = await addWorktree(
          this.deps.workspace.paths.root,
          this.deps.workspace.paths.worktreesDir,
          child.view.id,
        );
      const spec = this.childSpec(child, parent, agent, request, worktree, reservation.limits);
      let spent = (): ChildUsage => child.view.usage;
      const stopWatching = await this.watch(child, () => spent());
      const started = await this.deps.runner
        .start(child.view.id, spec, { parentBudget: parent.budget })
        .catch((error: unknown) => {
          stopWatching();
          throw error;
        });
      spent = () => started.budget.spent();
      child.view.state = 'running';
      const onAbort = () => this.deps.runner.cancel(child.view.id);
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
      const outcome = await started.done.finally(() => {
        signal.removeEventListener('abort', onAbort);
        stopWatching();
      });
      child.view.usage = started.budget.spent();
      child.view.turns = outcome.turns;
      let files: string[];
      let report: WorktreeReport | undefined;
      if (worktree) {
        const finished = await finishWorktree(
          this.deps.workspace.paths.root,
          worktree,
          `${child.view.agentType}: ${request.description}`,
        );
        report = finished.report;
        files = finished.files;
        worktree = undefined;
      } else files = filesChanged((await this.deps.sessions.read(child.view.id)).events);
      return this.ended(child, outcome.status, outcome.text, files, report, outcome.error?.message);
    } finally {
      reservation.release();
      release();
      if (worktree) {
        // The run did not start: nothing to keep.
        await finishWorktree(this.deps.workspace.paths.root, worktree, request.description).catch(() => undefined);
      }
    }
  }

  /** The child's RunSpec: the parent's, narrowed by the agent type, the call and the workspace's defaults. */
  private childSpec(
    child: ChildCore,
    parent: RunHandle,
    agent: AgentDefinition,
    request: AgentRequest,
    worktree: Worktree | undefined,
    budgets: Partial<RunLimits>,
  ): RunSpec {
    const settings = this.deps.workspace.settings.get();
    const depth = parent.spec.depth + 1;
    const atLimit = depth >= settings.orchestration.maxDepth;
    const asked = request.tools;
    const toolNames = parent
      .delegable()
      .filter((name) => name !== 'tool_search' || asked === undefined)
      .filter((name) => asked === undefined || asked.includes(name) || name === 'tool_search')
      .filter((name) => !(atLimit && ORCHESTRATION_TOOLS.includes(name)));
    const base: RunSpec = {
      ...parent.spec,
      // The workspace's offer list, not the parent's agent type's: the child's own type adds its own.
      tools: {
        sources: parent.spec.tools.sources,
        deny: parent.spec.tools.deny,
        offer: settings.tools.offered,
        deferAboveTokens: parent.spec.tools.deferAboveTokens,
      },
      prompt: request.prompt,
      // A fresh conversation: the workspace's notes and the skills catalog, never the parent's own agent instructions.
      systemParts: parent.spec.systemParts.filter((part) => part.kind !== 'agent'),
      limits: {
        maxTurns:
          lowest(request.maxTurns, agent.maxTurns, settings.orchestration.defaults.maxTurns) ??
          settings.orchestration.defaults.maxTurns,
        ...budgets,
      },
      scope: worktree ? { ...parent.spec.scope, workDir: worktree.path } : parent.spec.scope,
      // Never wider than the parent's mode now, whatever the child's own (new) session or the workspace says.
      permissions: { ...parent.spec.permissions, mode: parent.mode() },
      parent: { sessionId: child.caller.sessionId, runId: child.caller.runId, callId: child.caller.callId },
      depth,
    };
    return applyAgentType(base, agent, { settings, currentMode: parent.mode(), toolNames });
  }

  /**
   * A place under orchestration.maxConcurrent, taken at once or queued: `taken` resolves with its release, or with
   * null when the child is cancelled while it waits.
   */
  private slot(signal: AbortSignal): { queued: boolean; taken: Promise<(() => void) | null> } {
    const take = () => {
      this.running += 1;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        this.running -= 1;
        this.queue.shift()?.();
      };
    };
    if (this.running < this.deps.workspace.settings.get().orchestration.maxConcurrent)
      return { queued: false, taken: Promise.resolve(take()) };
    const taken = new Promise<(() => void) | null>((resolve) => {
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve(take());
      };
      const onAbort = () => {
        const index = this.queue.indexOf(wake);
        if (index >= 0) this.queue.splice(index, 1);
        resolve(null);
      };
      this.queue.push(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    return { queued: true, taken };
  }

  /** Follows the child's session for its card: turns, spending and the tool it is calling. */
  private async watch(child: ChildCore, spent: () => ChildUsage): Promise<() => void> {
    let tool: string | undefined;
    return this.deps.hub.subscribe(child.view.id, 0, (event) => {
      const before = tool;
      if (event.type === 'message.completed') child.view.turns += 1;
      else if (event.type === 'tool.started') tool = event.name;
      else if (event.type === 'tool.completed') tool = undefined;
      else if (event.type !== 'usage') return;
      child.view.usage = spent();
      if (event.type === 'usage' || event.type === 'message.completed' || tool !== before)
        void this.progress(child, tool);
    });
  }

  private progress(child: ChildCore, tool?: string): Promise<void> {
    const { view, caller } = child;
    return this.emit(caller.sessionId, {
      type: 'agent.progress',
      runId: caller.runId,
      callId: caller.callId,
      childId: view.id,
      state: view.state === 'queued' ? 'queued' : 'running',
      turns: view.turns,
      usage: view.usage,
      ...(tool ? { tool } : {}),
    });
  }

  private ended(
    child: ChildCore,
    status: ChildStatus,
    text: string,
    filesChanged: string[],
    worktree?: WorktreeReport,
    error?: string,
  ): ChildResult {
    child.view.state = 'done';
    child.view.status = status;
    if (worktree) child.view.worktree = worktree;
    return {
      childId: child.view.id,
      agentType: child.view.agentType,
      description: child.view.description,
      status,
      turns: child.view.turns,
      usage: child.view.usage,
      text,
      filesChanged,
      ...(worktree ? { worktree } : {}),
      ...(error ? { error } : {}),
    };
  }

  /** Records the end on the parent's session; a background child's result also goes to the parent's model. */
  private async report(child: ChildCore, result: ChildResult): Promise<void> {
    const { caller, view } = child;
    await this.emit(caller.sessionId, {
      type: 'agent.completed',
      runId: caller.runId,
      callId: caller.callId,
      childId: view.id,
      agentType: view.agentType,
      background: view.background,
      status: result.status,
      turns: result.turns,
      usage: result.usage,
      text: result.text,
      filesChanged: result.filesChanged,
      ...(result.worktree ? { worktree: result.worktree } : {}),
      ...(result.error ? { error: result.error } : {}),
    });
    if (!view.background) return;
    const note = `Background agent ${view.id} finished.\n\n${describeResult(result)}`;
    const running = this.deps.runner.handle(caller.sessionId);
    if (running) running.deliver(note);
    else
      await this.deps.runner.record(caller.sessionId, {
        type: 'message.user',
        runId: caller.runId,
        messageId: `msg_${view.id}_result`,
        text: note,
        synthetic: true,
      });
  }

  private async emit(sessionId: string, event: RunEvent): Promise<void> {
    try {
      await this.deps.runner.record(sessionId, event);
    } catch (error) {
      // The parent's session is what failed to take the event; the child's own session holds its whole story.
      this.deps.logger.warn({ err: error, sessionId, type: event.type }, 'could not record an agent event');
    }
  }

  private prune(): void {
    const done = [...this.children.values()].filter((child) => child.view.state === 'done');
    for (const child of done.slice(0, Math.max(0, done.length - KEEP_FINISHED))) this.children.delete(child.view.id);
  }
}

/** A child's result as the parent's model reads it. */
export function describeResult(result: ChildResult): string {
  const tokens = result.usage.inputTokens + result.usage.outputTokens;
  const lines = [
    `Agent "${result.agentType}" (${result.childId}) ended: ${result.status}, ${result.turns} turn${result.turns === 1 ? '' : 's'}, ${tokens} tokens, $${result.usage.costUsd.toFixed(4)}.`,
    `Files changed: ${result.filesChanged.length ? result.filesChanged.join(', ') : 'none'}.`,
  ];
  if (result.worktree)
    lines.push(
      result.worktree.clean
        ? `Worktree: no changes; removed.`
        : `Worktree: branch ${result.worktree.branch}, kept for the user to merge or discard:\n${result.worktree.diffStat}`,
    );
  if (result.error) lines.push(`Error: ${result.error}`);
  lines.push('', 'Its answer:', result.text || '(no text)');
  return lines.join('\n');
}
