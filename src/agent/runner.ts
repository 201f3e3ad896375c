import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { type RunEvent, type SessionEvent, type StampedEvent, isPersisted } from '../contract/events';
import type { Logger } from '../log';
import type { ModelCatalog } from '../models/catalog';
import type { LocalServers } from '../models/local-servers/registry';
import { resolveModel } from '../models/providers';
import type { Redactor } from '../models/redaction';
import { type ApprovalBroker, InteractionCancelledError } from '../permissions/approvals';
import { PermissionGate } from '../permissions/gate';
import { type PermissionMode, parseRule } from '../permissions/policy';
import type { RunTools } from '../tools/invoke';
import type { ToolOutputStore } from '../tools/output-store';
import { ToolRegistry } from '../tools/registry';
import { selectTools } from '../tools/selection';
import type { ToolContext, UserChannel } from '../tools/tool';
import { type SessionStore, SessionLockedError } from '../workspace/sessions';
import type { UsageLog } from '../workspace/usage-log';
import type { Workspace } from '../workspace/workspace';
import { conversationFrom } from './conversation';
import type { SessionHub } from './hub';
import type { PartialTextLog } from './partial-text';
import { RunBudget } from './budget';
import type { RunOutcome } from './loop';
import { composeSystemPrompt } from './prompt';
import type { RunSpec } from './run-spec';
import { type SessionState, applySessionEvent, sessionStateFrom } from './session-state';
import { workspacePermissions } from './workspace-permissions';

/** The agent loop, and the AI SDK with it, load on the first run: they are much of the server's start-up otherwise. */
const loadAgentLoop = () => import('./loop');
const loadSessionTitle = () => import('./session-title');

export interface StartedRun {
  runId: string;
  done: Promise<RunOutcome>;
  /** What the run (with its children) spends, against its budgets. */
  budget: RunBudget;
}

/** What a running run offers the runs it starts (the agent tool): its spec, budget, mode, tools and cancel. */
export interface RunHandle {
  runId: string;
  spec: RunSpec;
  budget: RunBudget;
  /** The permission mode its calls are judged by now. */
  mode(): PermissionMode;
  /** The names of the tools it may use. */
  toolNames(): string[];
  /** The names of the tools its children may be given (a manager's are more than its own). */
  delegable(): string[];
  /** Aborted when the run is cancelled (not when it ends on its own). */
  cancelled: AbortSignal;
  /** Hands the run a note for the model, added as a user message before its next model call. */
  deliver(text: string): void;
  /** The rules loaded skills grant for the rest of the run, with the skill that granted each. */
  skillGrants(): { skill: string; rule: string }[];
}

export interface StartOptions {
  /** The budget of the run that starts this one: spending counts against both. */
  parentBudget?: RunBudget | undefined;
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
  /** What local model servers say of the context they run each model at. */
  servers: LocalServers;
  usageLog: UsageLog;
  broker: ApprovalBroker;
  logger: Logger;
  /** Applied to every event before it is stored or published. */
  redactor: Redactor;
  env: NodeJS.ProcessEnv;
  /** Where the text of the message being streamed is kept, so a crash does not lose it. */
  partials: PartialTextLog;
  /** Keeps the whole output of a call whose result was cut. */
  outputs: ToolOutputStore;
}

export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
}

interface ActiveRun {
  runId: string;
  controller: AbortController;
  done: Promise<RunOutcome>;
  /** The session's mode, todos and grants, kept current as events are recorded. */
  state: SessionState;
  /** Set once the run is under way; the agent tool reaches it through `handle`. */
  handle?: RunHandle;
  /** Notes delivered while the run goes on, taken by the loop before its next model call. */
  inbox: string[];
}

