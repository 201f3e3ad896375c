import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Logger } from '../log';
import type { ModelCatalog } from '../models/catalog';
import { resolveModel } from '../models/providers';
import type { ToolRegistry } from '../tools/registry';
import { type SessionStore, SessionLockedError } from '../workspace/sessions';
import type { UsageLog } from '../workspace/usage-log';
import type { Workspace } from '../workspace/workspace';
import { conversationFrom } from './conversation';
import { type RunEvent, type StampedEvent, isPersisted } from './events';
import type { SessionHub } from './hub';
import { buildSystemPrompt } from './prompt';
import { type RunOutcome, runAgent } from './run';

export interface RunRequest {
  text: string;
  /** `provider/model`; the workspace default when absent. */
  model?: string | undefined;
  maxTurns?: number | undefined;
}

export interface StartedRun {
  runId: string;
  done: Promise<RunOutcome>;
}

/** A run is already going on in this session, here or in another process. */
export class RunConflictError extends Error {
  override readonly name = 'RunConflictError';
}

export interface RunnerDeps {
  workspace: Workspace;
  sessions: SessionStore;
  hub: SessionHub;
  catalog: ModelCatalog;
  usageLog: UsageLog;
  logger: Logger;
  env: NodeJS.ProcessEnv;
  tools(): ToolRegistry;
}

export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}

/** Starts, tracks and cancels agent runs, one at a time per session, writing every event to the session. */
export class Runner {
  private readonly active = new Map<string, { runId: string; controller: AbortController; done: Promise<RunOutcome> }>();

  constructor(private readonly deps: RunnerDeps) {}

  isRunning(sessionId: string): boolean {
    return this.active.has(sessionId);
  }

  runningSessions(): { sessionId: string; runId: string }[] {
    return [...this.active].map(([sessionId, run]) => ({ sessionId, runId: run.runId }));
  }

  /**
   * Checks everything that can be refused (a run already going on, no usable model) before anything is written,
   * then runs in the background.
   */
  async start(sessionId: string, request: RunRequest): Promise<StartedRun> {
    const { deps } = this;
    if (this.active.has(sessionId)) throw new RunConflictError('A run is already going on in this session; wait for it or cancel it.');
    const settings = deps.workspace.settings.get();
    const model = resolveModel({ settings, secrets: deps.workspace.secrets, catalog: deps.catalog, env: deps.env }, request.model);
    let unlock: () => Promise<void>;
    try {
      unlock = await deps.sessions.lock(sessionId);
    } catch (error) {
      if (error instanceof SessionLockedError) throw new RunConflictError(error.message);
      throw error;
    }
    const runId = newId('run');
    const controller = new AbortController();
    // Registered before the first await, so a second start in the same tick is refused.
    const slot = { runId, controller, done: Promise.resolve<RunOutcome>({ status: 'error', turns: 0, text: '' }) };
    this.active.set(sessionId, slot);
    deps.hub.setRunning(sessionId, runId, true);

    const finish = async () => {
      this.active.delete(sessionId);
      await unlock().catch(() => undefined);
      deps.hub.setRunning(sessionId, runId, false);
    };

    try {
      const [{ events }, agentsMd] = await Promise.all([deps.sessions.read(sessionId), readFile(deps.workspace.paths.agentsFile, 'utf8').catch(() => '')]);
      const tools = deps.tools();
      const emit = this.emitter(sessionId);
      slot.done = runAgent({
        sessionId,
        runId,
        model,
        system: buildSystemPrompt({ workspaceName: deps.workspace.paths.name, date: new Date(), platform: process.platform, tools: tools.list(), agentsMd }),
        history: conversationFrom(events),
        prompt: request.text,
        tools,
        limits: { ...settings.agent, maxTurns: request.maxTurns ?? settings.agent.maxTurns },
        signal: controller.signal,
        emit,
        newId,
      })
        .catch(async (error: unknown) => {
          deps.logger.error({ err: error, sessionId, runId }, 'run failed');
          const message = `The run stopped because of an internal error: ${(error as Error).message}`;
          await emit({ type: 'run.completed', runId, status: 'error', turns: 0, error: { code: 'internal_error', message } }).catch(() => undefined);
          return { status: 'error' as const, turns: 0, text: '', error: { code: 'internal_error', message } };
        })
        .finally(finish);
    } catch (error) {
      await finish();
      throw error;
    }
    return { runId, done: slot.done };
  }

  /** Asks the run to stop; its tools are cancelled and partial text is kept. False when nothing runs. */
  cancel(sessionId: string): boolean {
    const run = this.active.get(sessionId);
    if (!run) return false;
    run.controller.abort();
    return true;
  }

  /** Cancels every run and waits until each has written its last event. */
  async shutdown(): Promise<void> {
    const runs = [...this.active.values()];
    for (const run of runs) run.controller.abort();
    await Promise.allSettled(runs.map((r) => r.done));
  }

  /**
   * Events are stored and published strictly in order, one after another: persisted ones are appended (and
   * fsynced) first, deltas only get an id. Usage is also added to usage.jsonl.
   */
  private emitter(sessionId: string): (event: RunEvent) => Promise<void> {
    const { sessions, hub, usageLog } = this.deps;
    let chain: Promise<unknown> = Promise.resolve();
    return (event) => {
      const next = chain.then(async () => {
        const stamped = (isPersisted(event.type) ? (await sessions.append(sessionId, [event]))[0]! : sessions.stampEphemeral(sessionId, event)) as StampedEvent;
        hub.publish(sessionId, stamped);
        if (event.type === 'usage') {
          const { runId: _run, type: _type, ...usage } = event;
          await usageLog.append({ time: stamped.time, sessionId, ...usage });
        }
      });
      chain = next.catch(() => undefined);
      return next;
    };
  }
}