/** Starts, tracks and cancels agent runs, one at a time per session, writing every event to the session. */
export class Runner {
  private readonly active = new Map<string, ActiveRun>();
  /** Per session, so run events and the user's session events are stored strictly one after another. */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: RunnerDeps) {}

  isRunning(sessionId: string): boolean {
    return this.active.has(sessionId);
  }

  runningSessions(): { sessionId: string; runId: string }[] {
    return [...this.active].map(([sessionId, run]) => ({ sessionId, runId: run.runId }));
  }

  /**
   * Starts the run a RunSpec describes. Checks everything that can be refused (a run already going on, no usable
   * model, two tools of one name) before anything is written, then runs in the background.
   */
  async start(sessionId: string, spec: RunSpec, options: StartOptions = {}): Promise<StartedRun> {
    const { deps } = this;
    if (this.active.has(sessionId))
      throw new RunConflictError('A run is already going on in this session; wait for it or cancel it.');
    const settings = deps.workspace.settings.get();
    const model = await resolveModel(
      { settings, secrets: deps.workspace.secrets, catalog: deps.catalog, env: deps.env, servers: deps.servers },
      spec.model,
    );
    const selected = selectTools(spec.tools);
    const registry = new ToolRegistry(selected.tools);
    let unlock: () => Promise<void>;
    try {
      unlock = await deps.sessions.lock(sessionId);
    } catch (error) {
      if (error instanceof SessionLockedError) throw new RunConflictError(error.message);
      throw error;
    }
    const runId = newId('run');
    const controller = new AbortController();
    // Every child run of this one listens for its cancel, and a run may start many.
    setMaxListeners(0, controller.signal);
    // Registered before the first await, so a second start in the same tick is refused.
    const run: ActiveRun = {
      runId,
      controller,
      done: Promise.resolve({ status: 'error', turns: 0, text: '' }),
      state: sessionStateFrom([]),
      inbox: [],
    };
    this.active.set(sessionId, run);
    deps.hub.setRunning(sessionId, runId, true);

    const finish = async () => {
      this.active.delete(sessionId);
      await unlock().catch((error: unknown) =>
        deps.logger.warn({ err: error, sessionId, runId }, 'could not remove the run lock of a session'),
      );
      deps.hub.setRunning(sessionId, runId, false);
    };

    const budget = new RunBudget(spec.limits, options.parentBudget);
    // Everything the run does stops on a cancel or on its wall-clock budget.
    const signal = AbortSignal.any([controller.signal, budget.signal]);
    try {
      const { events } = await deps.sessions.read(sessionId);
      run.state = sessionStateFrom(events);
      // The partial text follows the stored order, so it is dropped only once its message is on disk.
      const emit = (event: RunEvent) =>
        this.store(sessionId, event).then((stored) => deps.partials.note(sessionId, stored as RunEvent));
      const { approvals } = spec.permissions;
      const gate = new PermissionGate({
        sessionId,
        runId,
        approvals,
        runMode: spec.permissions.mode,
        ...workspacePermissions(deps.workspace),
        runRules: spec.permissions.rules ?? [],
        session: () => ({ ...run.state, title: deps.sessions.get(sessionId)?.title ?? '' }),
        broker: deps.broker,
        record: (event) => emit({ ...event, runId } as RunEvent),
        signal,
      });
      for (const grant of spec.skillGrants ?? []) gate.grantForSkill(grant.skill, grant.rules.map(parseRule));
      // Questions go where approvals go: to someone watching, or parked in the inbox; a run that refuses has none.
      const asks = approvals.watched || approvals.unattended === 'park';
      const { session, user } = this.userAndSession(sessionId, runId, gate, run, signal, asks);
      const tools: RunTools = {
        sessionId,
        runId,
        signal,
        scope: spec.scope,
        registry,
        deferred: selected.deferred,
        // A session already in plan mode needs exit_plan_mode in full to present its plan.
        revealed: new Set(session.mode() === 'plan' ? ['exit_plan_mode'] : []),
        gate,
        ...(user ? { user } : {}),
        session,
        outputs: deps.outputs,
        progress: (callId, data) =>
          void emit({ type: 'tool.progress', runId, callId, data }).catch(
            // Progress is for the live view only (never stored), and the tool goes on whether or not it was shown.
            () => undefined,
          ),
      };
      run.handle = {
        runId,
        spec,
        budget,
        mode: () => gate.mode(),
        toolNames: () => registry.list().map((tool) => tool.name),
        delegable: () => {
          const own = registry.list().map((tool) => tool.name);
          return spec.tools.delegable ? [...new Set([...spec.tools.delegable, 'tool_search'])] : own;
        },
        cancelled: controller.signal,
        deliver: (text) => run.inbox.push(text),
        skillGrants: () => gate.skillRules().map((g) => ({ skill: g.skill, rule: g.rule.text })),
      };
      run.done = loadAgentLoop()
        .then(({ runAgent }) =>
          runAgent({
            runId,
            model,
            system: composeSystemPrompt(spec.systemParts, registry.list(), selected.deferred),
            history: conversationFrom(events),
            prompt: spec.prompt,
            command: spec.command,
            maxTurns: spec.limits.maxTurns,
            budget,
            parent: spec.parent,
            depth: spec.depth,
            inbox: () => run.inbox.splice(0),
            compaction: {
              settings: settings.context,
              events: async () => (await deps.sessions.read(sessionId)).events,
            },
            compactOnly: spec.compact,
            tools,
            policy: settings.agent,
            signal,
            cancel: controller.signal,
            emit,
            newId,
            redactor: deps.redactor,
          }),
        )
        .catch(async (error: unknown) => {
          deps.logger.error({ err: error, sessionId, runId }, 'run failed');
          const message = `The run stopped because of an internal error: ${errorText(error)}`;
          await emit({
            type: 'run.completed',
            runId,
            status: 'error',
            turns: 0,
            error: { code: 'internal_error', message },
          }).catch((recordError: unknown) =>
            deps.logger.error({ err: recordError, sessionId, runId }, 'could not record the end of a failed run'),
          );
          return { status: 'error' as const, turns: 0, text: '', error: { code: 'internal_error', message } };
        })
        .finally(() => {
          budget.close();
          return finish();
        });
      if (spec.title)
        void run.done.then(async (outcome) => {
          if (outcome.status !== 'finished') return;
          const { titleSession } = await loadSessionTitle();
          await titleSession(
            {
              session: () => deps.sessions.get(sessionId),
              record: (event) => this.store(sessionId, event),
              logger: deps.logger,
            },
            { sessionId, runId, model, prompt: spec.command ?? spec.prompt, answer: outcome.text },
          );
        });
    } catch (error) {
      await finish();
      throw error;
    }
    return { runId, done: run.done, budget };
  }

  /** The run going on in a session, as the runs it starts see it; undefined when none is (or it is not under way yet). */
  handle(sessionId: string): RunHandle | undefined {
    return this.active.get(sessionId)?.handle;
  }

  /** Asks the run to stop; its tools and pending approvals are cancelled and partial text is kept. False when nothing runs. */
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
   * Records an event in a session, in order with any run's events: the user's (a mode switch, a revoked grant), or
   * one about a run that need not be going on (a background child's result).
   */
  record(sessionId: string, event: SessionEvent | RunEvent): Promise<StampedEvent> {
    return this.store(sessionId, event);
  }

  /**
   * Stores and publishes events strictly in order, one after another: persisted ones are appended (and fsynced)
   * first, deltas only get an id. Usage is also added to usage.jsonl; session events update a running run's view.
   * Every event is redacted first, so the session file, its readers, exports and live subscribers never see a key.
   */
  private store(sessionId: string, original: RunEvent | SessionEvent): Promise<StampedEvent> {
    const { sessions, hub, usageLog, redactor } = this.deps;
    const event = redactor.redactValue(original);
    const previous = this.chains.get(sessionId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const stamped = isPersisted(event.type)
        ? (await sessions.append(sessionId, [event]))[0]!
        : sessions.stampEphemeral(sessionId, event);
      const run = this.active.get(sessionId);
      if (run) run.state = applySessionEvent(run.state, stamped);
      hub.publish(sessionId, stamped);
      if (event.type === 'usage') {
        const { runId: _run, type: _type, context: _context, ...usage } = event;
        const spec = run?.handle?.spec;
        await usageLog.append({
          time: stamped.time,
          sessionId,
          ...(spec?.parent ? { parentSessionId: spec.parent.sessionId } : {}),
          ...(spec?.agentType ? { agentType: spec.agentType } : {}),
          ...usage,
        });
      }
      return stamped;
    });
    // The caller gets `next` and its error; the chain only waits for it to settle before the next event.
    const settled = next.catch(() => undefined);
    this.chains.set(sessionId, settled);
    void settled.then(() => {
      if (this.chains.get(sessionId) === settled) this.chains.delete(sessionId);
    });
    return next;
  }

  /** The user (for one call) and the session as the run's tools see them; the user is absent when nobody can answer. */
  private userAndSession(
    sessionId: string,
    runId: string,
    gate: PermissionGate,
    run: ActiveRun,
    signal: AbortSignal,
    asks: boolean,
  ): { session: ToolContext['session']; user?: (callId: string) => UserChannel } {
    const { broker, logger } = this.deps;
    const emit = (event: RunEvent) => this.store(sessionId, event).then(() => undefined);
    /** Recording that a request was cancelled, on the way out of a run that is stopping anyway: a failure is logged. */
    const recordCancel = (event: RunEvent) =>
      emit(event).catch((error: unknown) =>
        logger.warn({ err: error, sessionId, runId }, 'could not record a cancelled request'),
      );
    const session: ToolContext['session'] = {
      mode: () => gate.mode(),
      enterPlanMode: () =>
        this.store(sessionId, {
          type: 'session.mode',
          mode: 'plan',
          previous: run.state.mode === 'plan' ? run.state.previousMode : run.state.mode,
          by: 'agent',
        }).then(() => undefined),
      leavePlanMode: () =>
        this.store(sessionId, { type: 'session.mode', mode: run.state.previousMode, previous: null, by: 'agent' }).then(
          () => undefined,
        ),
      todos: () => run.state.todos,
      setTodos: (todos) => emit({ type: 'todos.updated', runId, todos }),
      activateSkill: async (name, rules) => {
        gate.grantForSkill(name, rules.map(parseRule));
        await emit({ type: 'skill.activated', runId, name, rules: [...rules] });
      },
    };
    if (!asks) return { session };
    const user = (callId: string): UserChannel => ({
      async ask(questions) {
        let questionId = '';
        try {
          const reply = await broker.open(
            { kind: 'question', sessionId, runId, callId, questions },
            signal,
            (interaction) => {
              questionId = interaction.id;
              void emit({ type: 'question.asked', runId, questionId, callId, questions });
            },
          );
          await emit({ type: 'question.answered', runId, questionId, answers: reply.answers });
          return reply.answers;
        } catch (error) {
          if (error instanceof InteractionCancelledError && questionId)
            await recordCancel({ type: 'question.answered', runId, questionId, cancelled: true });
          throw error;
        }
      },
      async approvePlan(plan) {
        let approvalId = '';
        try {
          const reply = await broker.open({ kind: 'plan', sessionId, runId, callId, plan }, signal, (interaction) => {
            approvalId = interaction.id;
            void emit({
              type: 'approval.requested',
              runId,
              approvalId,
              kind: 'plan',
              callId,
              name: 'exit_plan_mode',
              level: 'read',
              input: { plan },
              reason: 'the agent asks you to approve its plan',
              plan,
            });
          });
          await emit({
            type: 'approval.resolved',
            runId,
            approvalId,
            outcome: reply.approved ? 'once' : 'deny',
            ...(reply.feedback ? { message: reply.feedback } : {}),
          });
          return { approved: reply.approved, ...(reply.feedback ? { feedback: reply.feedback } : {}) };
        } catch (error) {
          if (error instanceof InteractionCancelledError && approvalId)
            await recordCancel({ type: 'approval.resolved', runId, approvalId, outcome: 'cancelled' });
          throw error;
        }
      },
    });
    return { session, user };
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
